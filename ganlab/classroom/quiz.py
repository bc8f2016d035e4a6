"""Be the discriminator: a round of real and generated samples that a person (or a whole class) calls
real or fake, scored beside the model's own discriminator.

A round is reproducible from its seed: which items are real, which real test digits (or points)
and which latents are drawn, and their order. For images, an item is one 28x28 image; for 2-D data,
a small cloud of points, all real or all generated. D's verdict on an item is its probability of
"real", D(x) (for a cloud, the mean over its points); D calls it real when D(x) > 0.5.

In lecture mode one round is shared: every watcher answers the same items, once each (a later
answer to the same item is ignored); who answers is a random session id, never a name, and the
answers live only in this process's memory. Only sessions watching when the round starts take part;
late joiners join the next round.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import torch

from ganlab.core.models import sample_z

CLOUD = 60  # points per 2-D item
PRESENT_SECONDS = 15.0  # a watcher seen this recently takes part in a round that starts now


@dataclass(frozen=True)
class Item:
    sample: np.ndarray  # (1, 28, 28) in [-1, 1], or (CLOUD, 2) points
    real: bool
    d_real: float  # D's probability that it is real


@dataclass(frozen=True)
class Round:
    seed: int
    items: tuple[Item, ...]
    source: str  # which generator drew the fakes
    points: bool  # 2-D clouds rather than images

    @property
    def d_accuracy(self) -> float:
        return float(np.mean([(i.d_real > 0.5) == i.real for i in self.items]))


@torch.no_grad()
def make_round(nets: dict, variant, args, latent: str, real: torch.Tensor, real_labels: torch.Tensor | None, *,
               n: int = 10, seed: int = 0, source: str = "", to_display=None) -> Round:
    """``n`` items, about half real (drawn from ``real``) and half from the generator, in an order set by ``seed``."""
    if n < 2:
        raise ValueError(f"a round needs at least 2 items, got {n}")
    g = torch.Generator().manual_seed(int(seed))
    n_real = n // 2 + (int(torch.randint(0, 2, (1,), generator=g)) if n % 2 else 0)  # about half
    is_real = torch.zeros(n, dtype=torch.bool)
    is_real[torch.randperm(n, generator=g)[:n_real]] = True
    points = len(args.data_shape) == 1
    gen, disc = nets["gen"], nets["disc"]
    count = CLOUD if points else 1
    n_fake = int((~is_real).sum())
    z = sample_z(n_fake * count, args.z_dim, latent, g, "cpu")
    classes = torch.randint(args.n_classes, (n_fake * count,), generator=g) if args.n_classes else None
    fake = gen(z, variant.condition(args, classes, g)).float()
    pick = torch.randint(len(real), (int(is_real.sum()) * count,), generator=g)
    real_x = real[pick].float()
    real_y = real_labels[pick] if real_labels is not None else None

    def d_of(x, y):
        cond = y if (args.n_classes and variant.conditional) else None
        return torch.sigmoid(disc(x, cond).float().reshape(len(x), -1).mean(1))

    d_fake = d_of(fake, classes)
    d_real = d_of(real_x, real_y if real_y is not None and args.n_classes else None)
    items, fi, ri = [], 0, 0
    for flag in is_real.tolist():
        x, d = (real_x, d_real) if flag else (fake, d_fake)
        k = ri if flag else fi
        sample = x[k * count:(k + 1) * count]
        shown = sample.numpy() if points else sample[0].numpy()
        if to_display is not None and not points:
            shown = to_display(shown[None])[0]
        items.append(Item(shown, bool(flag), float(d[k * count:(k + 1) * count].mean())))
        if flag:
            ri += 1
        else:
            fi += 1
    return Round(int(seed), tuple(items), source, points)


def score(round_: Round, answers: dict[int, bool]) -> dict:
    """A person's answers (item -> "real?") against the truth and against D."""
    answered = sorted(answers)
    right = [answers[i] == round_.items[i].real for i in answered]
    fooled_person = [i for i in answered if not round_.items[i].real and answers[i]]
    fooled_d = [i for i, it in enumerate(round_.items) if not it.real and it.d_real > 0.5]
    return {"answered": len(answered), "accuracy": float(np.mean(right)) if right else None,
            "d_accuracy": round_.d_accuracy, "fooled_you": fooled_person, "fooled_d": fooled_d}


class ClassQuiz:
    """The lecture's shared round: the presenter starts it, every watcher answers, votes are counted live."""

    def __init__(self):
        self._lock = threading.Lock()
        self.round: Round | None = None
        self.number = 0  # rounds so far
        self._voters: set[str] = set()  # who takes part in this round
        self._votes: dict[str, dict[int, bool]] = {}
        self._seen: dict[str, float] = {}  # watcher -> when last seen

    def watching(self, who: str) -> None:
        """A watcher's page was drawn just now (it takes part in a round that starts soon)."""
        with self._lock:
            self._seen[who] = time.monotonic()

    def start(self, round_: Round, presenter: str) -> int:
        now = time.monotonic()
        with self._lock:
            self.round = round_
            self.number += 1
            self._voters = {w for w, t in self._seen.items() if now - t <= PRESENT_SECONDS and w != presenter}
            self._votes = {}
            return self.number

    def stop(self) -> None:
        with self._lock:
            self.round, self._voters, self._votes = None, set(), {}

    def takes_part(self, who: str) -> bool:
        with self._lock:
            return self.round is not None and who in self._voters

    def vote(self, who: str, item: int, real: bool) -> bool:
        """Record one answer; False (and nothing changes) for someone outside the round or a second answer."""
        with self._lock:
            if self.round is None or who not in self._voters or not 0 <= item < len(self.round.items):
                return False
            mine = self._votes.setdefault(who, {})
            if item in mine:
                return False
            mine[item] = bool(real)
            return True

    def answers(self, who: str) -> dict[int, bool]:
        with self._lock:
            return dict(self._votes.get(who, {}))

    def tally(self) -> dict:
        """What the presenter's screen shows: how many answered, each one's accuracy, the share who called
        each item real, the class's accuracy beside D's."""
        with self._lock:
            r, votes, voters = self.round, {k: dict(v) for k, v in self._votes.items()}, len(self._voters)
        if r is None:
            return {}
        per_person = [score(r, v)["accuracy"] for v in votes.values() if v]
        real_share = []
        for i in range(len(r.items)):
            called = [v[i] for v in votes.values() if i in v]
            real_share.append(float(np.mean(called)) if called else None)
        all_answers = [(v[i] == r.items[i].real) for v in votes.values() for i in v]
        return {"voters": voters, "answered": sum(1 for v in votes.values() if v),
                "complete": sum(1 for v in votes.values() if len(v) == len(r.items)),
                "accuracies": per_person, "real_share": real_share,
                "class_accuracy": float(np.mean(all_answers)) if all_answers else None,
                "d_accuracy": r.d_accuracy, "d_real": [it.d_real for it in r.items], "truth": [it.real for it in r.items]}


QUIZ = ClassQuiz()  # one per server process, beside the lecture
