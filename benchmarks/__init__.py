"""Measurements behind docs/: each runs as ``python -m benchmarks.NAME`` from the repository's root."""
