"""Judging a generator: the LeNet judge, Fréchet distance, mode coverage, live figures.

Importing the package describes the live figures it measures (``ganlab.figures``): PacGAN's and the grid
divergences on 1-D and 2-D data, a conditional model's label agreement.
"""

from ganlab.evaluation import live, quality  # noqa: F401  (each registers the descriptions of its figures)
