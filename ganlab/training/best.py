"""Checkpoints as early stopping: keep the run's best state on disk by its live quality figure, so a
run that later collapses (or diverges) still leaves its best behind.

What "best" means follows the figures the run has: on data with known modes, modes covered and then
the share of high-quality samples; for a conditional MNIST model, label agreement; for the
semi-supervised GAN, D's test accuracy; on other 2-D data, the lowest grid JS.
"""

from __future__ import annotations


def score(figures: dict) -> tuple | None:
    """A sortable score of live figures (higher is better), or None when there is nothing to judge by."""
    if "modes_covered" in figures:
        return (figures["modes_covered"], figures["high_quality"])
    for key in ("label_agreement", "test_accuracy"):
        if key in figures:
            return (figures[key],)
    if "grid_js" in figures:
        return (-figures["grid_js"],)
    return None


def describe(figures: dict) -> str:
    if "modes_covered" in figures:
        return f"{figures['modes_covered']}/{figures['n_modes']} modes, {figures['high_quality']:.1%} high quality"
    if "label_agreement" in figures:
        return f"{figures['label_agreement']:.1%} label agreement"
    if "test_accuracy" in figures:
        return f"{figures['test_accuracy']:.1%} test accuracy"
    return f"grid JS {figures.get('grid_js', float('nan')):.3f}"
