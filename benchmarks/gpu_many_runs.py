"""Many runs on one GPU in one process, as a classroom server's GPU worker holds them (ganlab.pool.host): the
aggregate and per-run steps/s and the GPU memory per run, for 1, 4, 16 and 32 concurrent runs of ring8 (its
runs stepped together) and of conditional MNIST (each run its own CUDA graph, in turn).

    python -m benchmarks.gpu_many_runs [--runs 1 4 16 32] [--seconds 20] [--device cuda] [--json FILE]

Each count: N runs created on one RunHost, all started; after a warm-up (captures included), the steps each
run takes in ``--seconds`` of wall time; the GPU memory allocated and reserved with them alive, over N.
Steps/s are wall-time figures: every run's pace as its page shows it, waiting for its turn included.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


import torch  # noqa: E402

from ganlab.config import default_config  # noqa: E402
from ganlab.pool.host import RunHost  # noqa: E402
from harness.paths import SHARED_DATA  # noqa: E402

CASES = {
    "ring8": lambda device, seed: default_config("ring8", device=device, seed=seed),
    "conditional MNIST": lambda device, seed: default_config("mnist", model="cdcgan", device=device, seed=seed,
                                                             data_dir=str(SHARED_DATA)),
}


def measure(case: str, n: int, seconds: float, device: str) -> dict:
    host = RunHost(name=f"bench-{case}-{n}")
    cuda = device == "cuda"
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base_alloc, base_reserved = torch.cuda.memory_allocated(), torch.cuda.memory_reserved()
    ids = [f"r{i}" for i in range(n)]
    t0 = time.perf_counter()
    for i, run_id in enumerate(ids):
        host.create(run_id, CASES[case](device, i).to_dict(), "bench")
    created = time.perf_counter() - t0
    for run_id in ids:
        host.call(run_id, "start")
    time.sleep(min(10.0, 2.0 + seconds / 4))  # warm-up: captures, first groups
    first = {r: host.look(r)[0].step for r in ids}
    t1 = time.perf_counter()
    time.sleep(seconds)
    rates = [(host.look(r)[0].step - first[r]) / (time.perf_counter() - t1) for r in ids]
    shown = [host.look(r)[0].status.steps_per_second for r in ids]
    out = {"case": case, "runs": n, "device": device, "seconds_to_create": round(created, 2),
           "steps_per_s_all": round(sum(rates), 1), "steps_per_s_per_run_median": round(statistics.median(rates), 1),
           "steps_per_s_per_run_min": round(min(rates), 1), "page_steps_per_s_median": round(statistics.median(shown), 1),
           "host_turns": host.turns, "host_group_turns": host.group_turns}
    if cuda:
        torch.cuda.synchronize()
        out["gpu_mb_allocated_per_run"] = round((torch.cuda.memory_allocated() - base_alloc) / n / 2**20, 1)
        out["gpu_mb_reserved_per_run"] = round((torch.cuda.memory_reserved() - base_reserved) / n / 2**20, 1)
        out["gpu_mb_peak_allocated"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    host.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[1, 4, 16, 32])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--json", type=Path)
    ns = ap.parse_args()
    torch.set_num_threads(1)
    results = {"device": torch.cuda.get_device_name() if ns.device == "cuda" else "cpu",
               "date": time.strftime("%Y-%m-%d %H:%M"), "rows": []}
    for case in ns.cases:
        for n in ns.runs:
            row = measure(case, n, ns.seconds, ns.device)
            results["rows"].append(row)
            print(json.dumps(row), flush=True)
    if ns.json:
        ns.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
