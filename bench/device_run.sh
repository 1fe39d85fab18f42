#!/usr/bin/env bash
# The benchmark's lesson path on a GPU machine that has JAX and PyTorch but no TensorFlow and no
# package index (docs/development.md, "On a GPU"). From the repository root, with the wheels
# `make device-wheels` put in .whl/ (Keras and the two packages it needs that such a machine
# lacks):
#
#     bash bench/device_run.sh [EPOCH_FRACTION]      # 1 = the lesson's epochs
#
# One run per backend, each in its own processes and under its own time limit; the figures go to
# $OUT (or build/device/). PYTHON chooses the interpreter (python3 by default).
set -uo pipefail
python=${PYTHON:-python3}
fraction=${1:-1}
out=${OUT:-build/device}
mkdir -p "$out"
"$python" -m pip install --quiet --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/santa-site .whl/*.whl || { echo "error: no wheels in .whl/: make device-wheels"; exit 1; }
export PYTHONPATH="/tmp/santa-site:$PWD" PYTHONUNBUFFERED=1
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null \
    || echo "no NVIDIA GPU seen (nvidia-smi)"; } | tee "$out/gpu.txt"
status=0
for backend in jax torch; do
  echo "== KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend timeout 270 "$python" bench/bench_lesson.py --skip-baseline \
    --epoch-fraction "$fraction" 2>&1 | tee "$out/bench-$backend.txt" || status=1
done
exit $status
