"""A detector fitted in the background, as a run trains: it samples its sets, fits, and records its held-out
accuracy as it goes, for a page to draw (the thread never touches the page). One job, one fit; a new fit is a
new job."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ganlab.detect.detectors import accuracy, auc, fit
from ganlab.detect.sets import FIT_SEED, HELD_OUT_SEED, generated_images, real_images
from ganlab.persist.checkpoint import Checkpoint

JOB_FIT_IMAGES, JOB_HELD_OUT_IMAGES = 5000, 1000  # each side's, on the page (the command line's are larger)


@dataclass
class JobView:
    """What a page reads of a job: where it is, its curve, and its result."""

    state: str  # "sampling", "fitting", "done", "stopped" or "failed"
    curve: list[tuple[int, float]] = field(default_factory=list)  # (updates, held-out accuracy)
    accuracy: float | None = None
    auc: float | None = None
    message: str | None = None


class DetectorJob:
    """Fit a ``kind`` detector on real MNIST digits against ``generators`` (name -> checkpoint) in a thread."""

    def __init__(self, kind: str, generators: dict[str, Checkpoint], data_dir: str | Path, *,
                 n_fit: int = JOB_FIT_IMAGES, n_held: int = JOB_HELD_OUT_IMAGES):
        if not generators:
            raise ValueError("pick at least one generator to fit the detector on")
        self.kind, self.names = kind, list(generators)
        self._generators, self._data_dir, self._n = generators, data_dir, (n_fit, n_held)
        self._lock = threading.Lock()
        self._view = JobView("sampling")
        self._stop = threading.Event()
        self.detector = None
        self.held_out = None  # (real, generated) images the curve is measured on, once sampled
        self._thread = threading.Thread(target=self._work, name="ganlab-detector", daemon=True)
        self._thread.start()

    def view(self) -> JobView:
        with self._lock:
            v = self._view
            return JobView(v.state, list(v.curve), v.accuracy, v.auc, v.message)

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _set(self, **kw) -> None:
        with self._lock:
            for k, v in kw.items():
                setattr(self._view, k, v)

    def _work(self) -> None:
        import numpy as np

        n_fit, n_held = self._n
        try:
            share = -(-n_fit // len(self._generators))  # the generated side is shared out among the generators
            held_share = -(-n_held // len(self._generators))
            fake_fit = np.concatenate([generated_images(c, share, seed=FIT_SEED) for c in self._generators.values()])
            fake_held = np.concatenate([generated_images(c, held_share, seed=HELD_OUT_SEED)
                                        for c in self._generators.values()])
            real_fit = real_images(self._data_dir, len(fake_fit), train=True)
            real_held = real_images(self._data_dir, len(fake_held), train=False)
            self.held_out = (real_held, fake_held)
            self._set(state="fitting")

            def progress(updates: int, loss: float, acc: float | None) -> None:
                with self._lock:
                    self._view.curve.append((updates, acc))

            detector = fit(self.kind, real_fit, fake_fit, held_out=self.held_out, progress=progress,
                           should_stop=self._stop.is_set)
            self.detector = detector
            if self._stop.is_set():
                self._set(state="stopped")
                return
            self._set(state="done", accuracy=accuracy(detector, real_held, fake_held), auc=auc(detector, real_held, fake_held))
        except Exception as err:  # noqa: BLE001 - a missing dataset, a bad checkpoint: the page says why
            self._set(state="failed", message=f"{type(err).__name__}: {err}")
