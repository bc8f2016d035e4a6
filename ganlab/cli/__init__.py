"""``python -m ganlab``: train, sample, judge and explore headless, with the same library the app uses."""

from __future__ import annotations

import argparse
import sys

from ganlab.cli import models, records, training
from ganlab.cli.common import CLIError
from ganlab.config import ConfigError
from ganlab.data.datasets import DatasetUnavailable
from ganlab.persist.checkpoint import CheckpointError
from ganlab.persist.runs_db import RunsDBError

__all__ = ["CLIError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ganlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (training, models, records):
        group.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        return ns.func(ns)
    except (CLIError, ConfigError, CheckpointError, DatasetUnavailable, RunsDBError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
