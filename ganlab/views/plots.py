"""Plotly figures of samples, latent paths and the Draw page's canvas, and image grids (no streamlit here).

The live time charts are Vega-Lite specs: ``time_charts.py``."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

COLORS = {"d": "#1f77b4", "g": "#ff7f0e", "real": "#2ca02c", "fake": "#d62728"}


def scatter_figure(real: np.ndarray, fake: np.ndarray, *, extent: float, title: str = "") -> go.Figure:
    """Real vs generated 2-D points on fixed axes, so motion between refreshes is visible."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=real[:, 0], y=real[:, 1], mode="markers", name="real",
                               marker=dict(size=4, color=COLORS["real"], opacity=0.5)))
    fig.add_trace(go.Scatter(x=fake[:, 0], y=fake[:, 1], mode="markers", name="generated",
                               marker=dict(size=4, color=COLORS["fake"], opacity=0.6)))
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=420,
                      margin=dict(l=10, r=10, t=40, b=10), uirevision="keep",
                      legend=dict(orientation="h", y=1.08, x=1, xanchor="right"),
                      xaxis=dict(range=[-extent, extent], constrain="domain"),
                      yaxis=dict(range=[-extent, extent], scaleanchor="x", scaleratio=1))
    return fig


def image_grid(images: np.ndarray, *, nrow: int = 8, pad: int = 2, scale: int = 1) -> np.ndarray:
    """(n, 1, H, W) images in [-1, 1] -> one (rows*(H+pad)+pad, ...) uint8 grey image."""
    images = np.clip((np.asarray(images)[:, 0] + 1) * 127.5, 0, 255).astype(np.uint8)  # (n, H, W)
    n, h, w = images.shape
    ncol = min(nrow, n)
    rows = -(-n // ncol)
    grid = np.full((rows * (h + pad) + pad, ncol * (w + pad) + pad), 64, dtype=np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, ncol)
        grid[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = img
    if scale > 1:
        grid = grid.repeat(scale, 0).repeat(scale, 1)
    return grid


def pickable_grid(images: np.ndarray, labels: list, *, nrow: int = 8, scale: int = 2) -> go.Figure:
    """An image grid as a Plotly figure whose cells can be clicked; each cell's customdata is its label."""
    grid = image_grid(images, nrow=nrow, scale=scale)
    h, w = images.shape[2] * scale, images.shape[3] * scale
    pad = 2 * scale
    xs = [pad + (i % nrow) * (w + pad) + w / 2 for i in range(len(images))]
    ys = [pad + (i // nrow) * (h + pad) + h / 2 for i in range(len(images))]
    fig = go.Figure(go.Image(z=np.stack([grid] * 3, -1)))
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", customdata=labels, hovertemplate="seed %{customdata}<extra></extra>",
                             marker=dict(size=max(w, h) * 0.9, symbol="square", color="rgba(0,0,0,0)",
                                         line=dict(width=0))))
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), height=grid.shape[0] + 10, showlegend=False,
                      xaxis=dict(visible=False), yaxis=dict(visible=False), dragmode=False)
    return fig


def path_figure(data: np.ndarray, samples: np.ndarray, path: np.ndarray, *, extent: float) -> go.Figure:
    """A 2-D generator's path G(z(t)) drawn over real data and generated samples."""
    fig = scatter_figure(data, samples, extent=extent, title="G(z(t)) over the data")
    fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name="path G(z(t))",
                             line=dict(color="#111", width=2), marker=dict(size=6, color=np.arange(len(path)),
                                                                             colorscale="Viridis")))
    return fig


def norm_figure(norms: dict[str, np.ndarray], shell: float) -> go.Figure:
    """||z(t)|| along each interpolation, with the radius where the prior's mass concentrates."""
    fig = go.Figure()
    for name, values in norms.items():
        fig.add_trace(go.Scatter(x=np.linspace(0, 1, len(values)), y=values, name=name, mode="lines+markers"))
    fig.add_hline(y=shell, line=dict(dash="dash", color="#444"), annotation=dict(text="prior shell"))
    fig.update_layout(height=220, margin=dict(l=10, r=10, t=30, b=10), xaxis=dict(title="t"),
                      yaxis=dict(title="||z(t)||", rangemode="tozero"), title=dict(text="Norm along the path", x=0.01,
                                                                                   font=dict(size=13)))
    return fig


def scatter_raster(real: np.ndarray, fake: np.ndarray, *, extent: float, size: int = 320) -> np.ndarray:
    """Real (green) and generated (red) points drawn into an RGB uint8 image, for GIF frames.

    2-D points are drawn where they are; 1-D samples are drawn sorted against their rank
    (each set's quantile function), so matching distributions draw matching curves.
    """
    img = np.full((size, size, 3), 255, dtype=np.uint8)
    for points, color in ((real, (44, 160, 44)), (fake, (214, 39, 40))):
        pts = np.asarray(points, dtype=np.float64)
        if pts.shape[1] == 1:
            pts = np.stack([np.sort(pts[:, 0]), np.linspace(-0.9 * extent, 0.9 * extent, len(pts))], 1)
        px = ((pts[:, 0] + extent) / (2 * extent) * (size - 1)).round().astype(int)
        py = ((extent - pts[:, 1]) / (2 * extent) * (size - 1)).round().astype(int)
        keep = (px >= 1) & (px < size - 1) & (py >= 1) & (py < size - 1)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                img[py[keep] + dy, px[keep] + dx] = color
    return img


def canvas_figure(canvas: np.ndarray, chosen: np.ndarray, extent: float) -> go.Figure:
    """The Draw page's canvas: candidate points to box- or lasso-select, the chosen ones highlighted."""
    fig = go.Figure(go.Scatter(x=canvas[:, 0], y=canvas[:, 1], mode="markers", name="canvas",
                               marker=dict(size=6, color="#d0d0d0"), hoverinfo="skip"))
    if len(chosen):
        fig.add_trace(go.Scatter(x=chosen[:, 0], y=chosen[:, 1], mode="markers", name="your distribution",
                                 marker=dict(size=7, color=COLORS["real"]), hoverinfo="skip"))
    fig.update_layout(height=560, margin=dict(l=10, r=10, t=10, b=10), dragmode="lasso", showlegend=False,
                      xaxis=dict(range=[-extent, extent], autorange=False, zeroline=False, constrain="domain"),
                      yaxis=dict(range=[-extent, extent], autorange=False, zeroline=False, scaleanchor="x"),
                      uirevision="canvas")
    return fig


def cycle_figure(a: np.ndarray, there: np.ndarray, back: np.ndarray, real_b: np.ndarray) -> go.Figure:
    """A 2-D cycle model's round trips: domain B's points, then each a -> G(a) (solid) -> F(G(a)) (dashed)."""
    extent = float(np.abs(np.concatenate([a, there, back, real_b])).max()) * 1.1
    fig = scatter_figure(real_b, there, extent=extent, title="a -> G(a) -> F(G(a)) over domain B")
    fig.data[0].name, fig.data[1].name = "domain B", "G(a)"
    fig.add_trace(go.Scatter(x=a[:, 0], y=a[:, 1], mode="markers", name="a (domain A)",
                             marker=dict(size=4, color="#6a3d9a", opacity=0.6)))
    for start, end, name, dash in ((a, there, "a -> G(a)", "solid"), (there, back, "G(a) -> F(G(a))", "dot")):
        xs = np.stack([start[:, 0], end[:, 0], np.full(len(start), np.nan)], 1).ravel()
        ys = np.stack([start[:, 1], end[:, 1], np.full(len(start), np.nan)], 1).ravel()
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, line=dict(width=0.7, dash=dash, color="#555")))
    return fig


def heat_map(values: np.ndarray, *, scale: int = 8) -> np.ndarray:
    """(H, W) values in [0, 1] as an RGB uint8 heat map (black, red, yellow, white), enlarged."""
    v = np.clip(np.asarray(values, dtype=np.float64), 0, 1)
    rgb = np.stack([np.clip(3 * v, 0, 1), np.clip(3 * v - 1, 0, 1), np.clip(3 * v - 2, 0, 1)], -1)
    return (rgb * 255).astype(np.uint8).repeat(scale, 0).repeat(scale, 1)


def bce_figure(curves: dict, d_real: float | None, d_fake: float | None) -> go.Figure:
    """The BCE cost for y = 1 and y = 0 over the prediction, with the live run's D(x) and D(G(z)) on them."""
    from ganlab.classroom.bce import bce

    fig = go.Figure()
    p = curves["p"]
    for (name, values), color in zip(((k, v) for k, v in curves.items() if k != "p"), (COLORS["real"], COLORS["fake"])):
        fig.add_trace(go.Scatter(x=p, y=values, mode="lines", name=f"cost when {name}", line=dict(color=color)))
    for value, y, label, color in ((d_real, 1.0, "D(x) of the live run, on y = 1", COLORS["real"]),
                                   (d_fake, 0.0, "D(G(z)) of the live run, on y = 0", COLORS["fake"])):
        if value is not None:
            fig.add_trace(go.Scatter(x=[value], y=[bce(y, value)], mode="markers+text", name=label,
                                     text=[f"{value:.2f}"], textposition="top center",
                                     marker=dict(size=14, color=color, line=dict(color="#111", width=1.5))))
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10), xaxis=dict(title="prediction D(.)", range=[0, 1]),
                      yaxis=dict(title="cost", range=[0, 7]), legend=dict(orientation="h", y=1.12))
    return fig


def quiz_cloud(points: np.ndarray, *, extent: float) -> go.Figure:
    """One item of the 2-D quiz: a small cloud of points, unlabelled."""
    fig = go.Figure(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", marker=dict(size=4, color="#333")))
    fig.update_layout(height=170, margin=dict(l=0, r=0, t=0, b=0), showlegend=False,
                      xaxis=dict(range=[-extent, extent], visible=False),
                      yaxis=dict(range=[-extent, extent], visible=False, scaleanchor="x"))
    return fig


def quiz_results(tally: dict) -> go.Figure:
    """The class's round, live: the share who called each item real beside D(x) and the 50% line; the
    histogram of the students' accuracies; the class's accuracy against D's and chance."""
    from plotly.subplots import make_subplots

    items = [f"#{i + 1} ({'real' if t else 'fake'})" for i, t in enumerate(tally["truth"])]
    fig = make_subplots(rows=1, cols=3, column_widths=[0.55, 0.25, 0.2],
                        subplot_titles=("Called real, and D(x)", "Students' accuracy", "Class, D, chance"))
    fig.add_trace(go.Bar(x=items, y=[v if v is not None else 0 for v in tally["real_share"]], name="share who called it real",
                         marker_color=COLORS["real"]), 1, 1)
    fig.add_trace(go.Scatter(x=items, y=tally["d_real"], mode="markers", name="D(x)",
                             marker=dict(size=12, symbol="diamond", color=COLORS["d"])), 1, 1)
    fig.add_hline(y=0.5, line=dict(dash="dash", color="#444"), row=1, col=1)
    fig.add_trace(go.Histogram(x=tally["accuracies"], xbins=dict(start=0, end=1.0001, size=0.1), name="students",
                               marker_color=COLORS["g"], showlegend=False), 1, 2)
    bars = [("class", tally["class_accuracy"] or 0), ("D", tally["d_accuracy"]), ("chance", 0.5)]
    fig.add_trace(go.Bar(x=[b for b, _ in bars], y=[v for _, v in bars], showlegend=False,
                         marker_color=[COLORS["real"], COLORS["d"], "#999"]), 1, 3)
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    fig.update_yaxes(range=[0, 1], row=1, col=3)
    fig.update_xaxes(range=[0, 1], title="accuracy", row=1, col=2)
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.3))
    return fig
