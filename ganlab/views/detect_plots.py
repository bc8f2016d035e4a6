"""Plotly figures of the Detect page (no streamlit here): the sets' spectra with their bands, a mean 2-D spectrum
or its difference from the real digits', a detector's held-out accuracy as it fits, and the cross-generator
matrix."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

PALETTE = ("#2ca02c", "#d62728", "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def spectra_figure(bands: dict[str, dict], *, title: str = "") -> go.Figure:
    """One line per set (its mean log power on each ring of frequency) with its 10th-90th percentile band; the
    rings where a stride-2 transposed convolution's checkerboard lies (14 and up: the edges and corners) shaded."""
    fig = go.Figure()
    for i, (name, band) in enumerate(bands.items()):
        colour = PALETTE[i % len(PALETTE)]
        x = np.arange(len(band["mean"]))
        fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]), y=np.concatenate([band["high"], band["low"][::-1]]),
                                 fill="toself", fillcolor=_rgba(colour, 0.12), line=dict(width=0), hoverinfo="skip",
                                 showlegend=False, legendgroup=name))
        fig.add_trace(go.Scatter(x=x, y=band["mean"], mode="lines", name=name, legendgroup=name,
                                 line=dict(color=colour, width=2)))
    fig.add_vrect(x0=13.5, x1=20.5, fillcolor="rgba(0,0,0,0.05)", line_width=0,
                  annotation_text="stride-2 checkerboard", annotation_position="top left")
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=380,
                      margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.2),
                      xaxis_title="frequency (ring, cycles per 28 pixels)", yaxis_title="mean log10 power")
    return fig


def spectrum_image(values: np.ndarray, *, title: str = "", diverging: bool = False) -> go.Figure:
    """A centred 2-D spectrum as a heat map (the lowest frequency in the middle); ``diverging`` for a difference."""
    h, w = values.shape
    ticks = np.arange(w) - w // 2
    kw = dict(colorscale="RdBu_r", zmid=0) if diverging else dict(colorscale="Viridis")
    fig = go.Figure(go.Heatmap(z=values, x=ticks, y=np.arange(h) - h // 2, **kw))
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=330, margin=dict(l=10, r=10, t=40, b=10),
                      yaxis=dict(scaleanchor="x", scaleratio=1, autorange="reversed"))
    return fig


def fit_curve(curve: list[tuple[int, float]], *, title: str = "") -> go.Figure:
    fig = go.Figure(go.Scatter(x=[u for u, _ in curve], y=[a for _, a in curve], mode="lines+markers",
                               line=dict(color=PALETTE[1])))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="chance", annotation_position="bottom right")
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=300, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis_title="updates", yaxis=dict(title="held-out accuracy", range=[0.4, 1.0]))
    return fig


def matrix_figure(names: list[str], values: list[list[float]], *, title: str = "") -> go.Figure:
    """Rows: the generator a detector was fitted on; columns: the generator it was tested on."""
    z = np.asarray(values, dtype=float)
    fig = go.Figure(go.Heatmap(z=z, x=names, y=names, zmin=0.5, zmax=1.0, colorscale="RdYlGn",
                               text=[[f"{v:.2f}" for v in row] for row in z], texttemplate="%{text}"))
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=380, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis_title="tested on", yaxis=dict(title="fitted on", autorange="reversed"))
    return fig
