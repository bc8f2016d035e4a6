"""``python -m ganlab bench``: training speed side by side in one process, on one device.

(a) the tutorial loop and (d) a bare step captured in one CUDA graph (CUDA only) are the
references (``ganlab.benchmark.references``); between them, the project's own trainer:
(b) eager: ``Trainer(fast=False)``: data resident on the device, index draws, BCE-with-logits,
    metrics copied to the host once per block of 50;
(c) the fast path: ``Trainer()`` as the app runs it: (b), with the whole step replayed from one
    CUDA graph on a CUDA GPU (``ganlab.training.fast_path``); on a CPU there is nothing to capture and (c)
    runs the same eager step as (b).
The same networks (``ganlab.core.models``) and batch sizes in all. Plus time to quality: wall seconds
of training until ``ring8`` covers 8/8 modes, and until the conditional MNIST model reaches 90%
and 95% label agreement by the project's classifier (evaluation time excluded).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from ganlab import variants
from ganlab.config import default_config
from ganlab.core.models import sample_z
from ganlab.benchmark.references import bench_config, graph_reference, sync, tutorial_loop
from ganlab.training.trainer import Trainer, resolve_device


def trainer_rate(arch: str, batch: int, steps: int, data_dir: str, device: torch.device, warmup: int = 5,
                 block: int = 50, fast: bool = False, precision: str = "fp32") -> tuple[float, str]:
    """Steps/s of (b) (``fast`` False) or (c): ``Trainer.run`` in blocks, as the app's thread drives it;
    and the trainer's note on how its steps ran (a capture that failed says so). The warm-up steps
    include the fast path's eager warm-up and capture."""
    config = bench_config(arch, batch, data_dir=data_dir, device=device.type, precision=precision)
    t = Trainer(config, fast=None if fast else False)
    t.run(warmup)
    sync(device)
    t0 = time.perf_counter()
    left = steps
    while left > 0:
        n = min(block, left)
        t.run(n)
        left -= n
    sync(device)
    return steps / (time.perf_counter() - t0), t.runner.note


def time_to_modes(device: torch.device, budget: float = 300.0, every: int = 250,
                  high_quality: float = 0.90) -> dict[str, float | None]:
    """Training seconds until ring8 (app defaults) covers 8/8 modes, and until it also has
    ``high_quality`` of its samples within 3 sigma of a mode; checked every ``every`` steps."""
    from ganlab.evaluation.quality import toy_quality

    t = Trainer(default_config("ring8", device=device.type))
    strict = f"8/8 modes, {high_quality:.0%} high quality"
    out: dict[str, float | None] = {"8/8 modes": None, strict: None}
    while t.train_seconds < budget and out[strict] is None:
        t.run(every)
        q = toy_quality(t.sample_fixed(), t.fixed_real, t.data)
        if q["modes_covered"] == 8:
            out["8/8 modes"] = out["8/8 modes"] or t.train_seconds
            if q["high_quality"] >= high_quality:
                out[strict] = t.train_seconds
    return out


def agreement_trace(data_dir: str, device: torch.device, *, precision: str = "fp32", every: int = 100,
                    n: int = 2000, budget: float = 600.0):
    """Train the conditional MNIST model (the pretrained one's settings); every ``every`` steps yield
    (step, training seconds, label agreement judged by the project's classifier on ``n`` balanced
    samples of a fixed noise) until ``budget`` training seconds have passed."""
    from ganlab.evaluation.classifier import classifier_path, load_classifier, predict

    clf, _ = load_classifier(classifier_path("mnist"))
    t = Trainer(default_config("mnist", model="cdcgan", hidden=28, data_dir=data_dir, device=device.type,
                               precision=precision))
    z = sample_z(n, t.args.z_dim, "normal", torch.Generator().manual_seed(0), "cpu").to(t.device)
    y = (torch.arange(n) % 10).to(t.device)
    while t.train_seconds < budget:
        t.run(every)
        with torch.no_grad():
            t.parts.gen.eval()
            x = t.parts.gen(z, y).cpu().numpy()
            t.parts.gen.train()
        pred, _ = predict(clf, x)
        yield t.step, t.train_seconds, float((pred == y.cpu().numpy()).mean())


def time_to_agreement(data_dir: str, device: torch.device, targets=(0.90, 0.95), **trace) -> dict[str, float | None]:
    """Training seconds until the conditional MNIST model first reaches each label agreement."""
    out: dict[str, float | None] = {f"{p:.0%}": None for p in targets}
    for _, seconds, agreement in agreement_trace(data_dir, device, **trace):
        for p in targets:
            if agreement >= p and out[f"{p:.0%}"] is None:
                out[f"{p:.0%}"] = seconds
        if all(v is not None for v in out.values()):
            break
    return out


def run_bench(data_dir: str, device_name: str = "auto", steps: dict[str, int] | None = None,
              batches=(64, 256), quality: bool = True) -> dict:
    device = resolve_device(device_name)
    steps = steps or {"mlp": 300, "dcgan": 30}
    rows = []
    for arch, n in steps.items():
        for batch in batches:
            a = tutorial_loop(arch, batch, n, data_dir, device)
            for precision in ("fp32", "bf16") if variants.get(arch).dcgan_init else ("fp32",):
                b, _ = trainer_rate(arch, batch, n, data_dir, device, precision=precision)
                c, note = trainer_rate(arch, batch, n, data_dir, device, fast=True, precision=precision)
                d = graph_reference(arch, batch, n, data_dir, device, bf16=precision == "bf16")
                rows.append({"model": arch, "precision": precision, "batch": batch, "tutorial": a, "trainer": b,
                             "fast": c, "graph": d, "fast/tutorial": c / a, "fast/graph": c / d if d else None,
                             "fast_path": note})
    out = {"device": str(device), "torch": torch.__version__, "threads": torch.get_num_threads(), "speed": rows}
    if quality:
        out["seconds_to_ring8"] = time_to_modes(device)
        out["seconds_to_cdcgan_agreement"] = time_to_agreement(data_dir, device)
    return out


def markdown(result: dict) -> str:
    lines = [f"device {result['device']}, torch {result['torch']}, {result['threads']} threads", "",
             *(f"(c) here: {note}" for note in dict.fromkeys(r["fast_path"] for r in result["speed"])), "",
             "| model | batch | (a) tutorial loop | (b) trainer, eager | (c) trainer, fast path | "
             "(d) bare step in a CUDA graph | (c)/(a) | (c)/(d) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    model = {"fp32": "{}", "bf16": "{}, bf16 autocast in (b)-(d)"}
    for r in result["speed"]:
        d = "n/a (CUDA only)" if r["graph"] is None else f"{r['graph']:.1f}"
        cd = "n/a" if r["fast/graph"] is None else f"{r['fast/graph']:.2f}"
        lines.append(f"| {model[r['precision']].format(r['model'])} | {r['batch']} | {r['tutorial']:.1f} | {r['trainer']:.1f} | {r['fast']:.1f} | "
                     f"{d} | {r['fast/tutorial']:.2f}x | {cd} |")
    lines.append("\nsteps/s, one process; each cell times the same number of steps after a warm-up.")
    if "seconds_to_ring8" in result:
        lines.append("")
        for k, v in result["seconds_to_ring8"].items():
            lines.append(f"ring8 to {k}: {_secs(v)}")
        for k, v in result["seconds_to_cdcgan_agreement"].items():
            lines.append(f"conditional MNIST to {k} label agreement: {_secs(v)}")
    return "\n".join(lines)


def _secs(v) -> str:
    return "not reached within the budget" if v is None else f"{v:.1f} s of training"


def write_json(result: dict, path: Path) -> None:
    path.write_text(json.dumps(result, indent=1))
