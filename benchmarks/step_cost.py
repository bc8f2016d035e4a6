"""What the trainer adds to a bare training loop, and what a headless run spends before and after training.

    python -m benchmarks.step_cost --data-dir ../shared/data [--threads 1] [--rounds 5] [--steps 600]
                                   [--json docs/step_cost.json]

**Step cost.** The MNIST MLP (784-128 / 100-128-784, batch 64, the app's ``mnist`` defaults) trained in one
process by four loops, alternated round by round so the machine's drift falls on all of them alike:

- ``bare``: the trainer's own networks (deep copies, same initial weights), the dataset as one resident tensor,
  index draws, BCE-with-logits, foreach Adam; nothing recorded, nothing copied to the host;
- ``bare + metrics``: the same, plus the six figures the charts draw (both losses, mean D(x) and D(G(z)), both
  gradient norms) stacked on the device every step and copied to the host once per block of 50;
- ``trainer``: ``Trainer.run(50)`` as the app's thread calls it (the variant's halves, the metrics store);
- ``trainer, no grad norms``: the trainer with its gradient-norm figure replaced by a zero (what the two grad
  norm charts cost).

**Start-up.** Fresh interpreters, each timed from outside: ``import torch`` alone; ``python -m ganlab --help``;
and ``python -m ganlab train --data mnist --steps 1`` (import, loading MNIST, building the run, one step, saving
the checkpoint); plus the same run's phases timed from inside one interpreter.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BLOCK = 50  # the app's thread runs blocks of about this many MLP steps (BLOCK_SECONDS at ~1,000 steps/s)


def bare_loop(trainer, *, metrics: bool):
    """A closure that trains ``n`` steps of the bare loop on copies of ``trainer``'s networks."""
    import torch
    import torch.nn.functional as F

    gen, disc = copy.deepcopy(trainer.parts.gen), copy.deepcopy(trainer.parts.disc)
    o = trainer.config.optim
    opt_d = torch.optim.Adam(disc.parameters(), lr=o.lr_d, betas=(o.beta1_d, o.beta2_d))
    opt_g = torch.optim.Adam(gen.parameters(), lr=o.lr_g, betas=(o.beta1_g, o.beta2_g))
    images, batch, z_dim = trainer.data.images, o.batch_size, trainer.args.z_dim
    rng = torch.Generator().manual_seed(0)
    ones, zeros = torch.ones(batch), torch.zeros(batch)
    d_params, g_params = list(disc.parameters()), list(gen.parameters())

    def run(n: int) -> None:
        rows = []
        for _ in range(n):
            x = images[torch.randint(len(images), (batch,), generator=rng)]
            z = torch.randn(batch, z_dim, generator=rng)
            with torch.no_grad():
                fake = gen(z, None)
            logit_real, logit_fake = disc(x, None), disc(fake, None)
            loss_d = (F.binary_cross_entropy_with_logits(logit_real, ones)
                      + F.binary_cross_entropy_with_logits(logit_fake, zeros))
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            grad_d = torch.nn.utils.get_total_norm([q.grad for q in d_params]) if metrics else None
            opt_d.step()
            z = torch.randn(batch, z_dim, generator=rng)
            logit_gen = disc(gen(z, None), None)
            loss_g = F.binary_cross_entropy_with_logits(logit_gen, ones)
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward(inputs=g_params)
            if metrics:
                grad_g = torch.nn.utils.get_total_norm([q.grad for q in g_params])
            opt_g.step()
            if metrics:
                with torch.no_grad():
                    rows.append(torch.stack([loss_d, loss_g, torch.sigmoid(logit_real).mean(),
                                             torch.sigmoid(logit_fake).mean(), grad_d, grad_g]))
            if metrics and len(rows) == BLOCK:
                torch.stack(rows).numpy()
                rows = []
        if rows:
            torch.stack(rows).numpy()

    return run


def trainer_loop(trainer):
    def run(n: int) -> None:
        for _ in range(n // BLOCK):
            trainer.run(BLOCK)
        if n % BLOCK:
            trainer.run(n % BLOCK)

    return run


def step_cost(data_dir: str, rounds: int, steps: int) -> dict:
    import torch

    import ganlab.core.step as step_module
    from ganlab.config import default_config
    from ganlab.training.trainer import Trainer

    config = default_config("mnist", data_dir=data_dir)
    with_norms = Trainer(config)
    without_norms = Trainer(config, data=with_norms.data)
    real_norm = step_module._grad_norm

    def no_norms(run):
        def wrapped(n):
            step_module._grad_norm = lambda params: torch.zeros(())
            try:
                run(n)
            finally:
                step_module._grad_norm = real_norm
        return wrapped

    loops = {"bare": bare_loop(with_norms, metrics=False), "bare + metrics": bare_loop(with_norms, metrics=True),
             "trainer": trainer_loop(with_norms), "trainer, no grad norms": no_norms(trainer_loop(without_norms))}
    for run in loops.values():
        run(100)  # warm up: allocator, first-call dispatch
    rates = {name: [] for name in loops}
    for _ in range(rounds):
        for name, run in loops.items():
            t0 = time.perf_counter()
            run(steps)
            rates[name].append(steps / (time.perf_counter() - t0))
    median = {name: statistics.median(r) for name, r in rates.items()}
    return {"config": "mnist defaults: mlp 784-128 / 100-128-784, batch 64", "threads": torch.get_num_threads(),
            "steps_per_round": steps, "rounds": rounds,
            "steps_per_s": {name: [round(x, 1) for x in r] for name, r in rates.items()},
            "median_steps_per_s": {name: round(x, 1) for name, x in median.items()},
            "ratio_to_bare": {name: round(x / median["bare"], 3) for name, x in median.items()},
            # each loop against the bare loop of the same round, where the machine's speed was the same
            "paired_ratio_median": {name: round(statistics.median(a / b for a, b in zip(r, rates["bare"])), 3)
                                    for name, r in rates.items()}}


PHASES = r"""
import json, time, sys
t0 = time.perf_counter()
import torch
t1 = time.perf_counter()
from ganlab.cli import main as _cli
t2 = time.perf_counter()
from ganlab.config import default_config
from ganlab.data.datasets import load_data
from ganlab.training.trainer import Trainer
from ganlab.persist.checkpoint import save
t3 = time.perf_counter()
config = default_config("mnist", data_dir=sys.argv[1])
data = load_data("mnist", sys.argv[1])
t4 = time.perf_counter()
trainer = Trainer(config, data=data)
t5 = time.perf_counter()
trainer.run(1)
t6 = time.perf_counter()
save(trainer, sys.argv[2])
t7 = time.perf_counter()
print(json.dumps({"import torch": t1 - t0, "import the CLI": t2 - t1, "import the trainer": t3 - t2, "load MNIST": t4 - t3,
       "build the run": t5 - t4, "first step": t6 - t5, "save the checkpoint": t7 - t6}))
"""


def _run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(c if len(c) < 60 else '...' for c in cmd)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _wall(cmd: list[str], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _run(cmd)
        out.append(time.perf_counter() - t0)
    return out


def start_up(data_dir: str, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = str(Path(tmp) / "one.pt")
        walls = {
            "python -c 'import torch'": _wall([sys.executable, "-c", "import torch"], repeats),
            "python -m ganlab --help": _wall([sys.executable, "-m", "ganlab", "--help"], repeats),
            "python -m ganlab train --data mnist --steps 1": _wall(
                [sys.executable, "-m", "ganlab", "train", "--data", "mnist", "--data-dir", data_dir, "--steps", "1",
                 "--out", str(Path(tmp) / "cli")], repeats),
        }
        phases = []
        for _ in range(repeats):
            printed = _run([sys.executable, "-c", PHASES, data_dir, ckpt])
            phases.append(json.loads(printed.strip().splitlines()[-1]))
    return {"wall_s": {k: [round(x, 2) for x in v] for k, v in walls.items()},
            "median_wall_s": {k: round(statistics.median(v), 2) for k, v in walls.items()},
            "phases_median_s": {k: round(statistics.median(p[k] for p in phases), 3) for k in phases[0]}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the app's setting on 2 cores: 1)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=600, help="steps per loop per round")
    ap.add_argument("--repeats", type=int, default=3, help="fresh interpreters per start-up figure")
    ap.add_argument("--json", type=Path, default=None)
    ns = ap.parse_args()
    import torch

    torch.set_num_threads(ns.threads)
    out = {"when": time.strftime("%Y-%m-%d %H:%M"), "step_cost": step_cost(ns.data_dir, ns.rounds, ns.steps),
           "start_up": start_up(ns.data_dir, ns.repeats)}
    text = json.dumps(out, indent=2)
    print(text)
    if ns.json:
        ns.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
