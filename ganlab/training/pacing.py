"""How fast a run trains: full speed, a cap in steps per second, or slow motion.

At full speed a run trains in blocks; under a cap it takes one step at a time, each when it is due; at
:data:`SLOW_MOTION` or fewer steps per second each step is cut into its updates (D's, then G's), run one at
a time and named while they run, so a class can watch the two players take turns. :class:`Pacing` holds
that state for one :class:`~ganlab.training.driver.RunDriver`, which calls it under its own lock.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from ganlab.training.run_state import PHASE_TEXT

SLOW_MOTION = 5.0  # at this many steps/s or fewer, D and G updates run (and are shown) one at a time
MAX_SPEED = 1000.0  # steps/s: the highest cap a person may set


@dataclass(frozen=True)
class Turn:
    """A piece of work: ``n`` steps of ``phase``; ``single`` for steps a person asked for one by one (marked
    on the charts when they update one network); ``slow`` for one update of a slow-motion step."""

    n: int
    phase: str = "both"
    single: bool = False
    slow: bool = False

    @property
    def full(self) -> bool:
        """A block of full steps at full speed: what a scheduler may step together with other runs'."""
        return self.phase == "both" and not self.single and not self.slow


class Pacing:
    """The speed cap, the slow-motion updates left of a step, and when the next one is due."""

    def __init__(self):
        self.speed: float | None = None  # steps/s, None: as fast as it goes
        self.phase: str | None = None  # the slow-motion update running now, as the page names it
        self._slow: deque[str] = deque()  # the updates left of a slow-motion step
        self._next_at = 0.0  # monotonic time of the next capped step or slow-motion update

    def set_speed(self, steps_per_second: float | None) -> None:
        if steps_per_second is not None and not 0 < steps_per_second <= MAX_SPEED:
            raise ValueError(f"speed must be between 0 and {MAX_SPEED:.0f} steps/s, got {steps_per_second}")
        if steps_per_second != self.speed:
            self.speed = steps_per_second
            self._next_at = 0.0

    def restart(self) -> None:
        """The run starts (again): its next step is due now."""
        self._next_at = 0.0

    def stop(self) -> None:
        """The run stops running: a slow-motion step in progress is dropped."""
        self._slow.clear()
        self.phase = None

    def wait(self, now: float) -> float:
        """Seconds until the next step (or update) is due."""
        return max(0.0, self._next_at - now)

    def paced_turn(self, d_steps: int) -> Turn | None:
        """The turn a capped run takes now: one update of a slow-motion step, or one step; None at full speed
        (the caller sizes a block)."""
        if self.speed is None:
            return None
        if self.speed <= SLOW_MOTION:
            if not self._slow:
                self._slow.extend(["d"] * d_steps + ["g"])
            return Turn(1, self._slow[0], slow=True)
        return Turn(1)

    def begin(self, turn: Turn) -> None:
        """A turn starts training: a slow-motion update is named while it runs."""
        if turn.slow:
            self.phase = PHASE_TEXT[turn.phase]

    def after(self, turn: Turn, d_steps: int, now: float | None = None) -> None:
        """A turn has trained: when the next capped step, or the next update of a slow-motion step, is due."""
        now = time.monotonic() if now is None else now
        if turn.slow and self._slow:
            self._slow.popleft()
            self._next_at = now + 1.0 / (self.speed or SLOW_MOTION) / (d_steps + 1)
            if not self._slow:
                self.phase = None
        elif not turn.single and self.speed is not None:
            self._next_at = now + 1.0 / self.speed
