"""``train`` (headless, recorded in the run database), ``bench`` and ``classifier``."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from ganlab.benchmark import FIGURES
from ganlab.cli.common import CLIError, positive_seconds
from ganlab.config import RunConfig, default_config, field_specs
from ganlab.data.catalog import default_data_dir
from ganlab.evaluation.classifier import JUDGE_FILES
from ganlab.persist.checkpoint import CHECKPOINT_NAME, save
from ganlab.persist.runs_db import RunRecorder, RunsDB
from ganlab.training.capacity import interactive_threads
from ganlab.training.trainer import Diverged, Trainer


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
    merged = requested_settings(ns)
    data = merged.pop("data", "ring8")
    return default_config(data, **merged)


def requested_settings(ns: argparse.Namespace) -> dict:
    """The settings a person asked for, by flat name: --config FILE's, then the explicit flags'."""
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
    return {**from_file, **flat}


# what a resumed run may change besides the mid-run knobs: where it runs and stops, and how far back the weight
# average reaches (it only decides which past weights the samples are drawn from)
RESUME_SETTINGS = ("steps", "device", "data_dir", "ema")


def _resumed(ns: argparse.Namespace) -> Trainer:
    """--resume FILE: the checkpoint's run, on --device if given; of the other flags only the mid-run knobs
    (--lr-d, --lr-g, --d-steps), --ema and --steps (the step to stop at) apply."""
    from ganlab.errors import CheckpointError
    from ganlab.persist.checkpoint import load
    from ganlab.training.resume import resume
    from ganlab.training.trainer import LIVE_KNOBS

    asked = requested_settings(ns)
    other = sorted(set(asked) - set(LIVE_KNOBS) - set(RESUME_SETTINGS))
    if other:
        raise CLIError(f"--resume continues the checkpoint's own run; only {', '.join(LIVE_KNOBS + RESUME_SETTINGS)} "
                       f"can be given with it, not {', '.join(other)}")
    try:
        ckpt = load(ns.resume)
        changed = {k: v for k, v in asked.items() if k in RESUME_SETTINGS and k != "steps"}
        if changed:
            ckpt = replace(ckpt, config=ckpt.config.with_values(**changed))
        trainer = resume(ckpt, device=asked.get("device"))
        trainer.set_hparams(**{k: v for k, v in asked.items() if k in LIVE_KNOBS})
    except (CheckpointError, OSError) as err:
        raise CLIError(f"--resume {ns.resume}: {err}") from err
    if "steps" in asked:
        trainer.config = trainer.config.with_values(steps=asked["steps"])
    return trainer


def cmd_train(ns: argparse.Namespace) -> int:
    if ns.threads < 0:
        raise CLIError(f"--threads must be 0 (automatic) or more, got {ns.threads}")
    torch.set_num_threads(ns.threads or interactive_threads())
    trainer = _resumed(ns) if ns.resume else Trainer(config_from_args(ns))
    config = trainer.config
    out = ns.out or Path("runs") / f"{config.data.name}-{config.model.arch}-s{config.seed}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(config.to_dict(), indent=2))
    with open(out / "metrics.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(trainer.fields)
        recorder = RunRecorder(RunsDB(), source="cli")
        recorder.begin(trainer)
        trainer.store.sink = lambda rows: writer.writerows(
            [int(r[0]), *(f"{v:.7g}" for v in r[1:])] for r in rows)
        # --seconds alone is a time budget; with --steps too, whichever comes first
        steps = config.steps if ns.seconds is None or "steps" in requested_settings(ns) else None
        budget = (f"for {ns.seconds:g} s" if steps is None else f"to step {steps}" if ns.seconds is None
                  else f"to step {steps} or for {ns.seconds:g} s, whichever comes first")
        if steps is not None and trainer.step >= steps:  # --steps counts from 0: a resumed run may be past it
            budget += " (already past it: nothing to train, the checkpoint is written as asked)"
        since = f" from step {trainer.step} of {ns.resume}" if ns.resume else ""
        print(f"training {trainer.variant.title} on {config.data.name} with the {config.optim.loss} loss "
              f"on {trainer.device}{since} {budget} -> {out}", flush=True)
        first_step, first_seconds, started = trainer.step, trainer.train_seconds, time.perf_counter()
        status = _train_loop(trainer, steps, out, ns.save_every, ns.seconds and first_seconds + ns.seconds,
                             recorder)
        wall = time.perf_counter() - started
    path = out / CHECKPOINT_NAME
    if status == 0:
        save(trainer, path, optimisers=not ns.without_optimisers, average_only=ns.average_only)
        recorder.checkpoint(trainer.step, path.resolve())
    recorder.flush(trainer, status="finished" if status == 0 else "diverged", force=True, finished=True)
    if recorder.note:
        print(f"warning: {recorder.note}", file=sys.stderr)
    elif recorder.run_id is not None:
        print(f"recorded as run {recorder.run_id} in {recorder.db.path} (python -m ganlab runs show {recorder.run_id})")
    done, trained = trainer.step - first_step, trainer.train_seconds - first_seconds
    print(f"done: {done} steps in {wall:.1f} s of wall time = {done / wall if wall else float('nan'):.1f} steps/s "
          f"(training itself {trained:.1f} s; saving and printing the rest); checkpoint {path}; "
          f"metrics {out / 'metrics.csv'}")
    return status


def _train_loop(trainer: Trainer, steps: int | None, out: Path, save_every: int, seconds: float | None = None,
                recorder: RunRecorder | None = None) -> int:
    """Train to ``steps`` or until ``seconds`` of training (pauses and saving excluded) have passed, whichever
    comes first; ``steps`` None trains for ``seconds`` alone."""
    last_print = time.perf_counter()
    block = 50
    while (steps is None or trainer.step < steps) and (seconds is None or trainer.train_seconds < seconds):
        n = block if steps is None else min(block, steps - trainer.step)
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
            print(f"step {trainer.step:>7}/{steps or '-'}  d_loss {last['d_loss']:.3f}  g_loss {last['g_loss']:.3f}  "
                  f"D(x) {last['d_real']:.2f}  D(G(z)) {last['d_fake']:.2f}  "
                  + "".join(f"{name} {last[name]:.3g}  " for name in trainer.variant.extra_metrics)
                  + f"{trainer.store.steps_per_second():.0f} steps/s", flush=True)
            last_print = now
    return 0


def cmd_classifier(ns: argparse.Namespace) -> int:
    from ganlab.data.datasets import load_images
    from ganlab.evaluation.classifier import JUDGE_SHIFTS, classifier_path, save_classifier, train_classifier

    train = load_images(ns.data, ns.data_dir, train=True)
    test = load_images(ns.data, ns.data_dir, train=False)
    out = ns.out or classifier_path(ns.data)
    t0 = time.perf_counter()
    shift = JUDGE_SHIFTS[ns.data] if ns.shift is None else ns.shift
    model, acc = train_classifier(train, test, epochs=ns.epochs, seed=ns.seed, max_shift=shift)
    save_classifier(model, out, test_accuracy=acc, data=ns.data)
    print(f"test accuracy {acc:.4f} after {ns.epochs} epochs in {time.perf_counter() - t0:.0f} s -> {out}")
    return 0


def cmd_bench(ns: argparse.Namespace) -> int:
    from ganlab.benchmark.bench import markdown, run_bench, write_json

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


def add_commands(sub) -> None:
    train = sub.add_parser("train", help="train a GAN headless; writes metrics.csv and a checkpoint")
    _add_config_flags(train)
    train.add_argument("--out", type=Path, help="output folder (default runs/DATA-MODEL-sSEED)")
    train.add_argument("--resume", type=Path, default=None,
                       help="continue this checkpoint's run where it stopped (its settings, weights, Adam state and "
                            "step); --steps is then the step to stop at, and --lr-d, --lr-g, --d-steps, --ema change its "
                            "learning rates, D steps or weight average")
    train.add_argument("--save-every", type=int, default=0, help="also checkpoint every N steps")
    train.add_argument("--without-optimisers", action="store_true",
                       help="leave Adam's state out of the final checkpoint: a smaller file (how the larger "
                            "pretrained models ship); a run resumed from it starts its optimisers afresh")
    train.add_argument("--average-only", action="store_true",
                       help="keep only the generator's weight average (what samples are drawn from) in the final "
                            "checkpoint, as the generator: the same samples from a smaller file; a run resumed from "
                            "it continues from the average")
    train.add_argument("--seconds", type=positive_seconds, default=None,
                       help="stop after this many seconds of training (start-up, saving and printing excluded), "
                            "even before --steps; then write the checkpoint as usual")
    train.add_argument("--threads", type=int, default=0,
                       help="torch threads (0: half the cores, at most 4; torch's own default of every core "
                            "slows small models down as soon as anything else runs)")
    train.set_defaults(func=cmd_train)

    bench = sub.add_parser("bench", help="steps/s of the tutorial loop vs the project's trainer; time to quality; "
                           "or one of the training figures the docs cite (bench NAME --help)",
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="figures (python -m ganlab bench NAME ...):\n" + "\n".join(
                               f"  {name:16} {what}" for name, (_, what) in FIGURES.items()))
    bench.add_argument("--data-dir", default=default_data_dir())
    bench.add_argument("--device", default="auto")
    bench.add_argument("--mlp-steps", type=int, default=300, help="timed steps per mlp measurement")
    bench.add_argument("--dcgan-steps", type=int, default=30, help="timed steps per dcgan measurement")
    bench.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    bench.add_argument("--no-quality", action="store_true", help="skip the time-to-quality runs")
    bench.add_argument("--json", type=Path, default=None)
    bench.set_defaults(func=cmd_bench)

    clf = sub.add_parser("classifier", help="train the LeNet-5 judge of MNIST or Fashion-MNIST used by eval")
    clf.add_argument("--data", choices=tuple(JUDGE_FILES), default="mnist")
    clf.add_argument("--data-dir", default=default_data_dir())
    clf.add_argument("--epochs", type=int, default=10)
    clf.add_argument("--seed", type=int, default=0)
    clf.add_argument("--shift", type=int, default=None,
                     help="largest random shift of a training image in pixels (default: 2 for MNIST, 0 for "
                          "Fashion-MNIST, whose products are centred)")
    clf.add_argument("--out", type=Path, default=None,
                     help="default: the shipped judge of that dataset (checkpoints/mnist-classifier.pt, "
                          "checkpoints/fashion-classifier.pt)")
    clf.set_defaults(func=cmd_classifier)
