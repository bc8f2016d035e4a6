"""Time to quality, as it happens: the first moment a run reaches a mark, put on its charts
("8/8 modes at 11 s"). The marks are the targets the project measures itself by (docs/benchmarks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Mark:
    key: str
    reached: Callable[[dict], bool]
    text: Callable[[dict], str]


MARKS: tuple[Mark, ...] = (
    Mark("all modes", lambda q: "modes_covered" in q and q["modes_covered"] == q["n_modes"],
         lambda q: f"{q['n_modes']}/{q['n_modes']} modes"),
    Mark("all modes, 90% high quality",
         lambda q: "modes_covered" in q and q["modes_covered"] == q["n_modes"] and q["high_quality"] >= 0.9,
         lambda q: f"{q['n_modes']}/{q['n_modes']} modes, 90% high quality"),
    Mark("95% label agreement", lambda q: q.get("label_agreement", 0) >= 0.95, lambda q: "95% label agreement"),
    Mark("95% test accuracy", lambda q: q.get("test_accuracy", 0) >= 0.95, lambda q: "95% test accuracy"),
)


def new_marks(figures: dict, reached: set[str]) -> list[Mark]:
    """The marks ``figures`` reach that were not reached before (``reached`` holds their keys)."""
    return [m for m in MARKS if m.key not in reached and m.reached(figures)]
