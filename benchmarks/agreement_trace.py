"""How the conditional MNIST model's label agreement grows with training time, step by step.

    python -m benchmarks.agreement_trace --threads 2 [--precision bf16] [--every 100]

Prints "step  training-seconds  agreement" every ``--every`` steps until agreement reaches
``--stop`` (the same model, noise and classifier as ``python -m ganlab bench``'s time to quality).
"""

import argparse

import torch

from ganlab.data.catalog import default_data_dir
from ganlab.benchmark.bench import agreement_trace
from ganlab.training.trainer import resolve_device


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=default_data_dir())
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--precision", default="fp32", choices=("fp32", "bf16"))
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--stop", type=float, default=0.97, help="stop at this agreement")
    ns = ap.parse_args()
    if ns.threads:
        torch.set_num_threads(ns.threads)
    print("step seconds agreement")
    for step, seconds, agreement in agreement_trace(ns.data_dir, resolve_device(ns.device), precision=ns.precision,
                                                    every=ns.every):
        print(f"{step} {seconds:.1f} {agreement:.4f}", flush=True)
        if agreement >= ns.stop:
            break


if __name__ == "__main__":
    main()
