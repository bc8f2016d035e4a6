"""Plotly figures of the lab view (2-D plane, 1-D line) and the Draw page's canvas."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .lab import LabView
from .plots import COLORS

LAYERS = ("Real", "Generated", "D(x) surface", "G manifold", "Gradient arrows")
D_SCALE = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, "#2166ac"]]  # red: D says fake, blue: D says real


def _segments(starts: np.ndarray, ends: np.ndarray) -> tuple[list, list]:
    """Line segments as one trace: x0, x1, None, x0, x1, None..."""
    xs = np.stack([starts[:, 0], ends[:, 0], np.full(len(starts), np.nan)], 1).ravel()
    ys = np.stack([starts[:, 1], ends[:, 1], np.full(len(starts), np.nan)], 1).ravel()
    return xs.tolist(), ys.tolist()


def _mesh_lines(mesh: np.ndarray) -> tuple[list, list]:
    """Rows and columns of a (M, M, 2) warped grid (or a (M, 2) curve) as one polyline with gaps."""
    lines = [mesh] if mesh.ndim == 2 else [*mesh, *mesh.transpose(1, 0, 2)]
    xs, ys = [], []
    for line in lines:
        xs += line[:, 0].tolist() + [None]
        ys += line[:, 1].tolist() + [None]
    return xs, ys


def _arrow_ends(at: np.ndarray, push: np.ndarray, extent: float) -> np.ndarray:
    """Scale the pushes so the median arrow is 4% of the view, clipped at 12%: directions are exact,
    lengths are relative (a few huge gradients would otherwise shrink the rest to dots)."""
    norms = np.linalg.norm(push, axis=1)
    typical = np.median(norms) if len(norms) else 0.0
    if typical <= 0:
        return at.copy()
    scaled = push * (0.04 * 2 * extent / typical)
    length = np.linalg.norm(scaled, axis=1, keepdims=True)
    return at + scaled * np.minimum(1.0, 0.12 * 2 * extent / np.maximum(length, 1e-12))


def plane_figure(view: LabView, real: np.ndarray, fake: np.ndarray, layers, *, title: str = "") -> go.Figure:
    """The 2-D lab view: any of ``LAYERS``, on axes fixed to the data's extent."""
    e = view.extent
    fig = go.Figure()
    if "D(x) surface" in layers:
        fig.add_trace(go.Heatmap(x=view.axis, y=view.axis, z=view.surface, zmin=0, zmax=1, colorscale=D_SCALE,
                                 opacity=0.55, name="D(x)", colorbar=dict(title="D(x)", len=0.6, thickness=12),
                                 hovertemplate="x %{x:.2f}, %{y:.2f}<br>D(x) %{z:.3f}<extra></extra>"))
        fig.add_trace(go.Contour(x=view.axis, y=view.axis, z=view.surface, showscale=False, hoverinfo="skip",
                                 contours=dict(start=0.5, end=0.5, size=1, coloring="lines"),
                                 line=dict(color="#222", width=1.5, dash="dash"), name="D(x) = 0.5"))
    if "G manifold" in layers:
        xs, ys = _mesh_lines(view.mesh)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="G manifold", hoverinfo="skip",
                                 line=dict(color="rgba(90,60,160,0.45)", width=1)))
    if "Real" in layers:
        fig.add_trace(go.Scattergl(x=real[:, 0], y=real[:, 1], mode="markers", name="real",
                                   marker=dict(size=3, color=COLORS["real"], opacity=0.5)))
    if "Generated" in layers:
        fig.add_trace(go.Scattergl(x=fake[:, 0], y=fake[:, 1], mode="markers", name="generated",
                                   marker=dict(size=3, color=COLORS["fake"], opacity=0.6)))
    if "Gradient arrows" in layers and len(view.arrows_at):
        xs, ys = _segments(view.arrows_at, _arrow_ends(view.arrows_at, view.arrows, e))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="-dL_G/dx", hoverinfo="skip",
                                 line=dict(color="#111", width=1)))
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=560,
                      margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.05),
                      xaxis=dict(range=[-e, e], autorange=False, zeroline=False, constrain="domain"),
                      yaxis=dict(range=[-e, e], autorange=False, zeroline=False, scaleanchor="x"),
                      uirevision="plane")
    return fig


def line_figure(view: LabView, data_density, real: np.ndarray, fake: np.ndarray, layers, *,
                title: str = "") -> go.Figure:
    """Goodfellow et al. (2014), Figure 1, live: data density, G's density, D(x), and the z -> x map."""
    e = view.extent
    xs = np.linspace(-e, e, 400)
    fig = go.Figure()
    if "Real" in layers:
        fig.add_trace(go.Scatter(x=xs, y=data_density(xs), name="data density", mode="lines",
                                 line=dict(color="#111", dash="dot", width=2)))
    if "Generated" in layers:
        hist, edges = np.histogram(fake[:, 0], bins=80, range=(-e, e), density=True)
        fig.add_trace(go.Scatter(x=(edges[:-1] + edges[1:]) / 2, y=hist, name="generator density (histogram)",
                                 mode="lines", line=dict(color="#2ca02c", width=2, shape="hvh")))
    if "D(x) surface" in layers:
        fig.add_trace(go.Scatter(x=view.axis, y=view.surface, name="D(x)", mode="lines",
                                 line=dict(color="#1f77b4", dash="dash", width=2)))
    if "G manifold" in layers and view.mapping_z is not None:
        r = np.abs(view.mapping_z).max()
        z_at = view.mapping_z * e / r  # the z line drawn under the x line, stretched to the same width
        starts = np.stack([z_at, np.full_like(z_at, -0.45)], 1)
        ends = np.stack([view.mapping_x, np.zeros_like(z_at)], 1)
        sx, sy = _segments(starts, ends)
        fig.add_trace(go.Scatter(x=sx, y=sy, mode="lines", name="z -> x = G(z)", hoverinfo="skip",
                                 line=dict(color="rgba(90,60,160,0.5)", width=1)))
        fig.add_hline(y=-0.45, line=dict(color="#999", width=1), annotation=dict(text="z", xanchor="left"))
    if "Gradient arrows" in layers and len(view.arrows_at):
        at = np.concatenate([view.arrows_at, np.zeros_like(view.arrows_at)], 1)[:40]
        push = np.concatenate([view.arrows, np.zeros_like(view.arrows)], 1)[:40]
        sx, sy = _segments(at, _arrow_ends(at, push, e))
        fig.add_trace(go.Scatter(x=sx, y=sy, mode="lines", name="-dL_G/dx", line=dict(color="#111", width=2)))
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=420,
                      margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.1),
                      xaxis=dict(range=[-e, e], autorange=False, title="x"),
                      yaxis=dict(range=[-0.55, 1.05], autorange=False), uirevision="line")
    return fig


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
