"""Be the discriminator: call each sample real or fake, then see how you did beside D; in lecture mode, the
whole class answers the presenter's round."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ganlab.classroom.quiz import QUIZ, make_round, score
from ganlab.data.datasets import DatasetUnavailable
from ganlab.views.plots import image_grid, quiz_cloud, quiz_results
from ganlab.detect.detectors import score as detector_score
from ui import detect_panel, links, routes, session
from ui.i18n import _, reason, shown_as, translate_figure

routes.through_app()

K = "quiz_"
me = session.session_id()
QUIZ.watching(me)

with links.title_row():
    st.title(_("Be the discriminator"))
st.caption(_("About half of these are real, half drawn by a generator. Call each one. Then see your score beside the "
             "discriminator's own, D(x) for each, and which fakes fooled whom. Against an early model it is easy; when "
             "D(x) hovers near 0.5, neither of you can tell."))


def answer_grid(round_, prefix: str, answers: dict[int, bool] | None = None, on_vote=None) -> dict[int, bool]:
    """The round's items, each with Real / Fake; returns the answers given so far."""
    out = dict(answers or {})
    voted = False
    cols = st.columns(5)
    for i, item in enumerate(round_.items):
        with cols[i % 5]:
            if round_.points:
                st.plotly_chart(quiz_cloud(item.sample, extent=max(1.5, float(np.abs(item.sample).max()) * 1.2)),
                                key=f"{prefix}cloud{i}", config={"staticPlot": True})
            else:
                st.image(image_grid(item.sample[None], nrow=1, scale=4), caption=f"#{i + 1}")
            locked = answers is not None and i in answers
            choice = st.segmented_control(f"#{i + 1}", ["Real", "Fake"], key=f"{prefix}answer{i}",
                                          format_func={"Real": _("Real"), "Fake": _("Fake")}.get,
                                          label_visibility="collapsed", disabled=locked,
                                          default=("Real" if answers[i] else "Fake") if locked else None)
            if choice and i not in out:
                out[i] = choice == "Real"
                if on_vote is not None:
                    on_vote(i, choice == "Real")
                    voted = True
    if voted:
        st.rerun()  # draw the vote locked at once: one person, one vote per image
    return out


def results(round_, answers: dict[int, bool]) -> None:
    s = score(round_, answers)
    found = None if round_.points else detect_panel.quiz_detector()  # a machine's call too, on digits
    calls = None
    if found is not None and round_.items[0].sample.shape == (1, 28, 28):
        calls = detector_score(found[0], np.stack([it.sample for it in round_.items]))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Your accuracy"), f"{s['accuracy']:.0%}" if s["accuracy"] is not None else "-")
    c2.metric(_("D's accuracy"), f"{s['d_accuracy']:.0%}", help=_("D calls a sample real when D(x) > 0.5"))
    c3.metric(_("Chance"), "50%")
    if calls is not None:
        right = np.mean([(p >= 0.5) != it.real for p, it in zip(calls, round_.items)])
        c4.metric(_("The detector's accuracy"), f"{right:.0%}",
                  help=_("{kind} detector fitted on {names} (the Detect page's last fit, else the shipped one)").format(
                      kind=found[1]["kind"], names=", ".join(found[1]["trained_on"])))
    real, fake = _("real"), _("fake")
    rows = [{"#": i + 1, _("truth"): real if it.real else fake,
             _("you"): (real if answers[i] else fake) if i in answers else "-",
             "D(x)": round(it.d_real, 3), _("D says"): real if it.d_real > 0.5 else fake,
             **({_("detector says"): fake if calls[i] >= 0.5 else real, _("P(generated)"): round(float(calls[i]), 3)}
                if calls is not None else {})}
            for i, it in enumerate(round_.items)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    none = _("none")
    st.write(_("Fakes that fooled you: {you}. Fakes that fooled D: {d}.").format(
        you=", ".join(f"#{i + 1}" for i in s["fooled_you"]) or none,
        d=", ".join(f"#{i + 1}" for i in s["fooled_d"]) or none))


# -- the class's round (lecture mode) ------------------------------------------------------------
shared = session.lecture().current()
presenting = shared is not None and shared.owner == me
class_round = QUIZ.round
if presenting:
    with st.container(border=True):
        st.subheader(_("Your class's round"))
        c1, c2 = st.columns([1, 1])
        n_class = c1.slider(_("Items"), 4, 20, 10, key=K + "class_n")
        seed_class = c2.number_input(_("Seed"), 0, 2**31 - 1, 0, key=K + "class_seed")
        if st.button(_("Start a round for the class on the shared run"), type="primary", key=K + "class_start"):
            t = shared.run.look()
            real, labels = session.real_samples(t.config.data.name, t.config.data.data_dir, t.config.data.points)
            src = session.model_source(session.LIVE)
            QUIZ.start(make_round(src.nets, src.variant, src.args, src.latent, real, labels, n=n_class,
                                  seed=int(seed_class), source=_("{title}, step {step:,}").format(
                                      title=shared.title, step=t.step),
                                  to_display=t.to_display), me)
            st.rerun()
        if class_round is not None:
            @st.fragment(run_every=2.0)
            def tally() -> None:
                t = QUIZ.tally()
                if not t:
                    return
                st.caption(_("Round {number}: {answered} of {voters} watchers answering, {complete} finished.").format(
                    number=QUIZ.number, answered=t["answered"], voters=t["voters"], complete=t["complete"]))
                st.plotly_chart(translate_figure(quiz_results(t)), key=K + "tally_chart")
            tally()
            if st.button(_("End the round"), key=K + "class_end"):
                QUIZ.stop()
                st.rerun()
elif class_round is not None:
    with st.container(border=True):
        st.subheader(_("The class's round {number}: {source}").format(number=QUIZ.number, source=class_round.source))
        if not QUIZ.takes_part(me):
            st.info(_("A round is under way; you will take part in the next one (keep this page open)."))
        else:
            mine = QUIZ.answers(me)
            answer_grid(class_round, f"{K}class{QUIZ.number}_", mine, on_vote=lambda i, r: QUIZ.vote(me, i, r))
            if len(QUIZ.answers(me)) == len(class_round.items):
                st.success(_("All answered. Here is how you did; the presenter's screen shows the whole class."))
                results(class_round, QUIZ.answers(me))

if shared is not None and not presenting:
    @st.fragment(run_every=2.0)
    def next_round(seen: int = QUIZ.number) -> None:
        """A watcher's page keeps saying it is here, and redraws when the presenter starts or ends a round."""
        QUIZ.watching(me)
        if QUIZ.number != seen or (QUIZ.round is None) != (class_round is None):
            st.rerun()
    next_round()

# -- a round of your own ------------------------------------------------------------------------
st.subheader(_("A round of your own"))
session.chosen_source("quiz", "mnist-dcgan")
sources = session.source_names()
name = st.selectbox(_("Generator"), sources, key=session.source_key("quiz"),
                    format_func=shown_as(sources, session.source_label),
                    help=_("a pretrained model, a saved checkpoint, or your live run at its current step"))
src = session.model_source(name)
c1, c2, c3 = st.columns([1, 1, 1])
n = c1.slider(_("Items"), 4, 20, 10, key=K + "n")
seed = c2.number_input(_("Seed (the same seed, the same round)"), 0, 2**31 - 1, 0, key=K + "seed")
if (c3.button(_("New round"), type="primary", key=K + "new", width="stretch")
        or session.Keys.QUIZ_ROUND not in st.session_state):
    try:
        real, labels = session.real_samples(src.data_name, src.data_dir or "./data", src.points)
        source = _("{title}, step {step:,}").format(title=session.source_label(name), step=src.step)
        st.session_state[session.Keys.QUIZ_ROUND] = make_round(src.nets, src.variant, src.args, src.latent, real, labels,
                                                               n=n, seed=int(seed), source=source)
        for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(K + "own_answer")]:
            del st.session_state[key]
    except (DatasetUnavailable, ValueError, KeyError) as err:
        st.error(_("No round from {name}: {err}").format(name=session.source_label(name), err=reason(err)))
        st.stop()
own = st.session_state[session.Keys.QUIZ_ROUND]
st.caption(_("Fakes drawn by {source}.").format(source=own.source))
answers = answer_grid(own, K + "own_")
if len(answers) == len(own.items):
    results(own, answers)
else:
    st.caption(_("{answered} of {total} answered.").format(answered=len(answers), total=len(own.items)))
