"""How long a slider move takes on the Latent explorer and Class control pages, on this machine's CPU.

    python -m benchmarks.latent_latency

Times whole script reruns through streamlit's AppTest (the page's full Python work for one
interaction, without the browser's drawing), after a warm-up, plus the GANSpace directions.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def rerun_times(page: str, key: str, values: list, kind: str = "slider") -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    at.switch_page(page).run()
    times = []
    for v in values:
        widget = getattr(at, kind)(key=key).set_value(v)
        t0 = time.perf_counter()
        widget.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return times[2:]  # drop warm-up


def main() -> None:
    import torch

    from ganlab.explore.latent import principal_directions
    from ganlab.persist.checkpoint_dir import CheckpointDir
    from ganlab.training.capacity import interactive_threads

    torch.set_num_threads(interactive_threads())
    values = [round(-3 + 0.3 * i, 1) for i in range(22)]
    rows = [("Latent explorer, GANSpace slider (mnist-dcgan)",
             rerun_times("pages/latent.py", "latent_s0", values)),
            ("Class control, blend slider (mnist-cdcgan)",
             rerun_times("pages/classes.py", "classes_alpha", [round(v / 6 + 0.5, 2) for v in values]))]
    ckpt = CheckpointDir().load("mnist-dcgan")
    gen = ckpt.build_generator()
    t0 = time.perf_counter()
    principal_directions(gen, ckpt.args.z_dim, ckpt.config.model.latent)
    pca = time.perf_counter() - t0
    print("| interaction | reruns | median ms | max ms |\n| --- | --- | --- | --- |")
    for name, t in rows:
        print(f"| {name} | {len(t)} | {1000 * statistics.median(t):.0f} | {1000 * max(t):.0f} |")
    print(f"\nGANSpace directions for mnist-dcgan (2,000 samples, top 8): {pca:.2f} s")


if __name__ == "__main__":
    main()
