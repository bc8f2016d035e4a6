"""Draw data page: select regions of the plane (box or lasso) and train a GAN on what you drew."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ganlab.config import ConfigError, default_config
from ganlab.training.capacity import Busy
from ganlab.views.plots import canvas_figure
from ui import links, routes, session
from ui.i18n import _, reason, translate_figure

routes.through_app()

EXTENT = 2.0
CANVAS = np.stack(np.meshgrid(np.linspace(-EXTENT, EXTENT, 41), np.linspace(-EXTENT, EXTENT, 41)), -1).reshape(-1, 2)
KEY = "draw_points"  # this page's own state: the points chosen so far

with links.title_row():
    st.title(_("Draw your own distribution"))
st.caption(_("Drag a lasso (or pick the box tool in the chart's toolbar) around points of the canvas; each selection "
             "adds them. Then train: the data is a Gaussian blob (sigma 0.05) on every chosen point."))
session.show_flash()
chosen = np.asarray(st.session_state.get(KEY, []), dtype=np.float64).reshape(-1, 2)

event = st.plotly_chart(translate_figure(canvas_figure(CANVAS, chosen, EXTENT + 0.1)), on_select="rerun",
                        selection_mode=("box", "lasso"), key="draw_canvas")
picked = [(round(p["x"], 3), round(p["y"], 3)) for p in (event or {}).get("selection", {}).get("points", [])
          if p.get("curve_number", 0) == 0]
if picked:
    merged = sorted(set(map(tuple, chosen.round(3).tolist())) | set(picked))
    if len(merged) != len(chosen):
        st.session_state[KEY] = merged
        st.rerun()

c1, c2, c3 = st.columns([2, 1, 1])
c1.metric(_("Points chosen"), len(chosen))
if c2.button(_("Clear"), width="stretch", disabled=not len(chosen)):
    st.session_state[KEY] = []
    st.rerun()
if c3.button(_("Train on this"), type="primary", width="stretch", disabled=not len(chosen)):
    try:
        current = session.run().config
        session.new_run(default_config("custom", points=[tuple(p) for p in chosen], device=current.device))
        session.run().start()
        session.forget_form()
        session.flash("success", _("Training on your drawing: {n} points.").format(n=len(chosen)))
        st.switch_page("pages/train.py")
    except (ConfigError, ValueError, Busy) as err:
        st.error(_("Could not train on that: {err}").format(err=reason(err)))
