"""The Compare page's charts and tables: two to six runs, live or from the run database, on shared axes.

A run is given as a :class:`RunView` (plain arrays, whatever it came from). Every chart is a
Vega-Lite spec whose datasets alone change between redraws (as the Train page's), one line per run
and metric: colour says which run, the dash which metric.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ganlab import evaluation, figures  # noqa: F401  (evaluation: describes its figures)

from ganlab.variants.base import CHART_GROUPS
from ganlab.views.time_charts import HEIGHT, STEP
from ganlab.views.vega import frame

POINTS = 400  # per run and metric
RUN_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


@dataclass(frozen=True)
class RunView:
    """One run as the Compare page draws it."""

    label: str
    fields: tuple[str, ...]
    mean: np.ndarray  # (N, F): the metric rows, as thinned by the store
    metric_labels: dict[str, tuple[str, str]]  # metric name -> (label, chart group)
    quality: list = field(default_factory=list)  # [(step, figures)]
    settings: dict = field(default_factory=dict)  # the flat config
    live: bool = False
    status: str = ""

    def column(self, name: str) -> np.ndarray:
        return self.mean[:, self.fields.index(name)]


def _thin(steps: np.ndarray, values: np.ndarray, n: int = POINTS) -> tuple[np.ndarray, np.ndarray]:
    if len(steps) <= n:
        return steps, values
    k = -(-len(steps) // n)
    cut = len(steps) // k * k
    return steps[:cut].reshape(-1, k).mean(1), values[:cut].reshape(-1, k).mean(1)


def groups(views: list[RunView]) -> list[str]:
    """The chart groups any of the runs records, in the order of CHART_GROUPS."""
    present = {g for v in views for _, g in v.metric_labels.values()}
    return [g for g in CHART_GROUPS if g in present]


def overlay_spec(views: list[RunView], group: str) -> dict:
    """One chart group (losses, D outputs, gradient norms, ...) for every run that records it."""
    chart = CHART_GROUPS[group]
    steps, runs, metrics, values = [], [], [], []
    for v in views:
        for name, (label, g) in v.metric_labels.items():
            if g != group or name not in v.fields or not len(v.mean):
                continue
            s, y = _thin(v.column("step"), v.column(name))
            keep = y > 0 if chart.scale == "log" else np.isfinite(y)
            steps.append(s[keep])
            values.append(y[keep])
            runs += [v.label] * int(keep.sum())
            metrics += [label] * int(keep.sum())
    rows = {"step": np.concatenate(steps) if steps else np.empty(0), "run": np.array(runs, dtype=object),
            "metric": np.array(metrics, dtype=object), "value": np.concatenate(values) if values else np.empty(0)}
    y_scale = {"type": "log"} if chart.scale == "log" else {"domain": [0, 1], "clamp": True} if chart.scale == "unit" \
        else {"zero": False}
    layer = {"data": {"name": f"cmp-{group}-rows"}, "mark": {"type": "line", "strokeWidth": 1.2, "clip": True},
             "encoding": {"x": STEP, "y": {"field": "value", "type": "quantitative", "title": None, "scale": y_scale},
                          "color": _run_color(views), "strokeDash": {"field": "metric", "type": "nominal", "title": None},
                          "tooltip": [{"field": "run"}, {"field": "metric"},
                                      {"field": "step", "type": "quantitative", "format": ","},
                                      {"field": "value", "type": "quantitative", "format": ".4g"}]}}
    spec = frame(f"cmp-{group}", {"rows": rows}, "svg", [layer], legend={"orient": "top", "labelFontSize": 11})
    return {"title": {"text": chart.title, "anchor": "start", "fontSize": 14}, "height": HEIGHT - 60, **spec}


def _run_color(views: list[RunView]) -> dict:
    labels = [v.label for v in views]
    return {"field": "run", "type": "nominal", "title": None,
            "scale": {"domain": labels, "range": list(RUN_COLORS[:len(labels)])}}


def _charted(quality: list[tuple[int, dict]]) -> tuple:
    """The figures of a run's quality history that are shares, as described (``ganlab.figures``)."""
    return tuple(f for f in figures.described(quality[-1][1]) if f.share) if quality else ()


def quality_overlay_spec(views: list[RunView]) -> dict | None:
    """The live quality figures of every run that has them (modes covered, test accuracy...), one dash per figure."""
    steps, runs, metrics, values = [], [], [], []
    for v in views:
        for f in _charted(v.quality):
            label = f.series or f.label
            points = [(s, f.plotted(q)) for s, q in v.quality if f.key in q]
            if points:
                steps += [s for s, _ in points]
                values += [float(x) for _, x in points]
                runs += [v.label] * len(points)
                metrics += [label] * len(points)
    if not steps:
        return None
    rows = {"step": np.array(steps, dtype=np.int64), "run": np.array(runs, dtype=object),
            "metric": np.array(metrics, dtype=object), "value": np.array(values, dtype=np.float64)}
    layer = {"data": {"name": "cmp-quality-rows"}, "mark": {"type": "line", "strokeWidth": 1.5, "point": {"size": 10}},
             "encoding": {"x": STEP, "y": {"field": "value", "type": "quantitative", "title": None,
                                           "scale": {"domain": [0, 1], "clamp": True}},
                          "color": _run_color(views), "strokeDash": {"field": "metric", "type": "nominal", "title": None}}}
    spec = frame("cmp-quality", {"rows": rows}, "svg", [layer], legend={"orient": "top", "labelFontSize": 11})
    return {"title": {"text": "Quality figures", "anchor": "start", "fontSize": 14}, "height": HEIGHT - 60, **spec}


def settings_table(views: list[RunView]) -> tuple[list[dict], list[str]]:
    """Rows of (setting, one column per run) and the settings whose values differ between the runs."""
    names = [n for n in dict.fromkeys(k for v in views for k in v.settings) if n not in ("data_dir", "points")]
    rows, differ = [], []
    for name in names:
        vals = [v.settings.get(name, "-") for v in views]
        rows.append({"setting": name, **{v.label: str(x) for v, x in zip(views, vals)}})
        if len({str(x) for x in vals}) > 1:
            differ.append(name)
    return rows, differ


def final_table(views: list[RunView]) -> list[dict]:
    """The last recorded value of every metric and quality figure, one row per run."""
    out = []
    for v in views:
        row = {"run": v.label, "status": v.status, "steps": int(v.column("step")[-1]) if len(v.mean) else 0}
        if len(v.mean):
            for name, (label, _) in v.metric_labels.items():
                if name in v.fields:
                    row[label] = round(float(v.column(name)[-1]), 4)
        if v.quality:
            last = v.quality[-1][1]
            for f in _charted(v.quality):
                if f.key in last:
                    row[f.series or f.label] = round(f.plotted(last), 4)
        out.append(row)
    return out
