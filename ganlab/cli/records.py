"""The run database (``runs``) and your own data (``data``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ganlab.cli.common import CLIError
from ganlab.data.catalog import default_data_dir
from ganlab.persist.runs_db import RunsDB


def cmd_runs(ns: argparse.Namespace) -> int:
    db = RunsDB(ns.db)
    if ns.action == "list":
        runs = [r.summary() for r in db.runs()]
        if ns.json:
            print(json.dumps(runs, indent=1))
        elif not runs:
            print(f"no runs recorded in {db.path} yet")
        else:
            print(f"{'id':>5}  {'started':19}  {'status':9}  {'steps':>8}  {'source':12}  title")
            for r in runs:
                print(f"{r['id']:>5}  {r['started']:19}  {r['status']:9}  {r['steps']:>8}  {r['source'][:12]:12}  {r['title']}")
        return 0
    if ns.id is None:
        raise CLIError(f"runs {ns.action} needs a run id (python -m ganlab runs list)")
    if ns.action == "show":
        run = db.get(ns.id)
        m = db.metrics(ns.id)
        last = dict(zip(run.fields, m.mean[-1].tolist())) if len(m.mean) else {}
        print(json.dumps({**run.summary(), "config": run.config, "last": last, "rows_stored": len(m.mean),
                          "quality": db.quality(ns.id)[-1:] or None, "checkpoints": db.checkpoints(ns.id)}, indent=1))
    elif ns.action == "export":
        text = db.export(ns.id, ns.format)
        if ns.out:
            ns.out.write_text(text)
            print(f"wrote run {ns.id} as {ns.format} to {ns.out}")
        else:
            sys.stdout.write(text)
    elif ns.action == "delete":
        db.delete(ns.id)
        print(f"deleted run {ns.id} from {db.path}")
    return 0


def cmd_data(ns: argparse.Namespace) -> int:
    from ganlab.data.user_data import UploadError, import_file, list_datasets, user_root

    if ns.action == "list":
        found = list_datasets(ns.data_dir)
        for m in found:
            print(f"user:{m['name']:24} {m['kind']:7} {m['count']:>7,}  shape {m['shape']}  classes {len(m['classes'])}")
        if not found:
            print(f"no imported datasets in {user_root(ns.data_dir)}")
        return 0
    if ns.file is None or ns.name is None:
        raise CLIError("data import needs a FILE and --name NAME")
    path = Path(ns.file)
    try:
        data = path.read_bytes() if path.stat().st_size <= 100 * 2**20 else None
    except OSError as err:
        raise CLIError(f"{path} cannot be read: {err.strerror or err}") from err
    if data is None:
        raise CLIError(f"{path} is over 100 MB; uploads are limited to 100 MB")
    try:
        result = import_file(path.name, data, ns.name, ns.data_dir, colour=ns.colour)
    except UploadError as err:
        raise CLIError(str(err)) from err
    print(result.message, f"Train on it with --data user:{result.name}")
    return 0


def add_commands(sub) -> None:
    runs = sub.add_parser("runs", help="the run database: list, show, export or delete recorded runs")
    runs.add_argument("action", choices=("list", "show", "export", "delete"))
    runs.add_argument("id", type=int, nargs="?")
    runs.add_argument("--json", action="store_true", help="list: as JSON")
    runs.add_argument("--format", choices=("csv", "json"), default="json", help="export: the format")
    runs.add_argument("--out", type=Path, default=None, help="export: write to this file instead of the terminal")
    runs.add_argument("--db", type=Path, default=None, help="the database (default $GANLAB_RUNS_DB or runs/ganlab.sqlite)")
    runs.set_defaults(func=cmd_runs)

    data = sub.add_parser("data", help="import your own data (a CSV of points, a zip of images) as user:NAME")
    data.add_argument("action", choices=("import", "list"))
    data.add_argument("file", nargs="?", help="import: a .csv of 1-D/2-D points or a .zip of PNG/JPEG images")
    data.add_argument("--name", help="import: the dataset's name (then --data user:NAME)")
    data.add_argument("--colour", action="store_true", help="import: keep images in colour at 3x32x32")
    data.add_argument("--data-dir", default=default_data_dir(), help="the data folder (user datasets live in DIR/user)")
    data.set_defaults(func=cmd_data)
