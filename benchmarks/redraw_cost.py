"""What one redraw of an open Train page costs the server's interpreter: the three time charts and
the 2-D lab view, built and handed to Streamlit, with their datasets as Arrow tables (as the app
sends them) and, side by side, as dicts of numpy arrays (what the app sent before 2026-11-24:
``ganlab.views.vega.table`` swapped for ``narrow``; Streamlit turns each dict into a pandas DataFrame
first).

    python -m benchmarks.redraw_cost [--steps 3000] [--repeats 200]

Trains ring8 on the CPU for ``--steps`` (the charts then hold 500 points each), then times
``st.vega_lite_chart`` the way ui/live.py calls it, in Streamlit's bare mode (no server: the
element is built and marshalled, and not sent). The two ways alternate in rounds of 20 so that a
machine getting busier or quieter meets both.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    import streamlit as st

    from ganlab.views import vega
    from ganlab.config import default_config
    from ganlab.explore.lab import lab_view
    from ganlab.training.trainer import Trainer
    from ganlab.views.lab_plots import LAYERS, plane_spec
    from ganlab.views.time_charts import HEIGHT, time_specs, zoom_of

    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=200)
    a = ap.parse_args()

    t = Trainer(default_config("ring8", device="cpu"))
    t.run(a.steps)
    snap, view, fake = t.store.snapshot(), lab_view(t), t.sample_fixed()

    def charts() -> None:  # as ui/live.py draw_charts
        for spec, key in zip(time_specs(snap), ("loss_chart", "prob_chart", "grad_chart")):
            st.vega_lite_chart(spec=spec, key=key, width="stretch", height=HEIGHT, on_select="rerun",
                               selection_mode=[zoom_of(spec)])

    def lab() -> None:  # as ui/live.py draw_samples
        st.vega_lite_chart(spec=plane_spec(view, t.fixed_real, fake, LAYERS), key="lab_view", width="content")

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)  # "missing ScriptRunContext", at every call
    ways = {"Arrow tables (now)": vega.table, "dicts of arrays (before)": vega.narrow}
    times: dict = {(part, way): [] for part in ("time charts", "lab view") for way in ways}
    for _ in range(max(1, a.repeats // 20)):
        for way, to_dataset in ways.items():
            vega.table = to_dataset  # frame() looks it up at each call
            for part, draw in (("time charts", charts), ("lab view", lab)):
                for _ in range(20):
                    t0 = time.perf_counter()
                    draw()
                    times[part, way].append(time.perf_counter() - t0)
    print(f"ring8, {a.steps} steps; median ms per redraw ({a.repeats} each)\n")
    print("| redraw | " + " | ".join(ways) + " | ratio |\n| --- | --- | --- | --- |")
    for part in ("time charts", "lab view"):
        now, before = (statistics.median(times[part, w]) * 1000 for w in ways)
        print(f"| {part} | {now:.1f} | {before:.1f} | {before / now:.1f}x |")


if __name__ == "__main__":
    main()
