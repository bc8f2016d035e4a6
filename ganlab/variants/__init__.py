"""One module per GAN variant, registered into the shared machinery (the trainer, store, charts, checkpoints, CLI).

A variant module holds its networks, the two halves of its step and the metrics it records
(see ``base.py``). Adding one means writing its module and adding its registration line below.
"""

from ganlab.variants.base import (BASE_METRICS, CHART_GROUPS, Code, Half, Metric, Translation, Variant,  # isort: skip
                                  all_variants, default_for, get, names, register)

# The registration lines: importing a module registers its variants, in this order in the model picker.
from ganlab.variants import vanilla, conditional  # noqa: E402,F401  isort: skip
from ganlab.variants import acgan, infogan, ssgan  # noqa: E402,F401  isort: skip
from ganlab.variants import pix2pix, cyclegan, discogan  # noqa: E402,F401  isort: skip
from ganlab.variants import stylegan, stackgan  # noqa: E402,F401  isort: skip

from ganlab.variants.build import build_models, build_nets, model_args, networks_on_meta  # noqa: E402  isort: skip

__all__ = ["BASE_METRICS", "CHART_GROUPS", "Code", "Half", "Metric", "Translation", "Variant", "all_variants",
           "build_models", "build_nets", "default_for", "get", "model_args", "names", "networks_on_meta", "register"]
