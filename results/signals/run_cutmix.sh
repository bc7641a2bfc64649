#!/usr/bin/env bash
# The same MNIST-1D runs with i-CutMix (a time window pasted from another signal) instead of
# i-MixUp; compared with the baselines of runs.jsonl by results/signals/summary.py.
#   bash results/signals/run_cutmix.sh
set -euo pipefail
export OMP_NUM_THREADS=1
OUT=results/signals
COMMON=(--domain signals --dataset mnist1d --width 0.5 --epochs 20 --queue-size 1024 --device cpu --quiet)
for seed in 0 1 2; do
  for method in simclr moco byol; do
    python -m bench run "${COMMON[@]}" --method "$method" --imix --mix cutmix --seed "$seed" --results "$OUT/cutmix.jsonl"
  done
done
