"""Compare: two to six runs on shared axes (live ones keep updating), their settings and final figures;
paired experiments and small sweeps that start side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ganlab.classroom.lessons import LESSONS
from ganlab.config import ConfigError, field_specs
from ganlab.data.datasets import DatasetUnavailable
from ganlab.training.capacity import refresh_factor
from ganlab.views.compare import final_table, groups, overlay_spec, quality_overlay_spec, settings_table
from ui import compare, controls, links, routes, session
from ui.i18n import _, language, reason, shown_as, translate_spec

routes.through_app()

K = "compare_"
lesson = compare.lesson_opened(K + "chosen")  # a link's lesson=KEY: its runs, started side by side
with links.title_row():
    st.title(_("Compare runs"))
session.show_flash()

# -- starting runs side by side ---------------------------------------------------------
with st.expander(_("Start runs side by side"), expanded=compare.sweep() is None):
    st.caption(_("They train together, each to the same number of steps, and replace this session's earlier "
                 "side-by-side runs. The Experiments page's side-by-side lessons start them too."))
    sides = [lesson for lesson in LESSONS if lesson.runs]
    for col, side in zip(st.columns(len(sides)), sides):
        col.markdown(f"**{side.part('title', language())}**")
        col.caption(side.part("question", language()))
        col.page_link("pages/compare.py", label=_("Run them"), icon=":material/play_circle:",
                      query_params={"lesson": side.key})
    st.markdown(_("**A sweep of this session's run settings**"))
    numeric = [n for n, s in field_specs().items() if s["type"] in ("int", "float") and not s.get("variant")]
    c1, c2, c3 = st.columns([2, 3, 1])
    settings = ["seed", *[n for n in numeric if n != "seed"]]
    name = c1.selectbox(_("Setting"), settings, key=K + "setting",
                        format_func=shown_as(settings, lambda n: _(controls.LABELS.get(n, n))))
    text = c2.text_input(_("Values, separated by commas (2 to 6)"), value="0, 1, 2", key=K + "values")
    steps = c3.number_input(_("Steps each"), 10, 10**6, 2000, step=500, key=K + "steps")
    if st.button(_("Start the sweep"), type="primary", key=K + "sweep"):
        base = session.run().config
        try:
            values = [controls.parse_value(name, v.strip()) for v in text.split(",") if v.strip()]
            configs = [base.with_values(**{name: v}) for v in values]
            started = compare.start_sweep(configs, [f"{name} = {v:g}" if isinstance(v, float) else f"{name} = {v}"
                                                    for v in values], int(steps))
            st.session_state[K + "chosen"] = compare.side_by_side(started.labels)
            session.flash("success", _("Sweep over {setting} started: {runs} runs of {steps:,} steps.").format(
                setting=name, runs=len(values), steps=int(steps)))
        except (ConfigError, DatasetUnavailable, ValueError) as err:
            session.flash("error", _("Sweep not started: {err}").format(err=reason(err)))
        st.rerun()

sweep = compare.sweep()
if sweep is not None:
    st.info(_("Side by side: {status}").format(status=compare.sweep_text(sweep.status())))

# -- what to compare ------------------------------------------------------------------------
live = compare.live_runs()
stored, problem = compare.stored_runs()
if problem:
    st.warning(_("Runs from earlier are not listed: {problem}").format(problem=problem))
options = list(live) + list(stored)
default = [k for k in live if k.startswith(compare.SIDE)] or [compare.OWN]
if K + "chosen" not in st.session_state:
    st.session_state[K + "chosen"] = default
chosen = st.multiselect(_("Runs (two to six): live ones keep updating; earlier ones come from the run database"),
                        options, key=K + "chosen", max_selections=6,
                        format_func=shown_as(options, compare.label_text))
if len(chosen) < 2:
    st.info(_("Pick at least two runs to compare, or start two side by side above."))
    st.stop()
running = any(live[c].status().state == "running" for c in chosen if c in live) or (
    sweep is not None and sweep.status().waiting)


@st.fragment(run_every=2.0 * refresh_factor() if running else None)
def charts() -> None:
    views = compare.views(chosen, stored)
    kinds = groups(views)
    specs = [translate_spec(overlay_spec(views, g)) for g in kinds]
    quality = quality_overlay_spec(views)
    quality = translate_spec(quality) if quality else None
    specs += [quality] if quality else []
    keys = kinds + (["quality"] if quality else [])
    for row in range(0, len(specs), 2):
        for col, spec, key in zip(st.columns(2), specs[row:row + 2], keys[row:row + 2]):
            col.vega_lite_chart(spec=spec, key=f"{K}{key}", width="stretch")
    st.subheader(_("Final figures"))
    columns = {"run": _("run"), "status": _("status"), "steps": _("steps")}  # the rest are metric labels
    st.dataframe(pd.DataFrame(final_table(views)).rename(columns=lambda c: columns.get(c) or _(c)), hide_index=True,
                 width="stretch")
    st.subheader(_("Settings"))
    rows, differ = settings_table(views)
    frame = pd.DataFrame(rows).set_index("setting")
    frame.index.name = _("setting")
    st.caption(_("Highlighted: the {n} setting(s) that differ.").format(n=len(differ)) if differ
               else _("The runs share every setting."))
    st.dataframe(frame.style.apply(lambda r: ["background-color: #fff3b0" if r.name in differ else "" for _cell in r],
                                   axis=1), width="stretch")


charts()
