"""Judging a generator: the LeNet judge, Fréchet distance, mode coverage, and the speed benchmark."""
