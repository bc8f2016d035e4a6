"""The learning rates' schedule: constant, then, from a set step, a cosine fall to a fraction of themselves.

A GAN trained at a constant rate keeps circling its equilibrium: its samples jitter around the modes and
some sit between them, where G's map from one latent region to the next has to cross. Lowering both
rates late in a run lets the two networks settle (CycleGAN's paper keeps its rate for 100 epochs, then
decays it linearly to zero over 100 more). The fall here is a half cosine (Loshchilov & Hutter's SGDR,
without restarts) from the rates set to ``anneal_to`` times them over ``anneal_steps`` steps, starting after
step ``anneal_start``; afterwards the rates stay at that fraction. A rate changed mid-run (the sliders) moves the rate the
schedule scales, so the fall continues from the new value.

The schedule is set in steps, not as a fraction of a run, because a run in the app has no set end.
"""

from __future__ import annotations

import math

# During a fall the rates go down a staircase: a change at most every TICK steps (a captured CUDA step is
# re-captured at each), and at least STAIRS changes over the fall (a short fall changes them every step).
TICK = 100
STAIRS = 100


def stair(steps: int) -> int:
    """How many steps a rate holds during a fall of ``steps`` steps."""
    return max(1, min(TICK, steps // STAIRS))


def anneal_factor(step: int, start: int, steps: int, to: float) -> float:
    """The fraction of the set rates used for the step after ``step`` steps (1 before the fall; ``start`` 0 = never):
    the cosine's value at the first step of the stair ``step`` is on, so that however a run's steps are split
    into blocks, each step gets the same rate."""
    if not start or step < start:
        return 1.0
    if step >= start + steps:
        return to
    first = start + (step - start) // stair(steps) * stair(steps)
    return to + (1 - to) * 0.5 * (1 + math.cos(math.pi * (first - start) / steps))


def tick(step: int, start: int, steps: int) -> int:
    """Steps from ``step`` until the rates change again (at least 1), or 0 if they never change again. Blocks
    of steps are split there: a staircase down the cosine, each stair at the factor of its first step."""
    if not start or step >= start + steps:
        return 0
    if step < start:
        return start - step
    return min(stair(steps) - (step - start) % stair(steps), start + steps - step)
