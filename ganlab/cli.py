"""``python -m ganlab``: train and sample headless, with the same library the app uses."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from ganlab.config import ConfigError, RunConfig, default_config, field_specs
from ganlab.data.datasets import DatasetUnavailable
from ganlab.persist.checkpoint import CHECKPOINT_NAME, CheckpointError, load, save
from ganlab.persist.runs_db import RunRecorder, RunsDB, RunsDBError
from ganlab.training.capacity import interactive_threads
from ganlab.training.trainer import Diverged, Trainer


class CLIError(Exception):
    """A problem the person running the command can fix; printed without a traceback."""


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    types = {"int": int, "float": float, "str": str}
    for name, spec in field_specs().items():
        kwargs = {"type": types[spec["type"]], "default": argparse.SUPPRESS,
                  "help": f"{spec.get('help', '')} (default {spec['default']})".strip()}
        if spec.get("choices"):
            kwargs["choices"] = spec["choices"]
        parser.add_argument("--" + name.replace("_", "-"), dest=name, **kwargs)
    parser.add_argument("--config", type=Path, help="a JSON file of settings (flat names or a saved config)")


def config_from_args(ns: argparse.Namespace) -> RunConfig:
    """Defaults for the dataset, then --config FILE, then explicit flags."""
    flat = {k: v for k, v in vars(ns).items() if k in field_specs()}
    from_file: dict = {}
    if ns.config is not None:
        try:
            loaded = json.loads(ns.config.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise CLIError(f"--config {ns.config}: {err}") from err
        if isinstance(loaded, dict) and {"data", "model", "optim"} & set(loaded) and all(
                isinstance(loaded.get(k, {}), dict) for k in ("data", "model", "optim")):
            from_file = RunConfig.from_dict(loaded).flat()
        elif isinstance(loaded, dict):
            from_file = loaded
        else:
            raise CLIError(f"--config {ns.config}: expected a JSON object of settings")
    merged = {**from_file, **flat}
    data = merged.pop("data", "ring8")
    return default_config(data, **merged)


def cmd_train(ns: argparse.Namespace) -> int:
    config = config_from_args(ns)
    if ns.threads < 0:
        raise CLIError(f"--threads must be 0 (automatic) or more, got {ns.threads}")
    torch.set_num_threads(ns.threads or interactive_threads())
    out = ns.out or Path("runs") / f"{config.data.name}-{config.model.arch}-s{config.seed}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(config.to_dict(), indent=2))
    with open(out / "metrics.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        trainer = Trainer(config)
        writer.writerow(trainer.fields)
        recorder = RunRecorder(RunsDB(), source="cli")
        recorder.begin(trainer)
        trainer.store.sink = lambda rows: writer.writerows(
            [int(r[0]), *(f"{v:.7g}" for v in r[1:])] for r in rows)
        print(f"training {trainer.variant.title} on {config.data.name} with the {config.optim.loss} loss "
              f"on {trainer.device} for {config.steps} steps -> {out}", flush=True)
        status = _train_loop(trainer, config.steps, out, ns.save_every, ns.seconds, recorder)
    path = out / CHECKPOINT_NAME
    if status == 0:
        save(trainer, path, optimisers=not ns.without_optimisers)
        recorder.checkpoint(trainer.step, path.resolve())
    recorder.flush(trainer, status="finished" if status == 0 else "diverged", force=True, finished=True)
    if recorder.note:
        print(f"warning: {recorder.note}", file=sys.stderr)
    elif recorder.run_id is not None:
        print(f"recorded as run {recorder.run_id} in {recorder.db.path} (python -m ganlab runs show {recorder.run_id})")
        rate = trainer.step / trainer.train_seconds if trainer.train_seconds else float("nan")
        print(f"done: {trainer.step} steps in {trainer.train_seconds:.1f} s = {rate:.1f} steps/s; "
              f"checkpoint {path}; metrics {out / 'metrics.csv'}")
    return status


def _train_loop(trainer: Trainer, steps: int, out: Path, save_every: int, seconds: float | None = None,
                recorder: RunRecorder | None = None) -> int:
    """Train to ``steps`` (or until ``seconds`` of training, pauses and saving excluded, have passed)."""
    last_print = time.perf_counter()
    block = 50
    while trainer.step < steps and (seconds is None or trainer.train_seconds < seconds):
        n = min(block, steps - trainer.step)
        try:
            trainer.run(n)
        except Diverged as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        if save_every and trainer.step % save_every < n:
            save(trainer, out / CHECKPOINT_NAME)
            if recorder is not None:
                recorder.checkpoint(trainer.step, (out / CHECKPOINT_NAME).resolve())
        if recorder is not None:
            recorder.flush(trainer, status="running")
        now = time.perf_counter()
        if now - last_print > 2 or trainer.step == steps or seconds is not None and trainer.train_seconds >= seconds:
            last = trainer.store.snapshot().last
            print(f"step {trainer.step:>7}/{steps}  d_loss {last['d_loss']:.3f}  g_loss {last['g_loss']:.3f}  "
                  f"D(x) {last['d_real']:.2f}  D(G(z)) {last['d_fake']:.2f}  "
                  + "".join(f"{name} {last[name]:.3g}  " for name in trainer.variant.extra_metrics)
                  + f"{trainer.store.steps_per_second():.0f} steps/s", flush=True)
            last_print = now
    return 0


def cmd_sample(ns: argparse.Namespace) -> int:
    from ganlab.explore.sampling import generate

    ckpt = load(ns.checkpoint)
    try:
        x, labels = generate(ckpt, ns.n, seed=ns.seed, class_=ns.class_, device=ns.device,
                             truncation=ns.truncation, text=ns.text)
    except ValueError as err:
        raise CLIError(str(err)) from err
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(ns.out, x)
    print(f"wrote {x.shape} samples to {ns.out}")
    if ns.labels_out is not None:
        if labels is None:
            raise CLIError("--labels-out: this model is unconditional and draws no labels")
        np.save(ns.labels_out, labels)
        print(f"wrote {labels.shape} labels to {ns.labels_out}")
    return 0


MAX_CLASSIFY_BYTES = 512 * 2**20  # an images file larger than this is refused before it is read


def read_images(path: Path, *, max_bytes: int = MAX_CLASSIFY_BYTES) -> np.ndarray:
    """(N, 1, 28, 28) float images in [-1, 1] from a .npy file, checked before and after reading; no pickles."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise CLIError(f"{path} cannot be read: {err.strerror or err}") from err
    if size > max_bytes:
        raise CLIError(f"{path} is {size / 2**20:.0f} MB; at most {max_bytes // 2**20} MB of images at a time")
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise CLIError(f"{path} is not a .npy array of numbers ({err})") from err
    if x.ndim != 4 or x.shape[1:] != (1, 28, 28) or not np.issubdtype(x.dtype, np.number):
        raise CLIError(f"{path} holds an array of shape {x.shape} ({x.dtype}); expected (N, 1, 28, 28) numbers")
    x = x.astype(np.float32)
    if not np.isfinite(x).all() or x.min() < -1.001 or x.max() > 1.001:
        raise CLIError(f"{path}: images must be finite and in [-1, 1] (as `sample` writes them)")
    return x


def read_points(path: Path, *, max_bytes: int = MAX_CLASSIFY_BYTES) -> np.ndarray:
    """(N, 2) finite points from a .npy file (no pickles), size checked before reading."""
    if path.is_file() and path.stat().st_size > max_bytes:
        raise CLIError(f"{path} is over {max_bytes // 2**20} MB")
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise CLIError(f"{path} is not a .npy array of numbers ({err})") from err
    if x.ndim != 2 or x.shape[1] != 2 or not np.issubdtype(x.dtype, np.number) or not np.isfinite(x).all():
        raise CLIError(f"{path} holds an array of shape {x.shape} ({x.dtype}); expected (N, 2) finite points")
    return x.astype(np.float32)


def cmd_translate(ns: argparse.Namespace) -> int:
    from ganlab.explore.translate import translate

    ckpt = load(ns.checkpoint)
    t = ckpt.variant.translation(ckpt.args)
    if t is None:
        raise CLIError(f"{ns.checkpoint} is a {ckpt.variant.title}, which draws from noise; translate takes a "
                       "translation model (pix2pix, cyclegan)")
    if ns.direction == "b2a" and not t.cycle:
        raise CLIError(f"{ckpt.variant.title} translates one way only ({t.a} to {t.b}); use --direction a2b")
    points = len(ckpt.args.data_shape) == 1
    x = torch.from_numpy(read_points(ns.images) if points else read_images(ns.images))
    y = translate(ckpt.build_nets("cpu"), ckpt.variant, x, ns.direction).numpy()
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(ns.out, y)
    source, target = (t.a, t.b) if ns.direction == "a2b" else (t.b, t.a)
    print(f"translated {len(x)} {source}(s) into {target}(s): {y.shape} -> {ns.out}")
    return 0


def cmd_mix(ns: argparse.Namespace) -> int:
    from ganlab.core.models import sample_z
    from ganlab.explore.styles import style_mix

    ckpt = load(ns.checkpoint)
    blocks = ckpt.variant.style_blocks(ckpt.args)
    if not blocks:
        raise CLIError(f"{ns.checkpoint} is a {ckpt.variant.title}; mix takes a style-based model (stylegan)")
    if not 0 <= ns.crossover <= len(blocks):
        raise CLIError(f"--crossover must be between 0 and {len(blocks)} (blocks: {', '.join(blocks)}), got {ns.crossover}")
    if ns.n < 1:
        raise CLIError(f"--n must be at least 1, got {ns.n}")
    z = sample_z(2 * ns.n, ckpt.args.z_dim, ckpt.config.model.latent, torch.Generator().manual_seed(ns.seed), "cpu")
    a, b, mixed = style_mix(ckpt.build_generator("cpu"), z[:ns.n], z[ns.n:], ns.crossover, truncation=ns.truncation)
    ns.out.mkdir(parents=True, exist_ok=True)
    for name, x in (("a", a), ("b", b), ("mixed", mixed)):
        np.save(ns.out / f"{name}.npy", x)
    print(f"wrote a.npy, b.npy and mixed.npy ({a.shape}) to {ns.out}: blocks before {ns.crossover} "
          f"({', '.join(blocks[:ns.crossover]) or 'none'}) from A, the rest from B")
    return 0


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


def cmd_classify(ns: argparse.Namespace) -> int:
    ckpt = load(ns.checkpoint)
    nets = ckpt.build_nets("cpu")
    classifiers = ckpt.variant.classifiers(nets)
    if not classifiers:
        raise CLIError(f"{ns.checkpoint} is a {ckpt.variant.title}, which trains no classifier; classify takes a "
                       f"checkpoint of a model that does (acgan, ssgan, infogan)")
    name, classify = next(iter(classifiers.items()))
    x = torch.from_numpy(read_images(ns.images))
    with torch.no_grad():
        pred = np.concatenate([classify(x[i:i + 1000]).argmax(1).numpy() for i in range(0, len(x), 1000)])
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(ns.out, pred.astype(np.int64))
    print(f"wrote {pred.shape} classes predicted by {name} to {ns.out}; counts {np.bincount(pred).tolist()}")
    return 0


def cmd_eval(ns: argparse.Namespace) -> int:
    from ganlab.evaluation.evaluate import evaluate

    try:
        result = evaluate(load(ns.checkpoint), data_dir=ns.data_dir, n=ns.n, seed=ns.seed,
                          classifier_path=ns.classifier)
    except ValueError as err:
        raise CLIError(str(err)) from err
    text = json.dumps(result, indent=2)
    print(text)
    if ns.json is not None:
        ns.json.write_text(text + "\n")
    return 0


def cmd_classifier(ns: argparse.Namespace) -> int:
    from ganlab.data.datasets import load_images
    from ganlab.evaluation.classifier import save_classifier, train_classifier

    train = load_images("mnist", ns.data_dir, train=True)
    test = load_images("mnist", ns.data_dir, train=False)
    t0 = time.perf_counter()
    model, acc = train_classifier(train, test, epochs=ns.epochs, seed=ns.seed)
    save_classifier(model, ns.out, test_accuracy=acc)
    print(f"test accuracy {acc:.4f} after {ns.epochs} epochs in {time.perf_counter() - t0:.0f} s -> {ns.out}")
    return 0


def cmd_bench(ns: argparse.Namespace) -> int:
    from ganlab.evaluation.bench import markdown, run_bench, write_json

    if not (Path(ns.data_dir) / "MNIST" / "raw").is_dir():
        raise CLIError(f"bench needs MNIST in torchvision's layout under {ns.data_dir} (MNIST/raw/...); "
                       f"pass --data-dir")
    if ns.threads:
        torch.set_num_threads(ns.threads)
    result = run_bench(ns.data_dir, ns.device, {"mlp": ns.mlp_steps, "dcgan": ns.dcgan_steps},
                       quality=not ns.no_quality)
    print(markdown(result))
    if ns.json:
        write_json(result, ns.json)
    return 0


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < 10**7:
        raise argparse.ArgumentTypeError(f"seconds must be more than 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ganlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a GAN headless; writes metrics.csv and a checkpoint")
    _add_config_flags(train)
    train.add_argument("--out", type=Path, help="output folder (default runs/DATA-MODEL-sSEED)")
    train.add_argument("--save-every", type=int, default=0, help="also checkpoint every N steps")
    train.add_argument("--without-optimisers", action="store_true",
                       help="leave Adam's state out of the final checkpoint: a smaller file (how the larger "
                            "pretrained models ship); a run resumed from it starts its optimisers afresh")
    train.add_argument("--seconds", type=_positive_seconds, default=None,
                       help="stop after this many seconds of training (start-up, saving and printing excluded), "
                            "even before --steps; then write the checkpoint as usual")
    train.add_argument("--threads", type=int, default=0,
                       help="torch threads (0: half the cores, at most 4; torch's own default of every core "
                            "slows small models down as soon as anything else runs)")
    train.set_defaults(func=cmd_train)

    sample = sub.add_parser("sample", help="write generated samples to a .npy file")
    sample.add_argument("checkpoint", type=Path, help=f"a run folder (holding {CHECKPOINT_NAME}) or a checkpoint file")
    sample.add_argument("--n", type=int, default=2500)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--class", dest="class_", type=int, default=None,
                        help="models with a class input: this class only (InfoGAN: this categorical code)")
    sample.add_argument("--truncation", type=float, default=1.0,
                        help="style-based models: the truncation trick's psi (1: none; smaller: more typical samples)")
    sample.add_argument("--text", default=None, help='text-to-image models: a caption, for example "bold seven"')
    sample.add_argument("--out", type=Path, default=Path("samples.npy"))
    sample.add_argument("--labels-out", type=Path, default=None)
    sample.add_argument("--device", default="cpu")
    sample.set_defaults(func=cmd_sample)

    classify = sub.add_parser("classify", help="classes predicted by a model's own classifier (D's head, Q) for images")
    classify.add_argument("checkpoint", type=Path)
    classify.add_argument("--images", type=Path, required=True, help="(N, 1, 28, 28) images in [-1, 1], a .npy file")
    classify.add_argument("--out", type=Path, default=Path("pred.npy"))
    classify.set_defaults(func=cmd_classify)

    tr = sub.add_parser("translate", help="put images (or 2-D points) through a translation model (pix2pix, cyclegan)")
    tr.add_argument("checkpoint", type=Path)
    tr.add_argument("--images", type=Path, required=True,
                    help="(N, 1, 28, 28) images in [-1, 1] (pix2pix: outlines), or (N, 2) points for 2-D models")
    tr.add_argument("--out", type=Path, default=Path("translated.npy"))
    tr.add_argument("--direction", choices=("a2b", "b2a"), default="a2b", help="b2a: the way back (cycle models)")
    tr.set_defaults(func=cmd_translate)

    mix = sub.add_parser("mix", help="style mixing for a style-based model: a.npy, b.npy and mixed.npy")
    mix.add_argument("checkpoint", type=Path)
    mix.add_argument("--n", type=int, default=16)
    mix.add_argument("--seed", type=int, default=0, help="the first n latents are A's, the next n B's")
    mix.add_argument("--crossover", type=int, default=1, help="blocks before K take A's style, from K on B's")
    mix.add_argument("--truncation", type=float, default=1.0)
    mix.add_argument("--out", type=Path, default=Path("mix"))
    mix.set_defaults(func=cmd_mix)

    runs = sub.add_parser("runs", help="the run database: list, show, export or delete recorded runs")
    runs.add_argument("action", choices=("list", "show", "export", "delete"))
    runs.add_argument("id", type=int, nargs="?")
    runs.add_argument("--json", action="store_true", help="list: as JSON")
    runs.add_argument("--format", choices=("csv", "json"), default="json", help="export: the format")
    runs.add_argument("--out", type=Path, default=None, help="export: write to this file instead of the terminal")
    runs.add_argument("--db", type=Path, default=None, help="the database (default $GANLAB_RUNS_DB or runs/ganlab.sqlite)")
    runs.set_defaults(func=cmd_runs)

    from ganlab.config import default_data_dir

    data = sub.add_parser("data", help="import your own data (a CSV of points, a zip of images) as user:NAME")
    data.add_argument("action", choices=("import", "list"))
    data.add_argument("file", nargs="?", help="import: a .csv of 1-D/2-D points or a .zip of PNG/JPEG images")
    data.add_argument("--name", help="import: the dataset's name (then --data user:NAME)")
    data.add_argument("--colour", action="store_true", help="import: keep images in colour at 3x32x32")
    data.add_argument("--data-dir", default=default_data_dir(), help="the data folder (user datasets live in DIR/user)")
    data.set_defaults(func=cmd_data)
    from ganlab.evaluation.evaluate import CLASSIFIER_PATH

    ev = sub.add_parser("eval", help="quality figures for a checkpoint (modes for 2-D, LeNet judge for MNIST)")
    ev.add_argument("checkpoint", type=Path)
    ev.add_argument("--n", type=int, default=None, help="samples (default 2500 for 2-D, 10000 for MNIST)")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--data-dir", default=None, help="MNIST folder (default: the checkpoint's, or GANLAB_DATA)")
    ev.add_argument("--classifier", type=Path, default=CLASSIFIER_PATH)
    ev.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", help="steps/s of the tutorial loop vs the project's trainer; time to quality")
    bench.add_argument("--data-dir", default=default_data_dir())
    bench.add_argument("--device", default="auto")
    bench.add_argument("--mlp-steps", type=int, default=300, help="timed steps per mlp measurement")
    bench.add_argument("--dcgan-steps", type=int, default=30, help="timed steps per dcgan measurement")
    bench.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    bench.add_argument("--no-quality", action="store_true", help="skip the time-to-quality runs")
    bench.add_argument("--json", type=Path, default=None)
    bench.set_defaults(func=cmd_bench)

    clf = sub.add_parser("classifier", help="train the LeNet-5 MNIST judge used by eval")
    clf.add_argument("--data-dir", default=default_data_dir())
    clf.add_argument("--epochs", type=int, default=10)
    clf.add_argument("--seed", type=int, default=0)
    clf.add_argument("--out", type=Path, default=CLASSIFIER_PATH)
    clf.set_defaults(func=cmd_classifier)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        return ns.func(ns)
    except (CLIError, ConfigError, CheckpointError, DatasetUnavailable, RunsDBError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
