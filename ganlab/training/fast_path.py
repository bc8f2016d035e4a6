"""The trainer's fast path: on a CUDA GPU, the whole step replayed from one CUDA graph.

A small GAN's step is a few hundred tiny kernels; launching them from Python costs more than
running them. :func:`ganlab.core.step.train_step` never waits for the host and keeps everything that
changes from step to step on the device (weights, Adam's state and step count, the run's random
generator, the weight average's warm-up count), so it can be captured once, D update(s) then G
update, and replayed as one launch (PyTorch's "whole network capture", with the run's own
generator registered so every replay draws fresh batches and latents).

What a capture bakes in changes rarely: the learning rates and ``d_steps`` (live knobs), and the
tensors the optimisers hold. The trainer calls :meth:`StepRunner.invalidate` when any of them
change, or after a step it ran eagerly (D only, G only, slow motion); the next full step runs a
few eager warm-up steps and captures again. If capture fails, the runner says why in
:attr:`StepRunner.note` and runs every later step eagerly: same results, just slower.

On a CPU (or MPS) there is nothing to capture: every step runs eagerly, and the note says so.
"""

from __future__ import annotations

import time

import torch

from ganlab.core.step import GANParts, train_step
from ganlab.said import said

WARMUP_STEPS = 3  # eager steps before a capture (lazy initialisation must not land in the graph)
BLOCK_ROWS = 512  # replays between two host reads of the metrics buffer (a block is at most MAX_BLOCK = 500)


class StepRunner:
    """Runs full training steps for one run's :class:`~ganlab.core.step.GANParts`.

    ``capture`` None captures when the run is on a CUDA device; False never does (the bench's
    eager column); True tries even elsewhere (tests use it to see a failed capture fall back).
    """

    def __init__(self, parts: GANParts, *, capture: bool | None = None):
        self.parts = parts
        on_cuda = parts.device.type == "cuda"
        self.enabled = on_cuda if capture is None else capture
        if self.enabled:
            self._why_eager = None
        elif capture is False:
            self._why_eager = said("the fast path is turned off")
        else:
            self._why_eager = said("CUDA graphs need a CUDA GPU; this run is on {device}", device=parts.device.type)
        self.failure: str | None = None
        self.captures = 0  # graphs captured so far (a live knob change or an eager step costs one)
        self.invalidate()

    @property
    def path(self) -> str:
        """``"cuda graph"`` or ``"eager"``: how full steps run now (or will, once warmed up)."""
        return "cuda graph" if self.enabled and self.failure is None else "eager"

    @property
    def note(self) -> str:
        """One line for the page: which path runs and why."""
        if self.path == "cuda graph":
            return said("Fast path: each step replays from one CUDA graph (captured after a few eager steps).")
        why = said("capture failed ({failure})", failure=self.failure) if self.failure else self._why_eager
        return said("Eager steps: {why}.", why=why)

    def invalidate(self) -> None:
        """Drop the captured graph; the next full step warms up and captures again."""
        self._graph = None
        self._out = None
        self._d_steps = None
        self._warm = 0

    def block(self, n: int, d_steps: int) -> tuple[torch.Tensor, list[float]]:
        """``n`` full steps: their metrics (n, k) on the device, and the clock after each step returned.

        From a captured graph each replay writes its metrics into a row of one buffer on the device, at an
        index the graph keeps there too: no tensor is made per step, and the host only launches the replays."""
        outs, reads = [], []
        while len(outs) < n and (self.path == "eager" or self._graph is None or d_steps != self._d_steps):
            outs.append(self.step(d_steps))  # eager steps, or the warm-up and capture
            reads.append(time.perf_counter())
        left = n - len(outs)
        if not left:
            return torch.stack(outs), reads
        rows = []
        while left:
            m = min(left, len(self._rows))
            self._row.zero_()
            for _ in range(m):
                self._graph.replay()
                reads.append(time.perf_counter())
            rows.append(self._rows[:m].clone())  # the next block's replays overwrite the buffer
            left -= m
        return torch.cat([torch.stack(outs)] * bool(outs) + rows), reads

    def step(self, d_steps: int) -> torch.Tensor:
        """One full step (``d_steps`` D updates, then one G update); its metrics as a (6,) device tensor."""
        if self.path == "eager":
            return train_step(self.parts, d_steps=d_steps)
        if self._graph is not None and d_steps != self._d_steps:
            self.invalidate()
        if self._graph is None:
            if self._warm < WARMUP_STEPS:
                self._warm += 1
                return self._warmup_step(d_steps)
            try:
                self._capture(d_steps)
            except Exception as err:  # noqa: BLE001 - any capture failure means: run eagerly
                self.invalidate()
                first_line = (str(err).splitlines() or [""])[0][:160]
                self.failure = f"{type(err).__name__}: {first_line}" if first_line else type(err).__name__
                _recover_after_failed_capture(self.parts)
                return train_step(self.parts, d_steps=d_steps)
        self._graph.replay()
        return self._out.clone()  # the graph overwrites its output at the next replay

    def _warmup_step(self, d_steps: int) -> torch.Tensor:
        if self.parts.device.type != "cuda":
            return train_step(self.parts, d_steps=d_steps)
        side = torch.cuda.Stream(self.parts.device)
        side.wait_stream(torch.cuda.current_stream(self.parts.device))
        with torch.cuda.stream(side):
            out = train_step(self.parts, d_steps=d_steps)
        torch.cuda.current_stream(self.parts.device).wait_stream(side)
        return out

    def _capture(self, d_steps: int) -> None:
        p = self.parts
        graph = torch.cuda.CUDAGraph()
        graph.register_generator_state(p.rng)  # replays advance the run's own generator
        # Gradients set to None now are allocated from the graph's pool during capture, and
        # rewritten in place by every replay (PyTorch's whole-network capture recipe).
        p.opt_d.zero_grad(set_to_none=True)
        p.opt_g.zero_grad(set_to_none=True)
        width = len(p.variant.metric_names)
        self._rows = torch.zeros(BLOCK_ROWS, width, device=p.device)  # a block's metrics, a row per replay
        self._row = torch.zeros(1, dtype=torch.long, device=p.device)  # the row the next replay writes
        torch.cuda.synchronize(p.device)
        # thread_local: other sessions' trainer threads may use the GPU while this one captures.
        with torch.cuda.graph(graph, capture_error_mode="thread_local"):
            out = train_step(p, d_steps=d_steps)
            self._rows.index_copy_(0, self._row, out[None])  # each replay keeps its metrics in its own row
            self._row.add_(1)
        self._graph, self._out, self._d_steps = graph, out, d_steps
        self.captures += 1


def _recover_after_failed_capture(p: GANParts) -> None:
    """Leave the parts as an eager step expects them after a capture that raised part-way."""
    p.opt_d.zero_grad(set_to_none=True)
    p.opt_g.zero_grad(set_to_none=True)
    if p.device.type == "cuda":
        torch.cuda.synchronize(p.device)
