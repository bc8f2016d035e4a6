"""A bounded timeline of fixed-noise samples taken during training (the DCGAN tutorials' progress animation, live).

Frames are kept every ``every`` steps; when ``capacity`` frames are held, every
other frame is dropped and the interval doubles, so a run of any length keeps an
evenly spaced history in bounded memory.
"""

from __future__ import annotations

import threading

import numpy as np


class Timeline:
    def __init__(self, *, every: int = 50, capacity: int = 64):
        if every < 1 or capacity < 2:
            raise ValueError("every must be >= 1 and capacity >= 2")
        self._lock = threading.Lock()
        self._first_every = every
        self.capacity = capacity
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.every = self._first_every
            self._frames: list[tuple[int, np.ndarray]] = []

    def due(self, step: int) -> bool:
        """Whether a frame should be taken at ``step`` (the first step, then every ``every`` steps)."""
        with self._lock:
            return not self._frames or step - self._frames[-1][0] >= self.every

    def add(self, step: int, samples: np.ndarray) -> None:
        with self._lock:
            if self._frames and step <= self._frames[-1][0]:
                return
            self._frames.append((int(step), np.asarray(samples, dtype=np.float16)))  # half the memory
            if len(self._frames) > self.capacity:
                self._frames = self._frames[::2]
                self.every *= 2

    def frames(self) -> list[tuple[int, np.ndarray]]:
        with self._lock:
            return list(self._frames)

    def __len__(self) -> int:
        with self._lock:
            return len(self._frames)
