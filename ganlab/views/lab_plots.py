"""Vega-Lite specs of the lab view: the 2-D plane and the 1-D line (no streamlit here).

Like the time charts (``time_charts.py``), everything that changes between redraws is a named
dataset and the rest of the spec stays the same, so the browser redraws the view in place. The spec
changes only with the layers shown and the data's extent. The title (the step) is drawn by the page.
"""

from __future__ import annotations

import numpy as np

from ganlab.explore.lab import LabView
from ganlab.views.plots import COLORS
from ganlab.views.vega import frame

LAYERS = ("Real", "Generated", "D(x) surface", "G manifold", "Gradient arrows", "Cycle")  # Cycle: cycle models only
D_COLORS = ["#b2182b", "#f7f7f7", "#2166ac"]  # D(x) = 0, 0.5, 1: red says fake, blue says real
MANIFOLD = "rgba(90,60,160,0.45)"
PLANE_SIZE = 520  # pixels per side of the square plot area
LINE_HEIGHT = 420


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


def contour_segments(axis: np.ndarray, surface: np.ndarray, level: float = 0.5) -> np.ndarray:
    """(S, 4) segments x, y, x2, y2 where ``surface`` (rows = y, columns = x, both on ``axis``) crosses
    ``level``: marching squares, with linear interpolation along each cell's edges."""
    v = surface - level
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]  # corners (x0,y0) (x1,y0) (x1,y1) (x0,y1)
    x0, x1 = (np.broadcast_to(axis[None, s], a.shape) for s in (slice(None, -1), slice(1, None)))
    y0, y1 = (np.broadcast_to(axis[s, None], a.shape) for s in (slice(None, -1), slice(1, None)))

    def at(p, q):  # how far from corner p towards corner q the surface crosses the level, 0..1
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num(np.clip(p / (p - q), 0, 1))

    edges = [  # bottom, right, top, left: where each edge is crossed, and whether it is
        (x0 + at(a, b) * (x1 - x0), y0, (a > 0) != (b > 0)),
        (x1, y0 + at(b, c) * (y1 - y0), (b > 0) != (c > 0)),
        (x0 + at(d, c) * (x1 - x0), y1, (d > 0) != (c > 0)),
        (x0, y0 + at(a, d) * (y1 - y0), (a > 0) != (d > 0)),
    ]
    points = np.stack([np.stack([ex, ey], -1) for ex, ey, _ in edges], 2)  # (R-1, R-1, 4, 2)
    crossed = np.stack([m for _, _, m in edges], -1)  # (R-1, R-1, 4); 0, 2 or 4 edges per cell
    n = crossed.sum(-1)
    two = points[n == 2][crossed[n == 2]].reshape(-1, 4)  # one segment between the two crossings
    four = points[n == 4].reshape(-1, 4)  # a saddle: bottom-right and top-left
    return np.concatenate([two, four]).astype(np.float64)


def _mesh_rows(mesh: np.ndarray) -> dict:
    """The rows and columns of a (M, M, 2) warped grid (or one (M, 2) curve) as numbered polylines."""
    lines = [mesh] if mesh.ndim == 2 else [*mesh, *mesh.transpose(1, 0, 2)]
    return {"x": np.concatenate([line[:, 0] for line in lines]),
            "y": np.concatenate([line[:, 1] for line in lines]),
            "line": np.repeat(np.arange(len(lines)), [len(line) for line in lines]),
            "order": np.concatenate([np.arange(len(line)) for line in lines])}


def _segment_rows(starts: np.ndarray, ends: np.ndarray) -> dict:
    return {"x": starts[:, 0], "y": starts[:, 1], "x2": ends[:, 0], "y2": ends[:, 1]}


def _xy(*extra: str) -> dict:
    """A fresh encoding of the fields ``x``, ``y`` and ``extra`` (``_view`` adds the axes to it)."""
    return {name: {"field": name} for name in ("x", "y", *extra)}


def _colour_by_name(layers: list[dict], legend: list[tuple[str, str]]) -> None:
    """Colour each layer named in ``legend`` (name, colour) with its colour, and list it in one legend."""
    names, colors = [n for n, _ in legend], [c for _, c in legend]
    for layer in layers:
        if layer.get("name") in names and "mark" in layer:
            layer["encoding"]["color"] = {"datum": layer["name"], "title": None,
                                          "scale": {"domain": names, "range": colors},
                                          "legend": {"orient": "bottom", "direction": "horizontal"}}


def _view(key: str, layers: list[dict], datasets: dict, x: dict, y: dict, **size) -> dict:
    """The parts both views share; every layer that plots fields gets the fixed axes ``x`` and ``y``."""
    for layer in layers:
        if isinstance(layer.get("mark"), dict):
            layer["mark"]["clip"] = True  # the axes are fixed: what lies outside them is not drawn
        enc = layer["encoding"]
        for axis, scale in (("x", x), ("y", y)):
            if "field" in enc.get(axis, {}):
                enc[axis] = {**enc[axis], "type": "quantitative", **scale}
    # canvas: thousands of points redrawn every refresh are cheaper painted than kept as SVG nodes
    spec = frame(key, datasets, "canvas", layers or [{"data": {"values": []}, "mark": "point", "encoding": {}}],
                 legend={"labelFontSize": 11})
    return {**size, **spec}


def _named(name: str, data: str, mark: dict, encoding: dict) -> dict:
    return {"name": name, "data": {"name": data}, "mark": mark, "encoding": encoding}


def plane_spec(view: LabView, real: np.ndarray, fake: np.ndarray, layers) -> dict:
    """The 2-D lab view: any of ``LAYERS`` on fixed, equal axes over the data's extent."""
    e = view.extent
    scale = {"scale": {"domain": [-e, e], "nice": False, "zero": False}, "title": None}
    lines: list[tuple[str, str]] = []  # (name, colour) of what the legend lists
    out, data = [], {}
    if "D(x) surface" in layers:
        step = (view.axis[1] - view.axis[0]) * 0.51  # half a cell, and a hair more: no seams between cells
        gx, gy = np.meshgrid(view.axis, view.axis)
        # rects, not one image: an image mark blanks for a frame or two while each new image decodes
        # (a flash every redraw, counted in Chromium), where rects redraw in place
        data["surface"] = {"x": (gx - step).ravel(), "x2": (gx + step).ravel(), "y": (gy - step).ravel(),
                           "y2": (gy + step).ravel(), "d": view.surface.ravel()}
        out.append(_named("D(x)", "lab-surface", {"type": "rect", "opacity": 0.55},
                          {**_xy("x2", "y2"),
                           "fill": {"field": "d", "type": "quantitative", "title": "D(x)",
                                    "scale": {"domain": [0, 0.5, 1], "range": D_COLORS},
                                    "legend": {"orient": "right", "gradientLength": 200}},
                           "tooltip": [{"field": "d", "type": "quantitative", "title": "D(x)", "format": ".3f"}]}))
        data["contour"] = _segment_rows(*np.split(contour_segments(view.axis, view.surface), 2, axis=1))
        out.append(_named("D(x) = 0.5", "lab-contour", {"type": "rule", "strokeDash": [5, 4], "strokeWidth": 1.5},
                          _xy("x2", "y2")))
        lines.append(("D(x) = 0.5", "#222"))
    if "G manifold" in layers:
        data["mesh"] = _mesh_rows(view.mesh)
        out.append(_named("G manifold", "lab-mesh", {"type": "line", "strokeWidth": 1},
                          {**_xy(), "detail": {"field": "line"}, "order": {"field": "order"}}))
        lines.append(("G manifold", MANIFOLD))
    for name, points, color in (("Real", real, COLORS["real"]), ("Generated", fake, COLORS["fake"])):
        if name in layers:
            data[name.lower()] = {"x": points[:, 0], "y": points[:, 1]}
            out.append(_named(name.lower(), f"lab-{name.lower()}",
                              {"type": "circle", "size": 9, "opacity": 0.55 if name == "Real" else 0.6},
                              _xy()))
            lines.append((name.lower(), color))
    if "Gradient arrows" in layers and len(view.arrows_at):
        data["arrows"] = _segment_rows(view.arrows_at, _arrow_ends(view.arrows_at, view.arrows, e))
        out.append(_named("-dL_G/dx", "lab-arrows", {"type": "rule", "strokeWidth": 1},
                          _xy("x2", "y2")))
        lines.append(("-dL_G/dx", "#111"))
    if "Cycle" in layers and view.cycle is not None:
        a, g_a, back = view.cycle[:, 0], view.cycle[:, 1], view.cycle[:, 2]
        data["there"] = _segment_rows(a, g_a)
        out.append(_named("a -> G(a)", "lab-there", {"type": "rule", "strokeWidth": 1}, _xy("x2", "y2")))
        data["back"] = _segment_rows(g_a, back)
        out.append(_named("G(a) -> F(G(a))", "lab-back", {"type": "rule", "strokeWidth": 1, "strokeDash": [3, 2]},
                          _xy("x2", "y2")))
        lines += [("a -> G(a)", "#6a3d9a"), ("G(a) -> F(G(a))", "#b15928")]
    _colour_by_name(out, lines)
    return _view("lab", out, data, scale, scale, width=PLANE_SIZE, height=PLANE_SIZE)


def line_spec(view: LabView, data_density, real: np.ndarray, fake: np.ndarray, layers) -> dict:
    """Goodfellow et al. (2014), Figure 1, live: data density, G's density, D(x), and the z -> x map."""
    e = view.extent
    xs = np.linspace(-e, e, 400)
    lines: list[tuple[str, str]] = []
    out, data = [], {}
    if "Real" in layers:
        data["density"] = {"x": xs, "y": data_density(xs)}
        out.append(_named("data density", "lab-density", {"type": "line", "strokeDash": [2, 2], "strokeWidth": 2},
                          _xy()))
        lines.append(("data density", "#111"))
    if "Generated" in layers:
        hist, edges = np.histogram(fake[:, 0], bins=80, range=(-e, e), density=True)
        data["hist"] = {"x": (edges[:-1] + edges[1:]) / 2, "y": hist}
        out.append(_named("generator density (histogram)", "lab-hist",
                          {"type": "line", "interpolate": "step", "strokeWidth": 2}, _xy()))
        lines.append(("generator density (histogram)", COLORS["real"]))
    if "D(x) surface" in layers:
        data["surface"] = {"x": view.axis, "y": view.surface}
        out.append(_named("D(x)", "lab-surface", {"type": "line", "strokeDash": [6, 4], "strokeWidth": 2},
                          _xy()))
        lines.append(("D(x)", COLORS["d"]))
    if "G manifold" in layers and view.mapping_z is not None:
        z_at = view.mapping_z * e / np.abs(view.mapping_z).max()  # the z line, stretched to the x line's width
        starts = np.stack([z_at, np.full_like(z_at, -0.45)], 1)
        ends = np.stack([view.mapping_x, np.zeros_like(z_at)], 1)
        data["mapping"] = _segment_rows(starts, ends)
        out.append(_named("z -> x = G(z)", "lab-mapping", {"type": "rule", "strokeWidth": 1}, _xy("x2", "y2")))
        out.append({"name": "z axis", "data": {"values": [{}]}, "encoding": {"y": {"datum": -0.45}},
                    "layer": [{"mark": {"type": "rule", "color": "#999"}},
                              {"mark": {"type": "text", "text": "z", "align": "left", "dx": 4, "dy": -6},
                               "encoding": {"x": {"value": 0}}}]})
        lines.append(("z -> x = G(z)", MANIFOLD))
    if "Gradient arrows" in layers and len(view.arrows_at):
        at = np.concatenate([view.arrows_at, np.zeros_like(view.arrows_at)], 1)[:40]
        push = np.concatenate([view.arrows, np.zeros_like(view.arrows)], 1)[:40]
        data["arrows"] = _segment_rows(at, _arrow_ends(at, push, e))
        out.append(_named("-dL_G/dx", "lab-arrows", {"type": "rule", "strokeWidth": 2}, _xy("x2", "y2")))
        lines.append(("-dL_G/dx", "#111"))
    _colour_by_name(out, lines)
    x = {"scale": {"domain": [-e, e], "nice": False, "zero": False}, "title": "x"}
    y = {"scale": {"domain": [-0.55, 1.05], "nice": False, "zero": False}, "title": None}
    return _view("lab", out, data, x, y)
