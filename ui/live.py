"""The live view of a run, drawn by the Train page (its own run) and the Lecture page (the shared one).

Nothing here changes the run: it reads status, store snapshots and the sample view.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ganlab import figures
from ganlab.training.run import Run, RunLook
from ganlab.training.capacity import refresh_factor
from ganlab.training.schedule import anneal_factor
from ganlab.views.lab_plots import LAYERS, LINE_HEIGHT, line_spec, plane_spec
from ganlab.views.plots import image_grid
from ganlab.views.time_charts import HEIGHT, chart_groups, quality_charts, quality_spec, time_specs, zoom_of
from ui import first_paint, session
from ui.i18n import _, shown_as, translate_spec

REFRESH_SECONDS = 0.5  # the counters
CHART_REFRESH_SECONDS = 1.0  # the time charts: each redraw costs the browser as much as all counters
VIEW_REFRESH_SECONDS = 1.5  # the lab view and quality figures: heavier still
DEFAULT_LAYERS = ["Real", "Generated", "D(x) surface", "Gradient arrows", "Cycle"]
STEPS_SHOWN = {"whole run": None, "last 2,000 steps": 2000, "last 200 steps": 200}  # the store keeps 3,000 raw


def every(seconds: float, running: bool) -> float | None:
    """A fragment's ``run_every`` for a live panel: ``seconds`` while the run trains, stretched while a
    busy server trains many runs (``refresh_factor``); None (no timer) while it does not."""
    return seconds * refresh_factor() if running else None


def layer_picker(look: RunLook, key_suffix: str = "") -> list[str]:
    """Which lab-view layers to draw (kept per session); the cycle's lines only for a model with a way back."""
    translation = look.variant.translation(look.args)
    offered = [layer for layer in LAYERS if layer != "Cycle" or (translation is not None and translation.cycle)]
    key = session.Keys.LAYERS + key_suffix
    if key not in st.session_state or not set(st.session_state[key]) <= set(offered):
        st.session_state[key] = [layer for layer in st.session_state.get(key, DEFAULT_LAYERS) if layer in offered]
    return st.pills(_("Layers"), offered, selection_mode="multi", key=key, format_func=shown_as(offered),
                    help=_("switch each layer of the view on or off")) or []


def status_text(status: str) -> str:
    """A run's state (``Status.state``) or its status in the run database, as the page shows it."""
    shown = {"ready": _("ready"), "running": _("running"), "paused": _("paused"), "stopped": _("stopped"),
             "finished": _("finished"), "diverged": _("diverged")}
    return shown.get(status, status)


def draw_counters(run: Run) -> None:
    look = run.look()
    s = look.status
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("Step"), f"{s.step:,}")
    m2.metric(_("State"), status_text(s.state))
    m3.metric(_("Steps/s"), f"{s.steps_per_second:,.1f}" if s.state == "running" else "-")
    m4.metric(_("Device"), s.device)
    st.caption(_(s.engine))
    o = look.config.optim
    if o.anneal_start:
        factor = anneal_factor(s.step, o.anneal_start, o.anneal_steps, o.anneal_to)
        st.caption(_("Learning rates now {factor:.2f}x those set: from step {start:,} they fall along a cosine to "
                     "{to:g}x at step {end:,}").format(factor=factor, start=o.anneal_start, to=o.anneal_to,
                                                       end=o.anneal_start + o.anneal_steps))
    if look.best_note:
        st.caption(f":material/star: {_(look.best_note)}")
    if s.message:
        st.error(_(s.message))
        if run.recoverable and st.button(_("Resume from the last autosave"), key="recover_run"):
            run.recover()
            st.rerun(scope="app")
    if s.phase:
        st.info(_("Slow motion. {phase}. (Each D and G update is recorded as a step of its own.)").format(
            phase=_(s.phase)), icon=":material/slow_motion_video:")


def _quality(look: RunLook, quality: dict, events) -> None:
    """The live figures, each as its measurer describes it (``ganlab.figures``): a card apiece, and the
    shares among them over training in one chart."""
    shown = figures.described(quality)
    for col, f in zip(st.columns(max(len(shown), 2)), shown):
        col.metric(_(f.label), f.text(quality), help=_(f.about))
    if len(look.quality_history) > 1:
        charts = quality_charts(look.quality_history)
        for column, (i, (title, charted)) in zip(st.columns(max(2, len(charts))), enumerate(charts)):
            column.vega_lite_chart(spec=translate_spec(quality_spec(look.quality_history, events, _(title), charted)),
                                   key=f"quality_chart_{i}", width="stretch", height=HEIGHT)


def draw_charts(run: Run) -> None:
    """The time charts: one per group of the variant's metrics, three to a row."""
    st.session_state.setdefault(session.Keys.STEPS_SHOWN, "whole run")
    shown = st.segmented_control(_("Steps shown"), list(STEPS_SHOWN), key=session.Keys.STEPS_SHOWN,
                                 format_func=shown_as(STEPS_SHOWN),
                                 help=_("follow the newest steps up close while the run trains (a wheel zoom "
                                        "holds still on the steps it shows)"))
    # the span goes to the run: its look thins the steps shown, not the whole run (whose thinning would leave
    # the last 200 steps of a long run at every other step)
    t = run.look(STEPS_SHOWN.get(shown))
    snap = t.snapshot
    if snap.total == 0:
        st.info(_("{model} on {data}, {loss} loss. Press Start to train, or Step to take one step at a time.").format(
            model=_(t.variant.title), data=t.config.data.name, loss=t.config.optim.loss))
    # Vega-Lite, not Plotly: these redraw in place (ganlab/views/time_charts.py says why)
    metrics = t.variant.metrics
    specs = [translate_spec(spec) for spec in time_specs(snap, STEPS_SHOWN.get(shown), t.runs, metrics)]
    groups = chart_groups(metrics)
    for row in range(0, len(specs), 3):
        for column, spec, group in zip(st.columns(3), specs[row:row + 3], groups[row:row + 3]):
            # the zoom is declared a selection: Streamlit resets every other scale binding whenever a
            # chart's data change, which while training is every redraw (its frontend, useVegaEmbed)
            column.vega_lite_chart(spec=spec, key=f"{group}_chart", width="stretch", height=HEIGHT,
                                   on_select="rerun", selection_mode=[zoom_of(spec)])


def draw_samples(run: Run, layers: list[str]) -> None:
    """The samples: the lab view on 1-D/2-D data, a grid for images; and the live figures."""
    t = run.look()
    view = t.samples
    if view is None:
        return
    if view.lab is not None:
        # the mesh note is the library's, numbers written in (ganlab/explore/lab.py): no msgid matches it, so it
        # stays English until the library hands the page a template and its values
        st.markdown(_("**Step {step:,}**").format(step=view.step)
                    + (f": {_(view.lab.mesh_note)}" if "G manifold" in layers else ""))
        # Vega-Lite, redrawn in place; the step is written above so that the spec stays the same
        if t.args.data_shape == (2,):
            st.vega_lite_chart(spec=translate_spec(plane_spec(view.lab, view.real, view.fake, layers)),
                               key="lab_view", width="content")
        else:
            st.vega_lite_chart(spec=translate_spec(line_spec(view.lab, session.data_density(t.config), view.real, view.fake,
                                                             layers)),
                               key="lab_view", width="stretch", height=LINE_HEIGHT)
    elif view.panels:  # a translation model: its inputs, outputs and round trips, row by row
        st.markdown(_("**Step {step:,}**").format(step=view.step))
        for caption, images in view.panels:
            st.image(image_grid(images, nrow=16, scale=2), caption=_(caption))
    elif view.fake.ndim == 4:
        per_row = t.args.n_classes or 8  # a class input: one column per class (or code)
        by = _(", one column per {handle}").format(handle=_(t.variant.class_handle)) if t.args.n_classes else ""
        st.image(image_grid(view.fake, nrow=per_row, scale=3),
                 caption=_("G(fixed noise) at step {step:,}{by}").format(step=view.step, by=by))
    if view.quality:
        _quality(t, view.quality, t.snapshot.events)


def fragments(run: Run, layers: list[str], running: bool, current: Callable[[], Run | None] | None = None, *,
              charts: bool = True) -> None:
    """The live view in three fragments, each rerun on its own clock while running: the counters,
    the time charts, and the samples (lab view or image grid).

    The charts redraw less often than the counters and the lab view less often still: each chart
    redraw makes the browser re-encode every point it draws, and on a small machine the browser
    shares the cores with training (docs/ui_overhead.md: the browser overhead). ``current``, if
    given, is asked on every refresh which run to draw; when it answers another run or None, a note
    replaces the view.
    """

    factor = refresh_factor() if running else 1.0  # slower refreshes while a busy server trains many runs

    def the_run(say: bool) -> Run | None:
        now = run if current is None else current()
        if now is not run:
            if say:
                st.warning(_("The presenter stopped sharing this run."))
            return None
        return now

    @st.fragment(run_every=every(REFRESH_SECONDS, running))
    def counters() -> None:
        if running and not (factor / 1.5 <= refresh_factor() <= factor * 1.5):
            st.rerun(scope="app")  # the server got much busier or quieter: register the timers again
        if factor > 1:
            st.caption(_("The server is busy: this page refreshes every {every:.1f} s (charts every {charts:.1f} s).")
                       .format(every=REFRESH_SECONDS * factor, charts=CHART_REFRESH_SECONDS * factor))
        if (r := the_run(say=True)) is not None:
            if running and current is None and r.status().state != "running":
                st.rerun(scope="app")  # one's own run stopped by itself (done, diverged, process lost): redraw
            draw_counters(r)

    @st.fragment(run_every=every(CHART_REFRESH_SECONDS, running))
    def time_charts() -> None:
        if (r := the_run(say=False)) is not None:
            draw_charts(r)

    @st.fragment(run_every=every(VIEW_REFRESH_SECONDS, running))
    def samples() -> None:
        if (r := the_run(say=False)) is not None:
            draw_samples(r, layers)

    if first_paint.pending():  # a newcomer's first page: its controls first (ui/first_paint.py)
        return
    counters()
    if charts:
        time_charts()
    samples()
