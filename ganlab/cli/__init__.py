"""``python -m ganlab``: train, sample, judge and explore headless, with the same library the app uses."""

from __future__ import annotations

import argparse
import sys

from ganlab.benchmark import FIGURES, run_figure
from ganlab.cli.common import CLIError
from ganlab.config import ConfigError
from ganlab.errors import CheckpointError, DatasetUnavailable, UploadError
from ganlab.persist.runs_db import RunsDBError

__all__ = ["CLIError", "build_parser", "main"]


LIGHT = ("runs", "data")  # commands that need no torch: they start in a fraction of a second


def build_parser(light: bool = False) -> argparse.ArgumentParser:
    """Every command's parser; only the light ones' (no torch imported) when ``light``."""
    from ganlab.cli import records

    parser = argparse.ArgumentParser(prog="python -m ganlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    groups = [records]
    if not light:
        from ganlab.cli import detect, models, training

        groups = [training, models, detect, records]
    for group in groups:
        group.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"] and len(argv) > 1 and argv[1] in FIGURES:  # a figure's own command line
        return run_figure(argv[1], argv[2:])
    parser = build_parser(light=bool(argv) and argv[0] in LIGHT)
    ns = parser.parse_args(argv)
    try:
        return ns.func(ns)
    except (CLIError, ConfigError, RunsDBError, CheckpointError, DatasetUnavailable, UploadError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
