"""Measurements: the trainer against reference training loops (the PyTorch tutorial's, a bare CUDA graph), time
to quality, and the training figures the docs cite, each ``python -m ganlab bench NAME`` (``FIGURES``)."""

from __future__ import annotations

import importlib
import sys

# name -> (module under ganlab.benchmark, what it measures); each module's main(argv) parses its own flags
FIGURES = {
    "time-to-quality": ("time_to_quality", "seconds of training until a run reaches each mark, over seeds"),
    "recipe-sweep": ("recipe_sweep", "named recipes, each trained for a fixed budget, with each mark's time"),
    "mode-coverage": ("mode_coverage", "modes covered by the app's defaults over many seeds"),
    "variant-trace": ("variant_trace", "one MNIST or Fashion-MNIST variant trained and judged as it goes"),
    "r1-cost": ("r1_cost", "what the R1 penalty costs in steps/s, side by side"),
    "ema-trial": ("ema_trial", "G against a running average of its weights, one seed"),
}


def run_figure(name: str, argv: list[str]) -> int:
    """``python -m ganlab bench NAME ARGS...``: that measurement's own command line."""
    module = importlib.import_module(f"ganlab.benchmark.{FIGURES[name][0]}")
    sys.argv[0] = f"python -m ganlab bench {name}"  # what its usage line names
    module.main(argv)
    return 0
