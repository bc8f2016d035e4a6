"""The learning rates' schedule: a cosine fall from a set step, applied by the trainer and by runs stepped together."""

import math

import numpy as np
import pytest

from ganlab.config import ConfigError, default_config
from ganlab.pool import stacked
from ganlab.training.schedule import anneal_factor, tick
from ganlab.training.trainer import Trainer

FALL = dict(anneal_start=20, anneal_steps=40, anneal_to=0.1)


def test_the_factor_is_one_then_a_half_cosine_then_its_floor():
    assert anneal_factor(0, 0, 100, 0.1) == 1.0 and anneal_factor(10**6, 0, 100, 0.1) == 1.0  # start 0: never
    assert anneal_factor(99, 100, 50, 0.1) == 1.0 and anneal_factor(100, 100, 50, 0.1) == 1.0
    assert math.isclose(anneal_factor(125, 100, 50, 0.1), 0.55)  # half way: half way down
    assert math.isclose(anneal_factor(150, 100, 50, 0.1), 0.1) and math.isclose(anneal_factor(900, 100, 50, 0.1), 0.1)
    falls = [anneal_factor(s, 100, 50, 0.1) for s in range(100, 151)]
    assert all(a > b for a, b in zip(falls, falls[1:]))
    # a long fall holds each rate for a stair of 100 steps, valued at the stair's first step
    assert anneal_factor(10050, 10000, 10000, 0.05) == anneal_factor(10099, 10000, 10000, 0.05) == 1.0
    assert anneal_factor(10150, 10000, 10000, 0.05) == anneal_factor(10100, 10000, 10000, 0.05) < 1.0
    assert anneal_factor(19999, 10000, 10000, 0.05) > 0.05 == anneal_factor(20000, 10000, 10000, 0.05)


def test_ticks_split_a_fall_into_stairs_of_at_most_a_hundred_steps():
    assert tick(0, 0, 10000) == 0  # no schedule
    assert tick(3, 10000, 10000) == 9997  # until the fall begins
    assert tick(10000, 10000, 10000) == 100 and tick(10050, 10000, 10000) == 50
    assert tick(19950, 10000, 10000) == 50 and tick(20000, 10000, 10000) == 0  # settled: no more changes
    assert tick(25, 20, 40) == 1  # a short fall changes every step


def test_a_run_follows_the_schedule_and_marks_the_fall():
    t = Trainer(default_config("ring8", seed=1, device="cpu", **FALL))
    o = t.config.optim
    t.run(20)
    assert t.parts.opt_d.param_groups[0]["lr"] == o.lr_d  # not fallen yet
    t.run(20)  # half way down
    assert math.isclose(t.parts.opt_g.param_groups[0]["lr"], o.lr_g * anneal_factor(39, 20, 40, 0.1))
    t.run(40)
    assert math.isclose(t.parts.opt_d.param_groups[0]["lr"], o.lr_d * 0.1)
    assert [e for e in t.store.snapshot().events] == [(21, "rates fall"), (61, "rates settled")]


def test_the_same_schedule_whatever_the_blocks():
    """A run trained in one block of 80 steps and one trained in blocks of 7 change their rates at the same
    steps (stairs of 2 steps here, so most blocks of 7 begin mid-stair), so they record the same figures and end
    with the same weights."""
    fall = dict(FALL, anneal_steps=200)
    one, many = (Trainer(default_config("ring8", seed=2, device="cpu", **fall)) for _ in range(2))
    one.run(80)
    while many.step < 80:
        many.run(min(7, 80 - many.step))
    np.testing.assert_array_equal(many.store.snapshot().mean[:, 1:7], one.store.snapshot().mean[:, 1:7])
    for a, b in zip(one.shown_generator.parameters(), many.shown_generator.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_a_rate_moved_mid_fall_keeps_falling_from_the_new_value():
    t = Trainer(default_config("ring8", seed=1, device="cpu", **FALL))
    t.run(30)
    t.set_hparams(lr_d=1e-3)
    t.run(1)
    assert math.isclose(t.parts.opt_d.param_groups[0]["lr"], 1e-3 * anneal_factor(30, 20, 40, 0.1))


def test_runs_at_different_rates_and_points_of_their_fall_step_together_as_alone():
    """Runs stepped together each keep their own rate: set differently, and at a different point of their fall."""
    # two layers: see test_pool's comparison; seed 1 at 1e-3 is one whose rounding grows fast, at 2e-3 it does not
    fall = dict(anneal_start=8, anneal_steps=16, anneal_to=0.1, depth=2)
    configs = [default_config("ring8", seed=s, device="cpu", lr_d=lr, **fall) for s, lr in enumerate((1e-3, 2e-3, 5e-4))]
    alone, together = [Trainer(c) for c in configs], [Trainer(c) for c in configs]
    alone[2].run(10)
    together[2].run(10)  # the third run is 10 steps ahead, half way down when the others begin their fall
    assert stacked.signature(together[0]) == stacked.signature(together[2])
    for t in alone:
        t.run(30)
    for _ in range(30):  # one step a turn: whoever's rate changes, each turn holds it
        assert stacked.run_together(together, 1) == [None, None, None]
    for a, b in zip(alone, together):
        np.testing.assert_allclose(b.store.snapshot().mean[:, 1:7], a.store.snapshot().mean[:, 1:7], rtol=1e-4,
                                   atol=1e-6)
        assert math.isclose(b.parts.opt_d.param_groups[0]["lr"], a.parts.opt_d.param_groups[0]["lr"])
    assert [t.steps_to_next_rate() for t in together] == [0, 0, 0]  # all settled
    early = [Trainer(c) for c in configs[:2]]
    for t in early:
        t.run(12)
    assert stacked.steps_for(early, 10.0, [500, 500]) == 1  # inside the fall: a turn is a stair, one step here


def test_bad_schedules_are_refused():
    with pytest.raises(ConfigError, match="anneal_to"):
        default_config("ring8", anneal_to=0.0)
    with pytest.raises(ConfigError, match="anneal_steps"):
        default_config("ring8", anneal_steps=0)
