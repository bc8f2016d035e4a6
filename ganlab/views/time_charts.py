"""Vega-Lite specs of the live time charts: one per group of the variant's metrics (losses, D outputs,
gradient norms, and whatever the variant adds: class accuracy, mutual information, loss terms), and
the live quality figures.

Why Vega-Lite and not Plotly: a page redraws these charts twice a second. Streamlit gives a
Plotly chart a new identity whenever its figure changes, so the browser throws the plot away and
builds a new one on every redraw (blank and doubled charts mid-redraw, and browser CPU taken from
training). A Vega-Lite chart whose spec stays the same keeps its view and has only its named
datasets replaced. So everything that changes lives in ``datasets``; the rest of the spec is
identical from one redraw to the next.

Each function returns a plain dict (no streamlit here): ``st.vega_lite_chart(spec=...)`` draws it.
"""

from __future__ import annotations

import numpy as np

from ganlab import evaluation, figures  # noqa: F401  (evaluation: describes its figures)
from ganlab.training.store import Snapshot
from ganlab.variants.base import BASE_METRICS, CHART_GROUPS
from ganlab.views.plots import COLORS
from ganlab.views.vega import frame

MAX_EVENTS = 30  # the most recent marks drawn; older ones would be a thicket of lines
POINTS = 500  # rows drawn per chart at most, about one per pixel; neighbours fold into one point + band
HEIGHT = 300  # pixels, passed to st.vega_lite_chart: title, legend and axes included
# whole steps only on the axis (two steps in would tick 1.2, 1.4, ...; one alone, "1.000000"); a line's x
# scale does not reach back to 0 by default, so a span of the newest steps fills the chart
STEP = {"field": "step", "type": "quantitative", "title": "step", "axis": {"tickMinStep": 1, "format": ",d"}}


def _events_data(events) -> dict:
    recent = list(events)[-MAX_EVENTS:]
    return {"step": np.array([s for s, _ in recent], dtype=np.int64),
            "text": np.array([t for _, t in recent], dtype=object)}


def _event_layers(name: str) -> list[dict]:
    """A dotted vertical line per event, labelled along it."""
    data = {"name": name}
    return [
        {"data": data, "mark": {"type": "rule", "color": "#888", "strokeDash": [2, 2], "strokeWidth": 1},
         "encoding": {"x": STEP}},
        {"data": data, "mark": {"type": "text", "angle": 270, "align": "right", "baseline": "bottom", "dx": -4,
                                "dy": -2, "fontSize": 10, "color": "#555"},
         "encoding": {"x": STEP, "y": {"value": 0}, "text": {"field": "text"}}},
    ]


def _spec(key: str, title: str, labels: list[str], colors: list[str], y_scale: dict, datasets: dict,
          layers: list[dict]) -> dict:
    """The parts every time chart shares. Each layer that plots a field on y gets ``y_scale`` and
    the series' colours (the event and reference lines keep their own grey)."""
    color = {"field": "series", "type": "nominal", "title": None, "scale": {"domain": labels, "range": colors},
             "legend": {"orient": "top", "direction": "horizontal"}}
    for layer in layers:
        y = layer.get("encoding", {}).get("y", {})
        if "field" in y:
            y["scale"] = y_scale
            layer["encoding"]["color"] = color
            layer["encoding"]["x"] = STEP
    # svg keeps the event labels as text a reader (and a test) can find; canvas would paint them
    spec = frame(key, datasets, "svg", layers,
                 legend={"labelFontSize": 11, "offset": 4, "padding": 0, "symbolType": "stroke",
                         "symbolOpacity": 1, "symbolStrokeWidth": 2},
                 title={"offset": 4})
    return {"title": {"text": title, "anchor": "start", "fontSize": 14}, **spec}


def zoom_of(spec: dict) -> str:
    """The zoom's name in a time chart's spec (``st.vega_lite_chart`` is told it is a selection)."""
    return next(p["name"] for layer in spec["layer"] for p in layer.get("params", ()) if p.get("bind") == "scales")


def series_spec(snap: Snapshot, series: dict[str, tuple[str, str]], title: str, *, key: str,
                log: bool = False, domain: tuple[float, float] | None = None, zoom: str = "") -> dict:
    """One line per metric (``name -> (label, colour)``) over steps, a min-max band where one point
    stands for many steps (folded by the store, or here to at most ``POINTS``), and the run's events
    as labelled vertical lines. The chart's zoom (its step scale, bound to the wheel and drag) is
    named ``{key}_zoom{zoom}``: a chart whose zoom is renamed starts with a fresh view."""
    snap = snap.thin(POINTS)
    labels = [label for label, _ in series.values()]
    colors = [color for _, color in series.values()]
    steps = snap.column("step")
    rows = {"step": steps, **{label: snap.column(name) for name, (label, _) in series.items()}}
    k = snap.n_decimated  # the rows that stand for many steps: one band per series over them
    bands = {"step": np.tile(steps[:k], len(series)),
             "series": np.repeat(np.array(labels, dtype=object), k),
             "lo": np.concatenate([snap.band(name)[0][:k] for name in series]),
             "hi": np.concatenate([snap.band(name)[1][:k] for name in series])}
    y_scale: dict = {"type": "log"} if log else {"zero": False}
    if domain is not None:
        y_scale = {"domain": list(domain), "clamp": True}
    positive = [{"filter": "datum.value > 0"}] if log else []
    layers = [
        {"data": {"name": f"{key}-bands"}, "transform": [{"filter": "datum.lo > 0"}] if log else [],
         "mark": {"type": "area", "opacity": 0.2, "line": False},
         "encoding": {"y": {"field": "lo", "type": "quantitative", "title": None},
                      "y2": {"field": "hi"}}},
        {"data": {"name": f"{key}-rows"}, "transform": [{"fold": labels, "as": ["series", "value"]}, *positive],
         "mark": {"type": "line", "strokeWidth": 1, "clip": True},
         # wheel to zoom and drag to pan along the steps; double-click resets
         "params": [{"name": f"{key}_zoom{zoom}", "select": {"type": "interval", "encodings": ["x"]},
                     "bind": "scales"}],
         "encoding": {"y": {"field": "value", "type": "quantitative", "title": None}}},
        *_event_layers(f"{key}-events"),
    ]
    datasets = {"rows": rows, "bands": bands, "events": _events_data(snap.events)}
    return _spec(key, title, labels, colors, y_scale, datasets, layers)


SERIES_COLORS = {"d_loss": COLORS["d"], "g_loss": COLORS["g"], "d_real": COLORS["real"], "d_fake": COLORS["fake"],
                 "grad_d": COLORS["d"], "grad_g": COLORS["g"]}
PALETTE = ("#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")  # a variant's own metrics, in turn


def chart_groups(metrics=BASE_METRICS) -> list[str]:
    """The chart groups of ``metrics`` (a variant's), in the order their first metric is declared."""
    out: list[str] = []
    for m in metrics:
        if m.group not in out:
            out.append(m.group)
    return out


def group_spec(snap: Snapshot, group: str, metrics=BASE_METRICS, zoom: str = "") -> dict:
    """The time chart of one metric group: its metrics as lines (colours fixed per metric), on the
    group's scale; D's equilibrium line on the D-outputs chart."""
    chart = CHART_GROUPS[group]
    mine = [m for m in metrics if m.group == group]
    extra = iter(PALETTE)
    series = {m.name: (m.label, SERIES_COLORS.get(m.name) or next(extra)) for m in mine}
    spec = series_spec(snap, series, chart.title, key=group, log=chart.scale == "log",
                       domain=(0.0, 1.0) if chart.scale == "unit" else None, zoom=zoom)
    if chart.equilibrium:
        one = {"values": [{}]}  # a layer without data draws nothing; these two draw one mark each
        half = {"y": {"datum": 0.5}}
        spec["layer"] += [
            {"data": one, "mark": {"type": "rule", "color": "#444", "strokeDash": [5, 4], "strokeWidth": 1},
             "encoding": half},
            {"data": one, "mark": {"type": "text", "text": "equilibrium 0.5", "align": "right", "dx": -4, "dy": -6,
                                   "fontSize": 10, "color": "#444"},
             "encoding": {**half, "x": {"value": {"expr": "width"}}}},
        ]
    return spec


def loss_spec(snap: Snapshot, zoom: str = "") -> dict:
    """D loss and G loss per step."""
    return group_spec(snap, "loss", zoom=zoom)


def prob_spec(snap: Snapshot, zoom: str = "") -> dict:
    """Mean D(x) and D(G(z)) as probabilities, with the 0.5 equilibrium line."""
    return group_spec(snap, "prob", zoom=zoom)


def grad_spec(snap: Snapshot, zoom: str = "") -> dict:
    """Gradient norms of D's and G's parameters per step, on a log scale (a network left alone, with
    norm 0, draws no point)."""
    return group_spec(snap, "grad", zoom=zoom)


def time_specs(snap: Snapshot, newest: int | None = None, run: int = 0, metrics=BASE_METRICS) -> list[dict]:
    """Every time chart of one snapshot, one per group of ``metrics`` (a variant's; the plain GAN's
    are Losses, Discriminator outputs and Gradient norms), folded once: the whole run, or only its
    ``newest`` steps.

    Their zooms are named for the ``run`` (``BackgroundTrainer.runs``: which of the runs its thread
    has held) and the steps shown, so a new run or other steps start the charts with a fresh view:
    a zoom on steps 100-300 would show nothing of a reset run, or of the last 200 steps of a long one."""
    if newest is not None:
        snap = snap.newest(newest)
    snap = snap.thin(POINTS)  # each spec's own thin is then a no-op
    zoom = f"_run{run}" + ("" if newest is None else f"_last{newest}")
    return [group_spec(snap, group, metrics, zoom) for group in chart_groups(metrics)]


QUALITY_COLORS = (COLORS["d"], COLORS["g"], COLORS["real"], COLORS["fake"])  # the quality chart's series in turn


def quality_charts(history: list[tuple[int, dict]]) -> list[tuple[str, list]]:
    """The quality charts a history makes: its figures that are shares (0 to 1), as their measurers describe
    them (``ganlab.figures``), grouped by the chart each names (on 2-D data: the share of high-quality samples,
    of modes covered and grid JS in one; precision, recall and coverage in another)."""
    out: dict[str, list] = {}
    for f in figures.described(history[-1][1]) if history else ():
        if f.share:
            out.setdefault(f.chart, []).append(f)
    return list(out.items())


def quality_spec(history: list[tuple[int, dict]], events=(), title: str | None = None, charted=None) -> dict:
    """One quality chart over training: the figures ``charted`` (by default those of the first chart
    :func:`quality_charts` finds), titled ``title`` (by default that chart's)."""
    if charted is None:
        groups = quality_charts(history)
        title, charted = (title or groups[0][0], groups[0][1]) if groups else (title or "", [])
    steps = np.array([s for s, _ in history], dtype=np.int64)
    rows: dict = {"step": steps}
    series: list[tuple[str, str]] = []
    for f, color in zip(charted, QUALITY_COLORS * 2):
        label = f.series or f.label
        rows[label] = np.array([f.plotted(q) if f.key in q else np.nan for _, q in history], dtype=np.float64)
        series.append((label, color))
    labels = [label for label, _ in series]
    layers = [
        {"data": {"name": "quality-rows"}, "transform": [{"fold": labels, "as": ["series", "value"]}],
         "mark": {"type": "line", "strokeWidth": 1.5, "point": {"size": 12}},
         "encoding": {"y": {"field": "value", "type": "quantitative", "title": None},
                      "tooltip": [{"field": "series"}, {"field": "step", "type": "quantitative", "format": ","},
                                  {"field": "value", "type": "quantitative", "format": ".3f"}]}},
        *_event_layers("quality-events"),
    ]
    return _spec("quality", title, labels, [c for _, c in series],
                 {"domain": [0, 1], "clamp": True}, {"rows": rows, "events": _events_data(events)}, layers)
