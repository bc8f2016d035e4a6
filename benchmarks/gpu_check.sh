#!/usr/bin/env bash
# Everything ganlab measures on a GPU, in one call of the device tool (about 8 minutes on an H200):
#   bash benchmarks/gpu_check.sh 2>&1 | tee $OUT/gpu.log       (MNIST at $GANLAB_DATA, default .gpu-shared/data)
# The CUDA tests, the bench (fast path against the bare CUDA graph), a --seconds 10 budget timed from outside,
# and many runs on one GPU (benchmarks/gpu_many_runs.py). Full logs and JSON under $OUT.
set -u
export PYTHONUNBUFFERED=1
export GANLAB_DATA=${GANLAB_DATA:-$(pwd)/.gpu-shared/data} GANLAB_RUNS_DB=/tmp/ganlab-gpu-runs.sqlite
OUT=${OUT:-/tmp/ganlab-gpu-out}; mkdir -p "$OUT"
log() { echo "=== $(date +%T) $*"; }
log "machine"; nvidia-smi -L; python3 -c "import sys, torch; print(sys.version.split()[0], torch.__version__, torch.cuda.get_device_name())"

log "the CUDA tests and the fast path's (full log: \$OUT/pytest-gpu.log)"
timeout 240 python3 -m pytest -q -p no:cacheprovider tests/test_fast_path.py tests/test_precision.py \
  tests/test_trainer.py -k "not browser" >"$OUT/pytest-gpu.log" 2>&1; echo "pytest exit $?"; tail -5 "$OUT/pytest-gpu.log"

log "bench on cuda: tutorial loop, trainer eager, fast path, bare CUDA graph"
timeout 200 python3 -m ganlab bench --device cuda --data-dir "$GANLAB_DATA" --mlp-steps 2000 --dcgan-steps 400 \
  --no-quality --json "$OUT/bench-gpu.json" 2>&1 | tail -12

log "a 10 s budget on cuda: the process should end within a second or two of 10 s of training, plus start-up"
t0=$(date +%s.%N)
timeout 120 python3 -m ganlab train --data mnist --model cdcgan --seconds 10 --seed 0 --device cuda --out /tmp/gpu-c10 2>&1 | tail -2
t1=$(date +%s.%N); echo "whole process: $(python3 -c "print(round($t1 - $t0, 1))") s of wall time"
python3 -m ganlab eval /tmp/gpu-c10 --data-dir "$GANLAB_DATA" --json "$OUT/eval-c10.json" 2>&1 | tail -3

log "many runs on one GPU (ring8 stepped together; conditional MNIST each its own graph)"
timeout 240 python3 -m benchmarks.gpu_many_runs --runs 1 4 16 32 --seconds 15 --json "$OUT/many-runs.json" 2>&1 | tail -10
log done
