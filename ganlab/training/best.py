"""Checkpoints as early stopping: keep the run's best state on disk by its live quality figure, so a
run that later collapses (or diverges) still leaves its best behind.

What "best" means follows the figures the run has: on data with known modes, modes covered and then
the share of high-quality samples; for a conditional MNIST model, label agreement; for the
semi-supervised GAN, D's test accuracy; on other 2-D data, the lowest grid JS.
"""

from __future__ import annotations

from ganlab.said import said


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
        return said("{covered}/{modes} modes, {high:.1%} high quality", covered=figures["modes_covered"],
                    modes=figures["n_modes"], high=figures["high_quality"])
    if "label_agreement" in figures:
        return said("{share:.1%} label agreement", share=figures["label_agreement"])
    if "test_accuracy" in figures:
        return said("{share:.1%} test accuracy", share=figures["test_accuracy"])
    return said("grid JS {js:.3f}", js=figures.get("grid_js", float("nan")))
