"""Training data: 1-D and 2-D mixtures drawn from formulas, and image sets held on the device."""
