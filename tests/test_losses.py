import math

import pytest
import torch

from ganlab.core import losses as L

R = torch.tensor([2.0, -1.0])
Fk = torch.tensor([0.5, -3.0])


def sig(v):
    return 1 / (1 + math.exp(-v))


def test_minimax_discriminator_by_hand():
    expect = -(math.log(sig(2)) + math.log(sig(-1))) / 2 - (math.log(1 - sig(0.5)) + math.log(1 - sig(-3))) / 2
    assert L.minimax_discriminator_loss(R, Fk).item() == pytest.approx(expect, rel=1e-6)


def test_one_sided_label_smoothing_changes_only_the_real_target():
    s = 0.1
    expect = -sum(0.9 * math.log(sig(r)) + 0.1 * math.log(1 - sig(r)) for r in (2.0, -1.0)) / 2 \
        - (math.log(1 - sig(0.5)) + math.log(1 - sig(-3))) / 2
    assert L.minimax_discriminator_loss(R, Fk, smoothing=s).item() == pytest.approx(expect, rel=1e-6)


def test_generator_losses_by_hand():
    assert L.minimax_generator_loss(Fk).item() == pytest.approx(
        (math.log(1 - sig(0.5)) + math.log(1 - sig(-3))) / 2, rel=1e-6)
    assert L.ns_generator_loss(Fk).item() == pytest.approx(
        -(math.log(sig(0.5)) + math.log(sig(-3))) / 2, rel=1e-6)
    assert L.lsgan_generator_loss(Fk).item() == pytest.approx(0.5 * ((0.5 - 1) ** 2 + (-3 - 1) ** 2) / 2)
    assert L.wasserstein_generator_loss(Fk).item() == pytest.approx(1.25)


def test_discriminator_losses_by_hand():
    assert L.lsgan_discriminator_loss(R, Fk).item() == pytest.approx(
        0.5 * ((2 - 1) ** 2 + (-1 - 1) ** 2) / 2 + 0.5 * (0.25 + 9) / 2)
    assert L.hinge_discriminator_loss(R, Fk).item() == pytest.approx((0 + 2) / 2 + (1.5 + 0) / 2)
    assert L.wasserstein_discriminator_loss(R, Fk).item() == pytest.approx(-1.25 - 0.5)


def test_gradient_penalty_by_hand():
    grad = torch.tensor([[3.0, 4.0], [0.0, 1.0]])  # norms 5 and 1
    assert L.gradient_penalty(grad).item() == pytest.approx((16 + 0) / 2)


def test_minimax_generator_saturates_where_ns_does_not():
    """When D confidently rejects fakes, the saturating loss gives G almost no gradient."""
    logit = torch.tensor([-8.0], requires_grad=True)
    (g_mm,) = torch.autograd.grad(L.minimax_generator_loss(logit), logit)
    (g_ns,) = torch.autograd.grad(L.ns_generator_loss(logit), logit)
    assert abs(g_mm.item()) < 1e-3 < abs(g_ns.item())


def test_registry_covers_every_loss():
    from ganlab.config import LOSSES
    assert set(L.LOSSES) == set(LOSSES)
