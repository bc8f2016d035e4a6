"""A run's networks from its settings: the model arguments a config implies, and the networks they build.

:func:`model_args` asks the run's variant what its networks need (``Variant.model_options``);
:func:`networks_on_meta` builds them on PyTorch's meta device, where a network of any size costs no
memory (so a checkpoint's description can be measured before anything is allocated); :func:`build_nets`
builds them for real and initialises them from the run's seed.
"""

from __future__ import annotations

import torch
from torch import nn

from ganlab.core.models import ModelArgs, initialise
from ganlab.variants.base import dcgan_options, get


def model_args(config, data_shape, data_classes: int) -> ModelArgs:
    """The model arguments of ``config`` (a RunConfig) for data of ``data_shape`` with ``data_classes`` classes."""
    m, v = config.model, get(config.model.arch)
    options = v.model_options(config, data_classes)
    if m.output != "auto":
        options = {**options, "output": m.output}
    options = {**options, **dcgan_options(m)}  # only those set: a checkpoint from before a setting rebuilds as saved
    return ModelArgs(m.arch, m.z_dim, m.hidden, m.depth, tuple(int(s) for s in data_shape),
                     v.class_count(config, data_classes), int(data_classes), tuple(sorted(options.items())))


def networks_on_meta(a: ModelArgs) -> dict[str, nn.Module]:
    """``a``'s networks by name, on the meta device: every shape and dtype, no memory."""
    with torch.device("meta"):
        return get(a.arch).build(a)


def build_nets(a: ModelArgs, *, seed: int = 0) -> dict[str, nn.Module]:
    """Fresh networks of ``a``'s variant, by name, initialised deterministically from ``seed`` (no global seeding)."""
    v = get(a.arch)
    nets = {name: net.to_empty(device="cpu") for name, net in networks_on_meta(a).items()}
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for net in nets.values():
            for t in (*net.parameters(), *net.buffers()):
                if t.is_floating_point():
                    t.fill_(float("nan"))  # so that anything the initialiser below misses is caught
            for module in net.modules():
                initialise(module, generator, dcgan=v.dcgan_init)
    for name, net in nets.items():
        missed = [n for n, t in (*net.named_parameters(), *net.named_buffers()) if t.is_floating_point() and t.isnan().any()]
        if missed:
            raise TypeError(f"{a.arch}'s {name} has tensors no initialiser sets: {', '.join(missed)}")
    return nets


def build_models(a: ModelArgs, *, seed: int = 0) -> tuple[nn.Module, nn.Module]:
    """(gen, disc) of ``a`` (see :func:`build_nets` for every network a variant has)."""
    nets = build_nets(a, seed=seed)
    return nets["gen"], nets["disc"]
