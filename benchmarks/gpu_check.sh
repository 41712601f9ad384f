#!/usr/bin/env bash
# The GPU check (benchmarks/gpu_check.py): CUDA tests, the paper-preset pretraining step, a 2-epoch pretraining
# through the runner and its linear evaluation, in under 8 minutes; one table, also in runs/gpu_check/gpu_check.md.
# Uses $PYTHON, else the project's .venv, else python3 — whatever has torch — and installs nothing.
# Without a GPU it prints one line and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824
exec "$PY" benchmarks/gpu_check.py "$@"
