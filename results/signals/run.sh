#!/usr/bin/env bash
# MNIST-1D benchmark: SimCLR, MoCo v2 and BYOL, baseline vs i-Mix (MixUp), 3 seeds,
# plus random-encoder reference rows (--epochs 0). Run from the repository root:
#   bash results/signals/run.sh
# Trained runs go to runs.jsonl (read by `python -m bench table`); the untrained-encoder
# references go to reference.jsonl so the table's baseline column holds trained runs only.
# Every record also holds the raw-feature probe (a linear probe on the 40 raw values).
set -euo pipefail
export OMP_NUM_THREADS=1  # a shared 2-core machine: one thread per run is fastest
OUT=results/signals
COMMON=(--domain signals --dataset mnist1d --width 0.5 --epochs 20 --queue-size 1024 --device cpu --quiet)
for seed in 0 1 2; do
  for method in simclr moco byol; do
    python -m bench run "${COMMON[@]}" --method "$method" --seed "$seed" --results "$OUT/runs.jsonl"
    python -m bench run "${COMMON[@]}" --method "$method" --imix --seed "$seed" --results "$OUT/runs.jsonl"
  done
  python -m bench run "${COMMON[@]}" --method simclr --epochs 0 --seed "$seed" --results "$OUT/reference.jsonl"
done
