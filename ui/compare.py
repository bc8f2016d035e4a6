"""What the Compare page compares: this session's run, its side-by-side sweep, the lecture's run, and
the runs in the run database, each turned into a :class:`~ganlab.views.compare.RunView`."""

from __future__ import annotations

import re

import streamlit as st

from ganlab import variants
from ganlab.classroom.lessons import BY_KEY, Lesson, run_config, split
from ganlab.config import ConfigError, RunConfig
from ganlab.data.datasets import DatasetUnavailable
from ganlab.persist.runs_db import RunsDBError
from ganlab.training.run import Run
from ganlab.training.sweep import Sweep
from ganlab.views.compare import RunView
from ui import links, session
from ui.i18n import _, language, reason
from ui.live import status_text

# The runs' names are widget values (the multiselect's, kept in session state), so they stay English
# whatever the language; label_text is how the page shows them.
OWN = "This session's run (live)"
SHARED = "The lecture's shared run (live)"
SIDE = "side by side: "  # a side-by-side run's name: SIDE + its label (a preset's title, a question's run, "seed = 1")
_STORED = re.compile(r"(#\d+ .*) \((\w+), ([\d,]+) steps\)")


def label_text(name: str) -> str:
    """A run's name (``live_runs``' or ``stored_runs``' key) in the session's language."""
    if name == OWN:
        return _("This session's run (live)")
    if name == SHARED:
        return _("The lecture's shared run (live)")
    if name.startswith(SIDE):
        return _("side by side: {run}").format(run=_(name.removeprefix(SIDE)))
    if m := _STORED.fullmatch(name):
        return _("{run} ({status}, {steps} steps)").format(run=m[1], status=status_text(m[2]), steps=m[3])
    return name


def sweep_text(status) -> str:
    """A sweep's ``SweepStatus`` in words (its own ``text``, in the session's language)."""
    parts = [_("{n} training").format(n=status.running), _("{n} done").format(n=status.done)]
    if status.waiting:
        parts.append(_("{n} waiting for a free trainer slot (the server's limit); they start in turn").format(
            n=status.waiting))
    return _("{total} runs: {parts}.").format(total=status.total, parts=", ".join(parts))


def _stop(holder: dict) -> None:
    if holder.get("sweep") is not None:
        holder["sweep"].stop()


@st.cache_resource(scope="session", on_release=_stop, show_spinner=False)
def _holder() -> dict:
    return {"sweep": None}


def sweep() -> Sweep | None:
    """This session's side-by-side runs, if it started some."""
    return _holder()["sweep"]


def start_sweep(configs: list[RunConfig], labels: list[str], steps: int) -> Sweep:
    """Replace this session's side-by-side runs with new ones (built first: a bad config changes nothing)."""
    new = Sweep(configs, labels, steps=steps, make_run=session.make_run)
    old = _holder()["sweep"]
    _holder()["sweep"] = new
    if old is not None:
        old.stop()
    return new


def start_lesson(lesson: Lesson, device: str) -> Sweep:
    """A side-by-side lesson's runs (each a Train link of its own), started together to its number of steps."""
    configs = []
    for _label, link in lesson.runs:
        config, refused = run_config(split(link)[1])
        if refused:
            raise ValueError(f"lesson {lesson.key}: its link cannot set {', '.join(n for n, _v, _w in refused)}")
        configs.append(config.with_values(device=device))
    return start_sweep(configs, [label.get(language()) or label["en"] for label, _link in lesson.runs], lesson.steps)


def lesson_opened(chosen_key: str) -> Lesson | None:
    """The Compare page's link ``?lesson=KEY``, just opened: that lesson's runs start side by side (once per
    opening), and are the ones chosen to compare."""
    query = links.opened("compare")
    if query is None or "lesson" not in query:
        return None
    lesson = BY_KEY.get(query["lesson"])
    if lesson is None or not lesson.runs:
        links.refuse("lesson", query["lesson"], _("must be one of {choices}").format(
            choices=", ".join(k for k, v in BY_KEY.items() if v.runs)))
        return None
    try:
        started = start_lesson(lesson, session.run().config.device)
        st.session_state[chosen_key] = side_by_side(started.labels)
        session.flash("success", _("{title}: started side by side.").format(title=lesson.part("title", language())))
    except (ConfigError, DatasetUnavailable, ValueError) as err:
        session.flash("error", _("Could not start them: {err}").format(err=reason(err)))
    return lesson


def side_by_side(labels: list[str]) -> list[str]:
    """The names of a sweep's runs among ``live_runs``."""
    return [SIDE + label for label in labels]


def _live_view(label: str, run: Run) -> RunView:
    t = run.look()
    snap = t.snapshot
    return RunView(label_text(label), snap.fields, snap.mean, _labels(t.variant), list(t.quality_history),
                   t.config.flat(), live=True, status=status_text(t.status.state))


def _labels(v) -> dict[str, tuple[str, str]]:
    return {m.name: (m.label, m.group) for m in v.metrics}


def live_runs() -> dict[str, Run]:
    """The live runs this session can see, by their label on the page."""
    out = {OWN: session.run()}
    s = sweep()
    if s is not None:
        for label, run in zip(s.labels, s.runs):
            out[SIDE + label] = run
    shared = session.lecture().current()
    if shared is not None and shared.run is not session.run():
        out[SHARED] = shared.run
    return out


def stored_runs(limit: int = 60) -> tuple[dict[str, int], str | None]:
    """Runs in the database (not those live here), by label; and why none could be read, if so."""
    live_ids = {r.look().recorded_as for r in live_runs().values()} - {None}
    try:
        rows = session.runs_db().runs(limit)
    except RunsDBError as err:
        return {}, reason(err)
    return {f"#{r.id} {r.title} ({r.status}, {r.steps:,} steps)": r.id for r in rows if r.id not in live_ids}, None


def views(selected: list[str], stored: dict[str, int]) -> list[RunView]:
    live = live_runs()
    out = []
    db = session.runs_db()
    for label in selected:
        if label in live:
            out.append(_live_view(label, live[label]))
        elif label in stored:
            run_id = stored[label]
            row, m = db.get(run_id), db.metrics(run_id)
            try:
                labels = _labels(variants.get(row.variant))
            except Exception:  # noqa: BLE001 - a run of a variant this ganlab does not know: its base metrics
                labels = _labels(variants.get("mlp"))
            flat = RunConfig.from_dict(row.config).flat() if _readable(row.config) else {}
            out.append(RunView(label.split(" (")[0], row.fields, m.mean, labels, db.quality(run_id), flat,
                               status=status_text(row.status)))
    return out


def _readable(config: dict) -> bool:
    try:
        RunConfig.from_dict(config)
        return True
    except Exception:  # noqa: BLE001 - a stored config of another version: its settings are not shown
        return False
