"""The Vega-Lite specs of the live charts and the lab view: their data, and a spec that stays the same
while the data changes (what lets the browser redraw a chart in place instead of rebuilding it)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganlab.config import default_config
from ganlab.explore.lab import lab_view
from ganlab.training.store import FIELDS, MetricsStore
from ganlab.training.trainer import Trainer
from ganlab.views.lab_plots import LAYERS, contour_segments, line_spec, plane_spec
from ganlab.views.time_charts import (
    MAX_EVENTS,
    POINTS,
    grad_spec,
    loss_spec,
    prob_spec,
    quality_spec,
    time_specs,
    zoom_of,
)

SMALL = dict(hidden=32, depth=2, batch_size=64, device="cpu")


def without_data(spec: dict) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)


def columns(spec: dict) -> dict[str, dict[str, np.ndarray]]:
    """A spec's named datasets (Arrow tables, as sent) as columns of numpy arrays."""
    return {name: {c: t[c].to_numpy() for c in t.column_names} for name, t in spec["datasets"].items()}


def test_contour_follows_a_circle():
    axis = np.linspace(-2, 2, 61)
    gy, gx = np.meshgrid(axis, axis, indexing="ij")
    surface = 1 / (1 + np.exp(-3 * (1.0 - np.hypot(gx, gy))))  # D = 0.5 on the unit circle
    seg = contour_segments(axis, surface)
    r = np.hypot(seg[:, [0, 2]], seg[:, [1, 3]])
    assert np.abs(r - 1).max() < 0.01, "every end point lies on the circle"
    angles = np.sort(np.arctan2(seg[:, 1], seg[:, 0]))
    assert np.diff(angles).max() < 0.2, "and the segments go all the way round"
    assert len(contour_segments(axis, np.full_like(surface, 0.7))) == 0  # D never 0.5: no line


def test_contour_of_a_saddle_cell_draws_two_segments():
    axis = np.array([0.0, 1.0])
    seg = contour_segments(axis, np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert seg.shape == (2, 4)
    ends = {tuple(np.round(p, 6)) for s in seg for p in (s[:2], s[2:])}
    assert ends == {(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)}  # each edge crossed at its middle


def test_time_charts_zoom_is_named_for_the_run_and_the_steps_shown():
    """A new name gives the chart a fresh view in the browser; the same name keeps the reader's zoom."""
    store = MetricsStore(recent=3000, coarse=1000)
    rows = np.zeros((500, len(FIELDS)))
    rows[:, 0] = np.arange(1, 501)
    store.append(rows)
    whole = [zoom_of(spec) for spec in time_specs(store.snapshot(), None, 1)]
    assert whole == ["loss_zoom_run1", "prob_zoom_run1", "grad_zoom_run1"]
    near = [zoom_of(spec) for spec in time_specs(store.snapshot(), 200, 3)]
    assert near == ["loss_zoom_run3_last200", "prob_zoom_run3_last200", "grad_zoom_run3_last200"]


def test_time_charts_fold_long_runs_and_keep_their_spec():
    store = MetricsStore(recent=3000, coarse=1000)
    rows = np.zeros((100, len(FIELDS)))
    rows[:, 0] = np.arange(1, 101)
    rows[:, 1:7] = 0.5
    store.append(rows)
    first = [f(store.snapshot()) for f in (loss_spec, prob_spec, grad_spec)]
    for i in range(40):
        store.add_event(100 + i, f"change {i}")
    for start in range(101, 20_001, 1000):
        rows = np.zeros((1000, len(FIELDS)))
        rows[:, 0] = np.arange(start, start + 1000)
        rows[:, 1:7] = np.random.default_rng(start).random((1000, 6))
        store.append(rows)
    snap = store.snapshot()
    later = [f(snap) for f in (loss_spec, prob_spec, grad_spec)]
    for a, b in zip(first, later):
        assert without_data(a) == without_data(b)
    loss = columns(later[0])
    assert len(loss["loss-rows"]["step"]) <= POINTS < len(snap.mean)
    assert loss["loss-rows"]["step"][-1] > 19_990  # the newest steps are in the last point
    assert len(loss["loss-bands"]["lo"]) == 2 * len(loss["loss-rows"]["step"])  # every point a band, both series
    # the band keeps the extreme (sent as float32: half the bytes, 7 digits)
    assert loss["loss-bands"]["hi"].dtype == np.float32
    assert loss["loss-bands"]["hi"].max() == np.float32(snap.hi[:, FIELDS.index("g_loss")].max())
    assert loss["loss-events"]["text"].tolist() == [f"change {i}" for i in range(40 - MAX_EVENTS, 40)]


def test_quality_chart_lists_the_figures_it_has():
    history = [(s, {"high_quality": 0.5, "modes_covered": 4, "n_modes": 8, "grid_js": 0.3}) for s in (10, 20)]
    rows = columns(quality_spec(history))["quality-rows"]
    assert list(rows) == ["step", "modes covered (share)", "high quality", "grid JS / ln 2"]  # as described
    assert rows["modes covered (share)"].tolist() == [0.5, 0.5]
    assert list(columns(quality_spec([(10, {"grid_js": 0.2})]))["quality-rows"]) == ["step", "grid JS / ln 2"]


def test_plane_view_layers_and_a_spec_that_stays():
    t = Trainer(default_config("ring8", **SMALL))
    t.run(3)
    v1, fake1 = lab_view(t), t.sample_fixed()
    real = t.fixed_real
    spec = plane_spec(v1, real, fake1, LAYERS)
    names = [layer["name"] for layer in spec["layer"]]
    assert names == ["D(x)", "D(x) = 0.5", "G manifold", "real", "generated", "-dL_G/dx"]
    data = columns(spec)
    assert len(data["lab-surface"]["d"]) == v1.surface.size and len(data["lab-generated"]["x"]) == len(fake1)
    assert data["lab-surface"]["d"].dtype == np.float32  # half the bytes of float64, sent every redraw
    assert np.allclose(sorted(data["lab-surface"]["d"]), sorted(v1.surface.ravel()), atol=1e-6)
    t.run(20)
    v2, fake2 = lab_view(t), t.sample_fixed()
    assert without_data(plane_spec(v2, real, fake2, LAYERS)) == without_data(spec)
    assert [layer["name"] for layer in plane_spec(v2, real, fake2, ["Generated"])["layer"]] == ["generated"]
    assert plane_spec(v2, real, fake2, [])["datasets"] == {}  # nothing to draw, and no error


def test_line_view_draws_figure_1_of_the_gan_paper():
    t = Trainer(default_config("mog1d", device="cpu"))
    t.run(5)
    v, fake = lab_view(t), t.sample_fixed()
    spec = line_spec(v, t.data.density, t.fixed_real, fake, LAYERS)
    names = [layer["name"] for layer in spec["layer"]]
    assert names == ["data density", "generator density (histogram)", "D(x)", "z -> x = G(z)", "z axis", "-dL_G/dx"]
    hist = columns(spec)["lab-hist"]
    width = hist["x"][1] - hist["x"][0]
    assert (hist["y"] * width).sum() == pytest.approx(1.0)  # a density, drawn on the data density's scale
    assert len(columns(spec)["lab-density"]["y"]) == 400
    t.run(5)
    again = line_spec(lab_view(t), t.data.density, t.fixed_real, t.sample_fixed(), LAYERS)
    assert without_data(again) == without_data(spec)
