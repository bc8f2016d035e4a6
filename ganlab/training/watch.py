"""What is watched of a run, refreshed from its trainer thread a few times a second: the sample view (and
the lab view's layers on 2-D data), the live quality figures and their history, the timeline of
fixed-noise samples, the quality marks reached (time to quality), and the best state kept on disk
(checkpoints as early stopping). Plain values a page reads without a lock, replaced whole."""

from __future__ import annotations

from ganlab import figures
from ganlab.evaluation.live import live_agreement, live_variety
from ganlab.evaluation.manifold import RealManifold
from ganlab.evaluation.quality import toy_quality
from ganlab.explore.lab import lab_view
from ganlab.persist.checkpoint import CheckpointError, save
from ganlab.said import said, said_by
from ganlab.training.run_state import SampleView, extend_history
from ganlab.training.timeline import Timeline


class RunWatch:
    def __init__(self):
        self.timeline = Timeline()
        self.samples: SampleView | None = None
        self.version = 0  # counts sample views: a reader that holds the newest need not be sent it again
        self.quality_history: list[tuple[int, dict]] = []
        self.keeping_best = None  # where the best state so far is kept
        self.best_note: str | None = None  # which step the kept best is from, or why it could not be saved
        self._best: tuple | None = None
        self._marks: set[str] = set()
        self._manifold: tuple = (None, None)  # (trainer, its fixed real batch's RealManifold)

    def reset(self) -> None:
        """A new run: nothing of the old one is kept (the best file stays on disk, no longer followed)."""
        self.timeline.clear()
        self.samples, self.quality_history = None, []
        self.keeping_best, self.best_note, self._best, self._marks = None, None, None, set()
        self._manifold = (None, None)

    def keep_best(self, path) -> None:
        self.keeping_best, self._best, self.best_note = path, None, None

    def refresh(self, t, recorder=None) -> None:
        """Draw the fixed samples and measure the live figures of trainer ``t`` (on the trainer's thread)."""
        if t.diverged:
            return
        fake = t.sample_fixed()
        lab = quality = None
        if len(t.args.data_shape) == 1:  # 1-D and 2-D data: the lab view's layers and the live figures
            lab = lab_view(t) if t.variant.lab_view else None
            if self._manifold[0] is not t:  # the fixed real batch's balls, made once per run
                self._manifold = (t, RealManifold(t.fixed_real))
            quality = {**toy_quality(fake, t.fixed_real, t.variant.target(t), self._manifold[1]),
                       **t.variant.live_figures(t)}
        else:  # a classifier's test accuracy, a conditional MNIST model's label agreement, precision and recall
            quality = {**t.variant.live_figures(t), **live_agreement(t, fake), **live_variety(t, fake)} or None
        if quality:
            self.quality_history = extend_history(self.quality_history, t.step, quality)
            if t.step:
                self._keep_if_best(t, quality, recorder)
                for mark in figures.new_marks(quality, self._marks):  # time to quality, on the charts as it happens
                    self._marks.add(mark.key)
                    t.store.add_event(t.step, f"{mark.text(quality)} at {t.train_seconds:.0f} s of training")
        view = SampleView(t.step, fake, t.fixed_real, lab, quality, t.variant.panels(t))
        self.samples = view
        self.version += 1
        if view.step and self.timeline.due(view.step):
            self.timeline.add(view.step, view.fake)

    def frame(self, t) -> None:
        """Only the timeline's frame of trainer ``t``'s fixed samples (between two refreshes, which cost more)."""
        if not t.diverged and t.step and self.timeline.due(t.step):
            self.timeline.add(t.step, t.sample_fixed())

    def _keep_if_best(self, t, quality: dict, recorder) -> None:
        value = figures.score(quality)
        if self.keeping_best is None or value is None or (self._best is not None and value <= self._best):
            return
        try:
            save(t, self.keeping_best)
            self._best = value
            self.best_note = said("best so far kept: step {step:,} ({figures})", step=t.step, figures=figures.describe(quality))
            if recorder is not None:
                recorder.checkpoint(t.step, self.keeping_best)
        except (OSError, CheckpointError) as err:
            self.best_note = said("the best checkpoint could not be saved at step {step:,}: {err}", step=t.step,
                                  err=said_by(err))
