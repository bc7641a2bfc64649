#!/usr/bin/env bash
# The committed CPU-scale grid (issue 5). Run from the repository root on a 2-core CPU:
#   bash results/cpu/run.sh         # two workers, one per core, sharing one results file
# Each worker walks the same grid and claims a cell before running it, so the two never run
# the same cell; either can be stopped and restarted at any point (recorded cells are skipped).
set -u
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
RESULTS=results/cpu/runs.jsonl
worker() {
  python -m bench suite --preset cpu --config results/cpu/offline.toml --domains tabular,images,speech \
    --methods simclr,moco,byol --seeds 3 --results $RESULTS
  # the data-efficiency ablation: letter, SimCLR, pretrained on 10-100% of the training rows
  python -m bench suite --preset cpu --config results/cpu/offline.toml --domains tabular --datasets letter \
    --methods simclr --seeds 3 --data-ratios 0.1,0.25,0.5,1 --results $RESULTS
}
worker > "${LOG:-/tmp}/cpu-grid-a.log" 2>&1 &
sleep 5
worker > "${LOG:-/tmp}/cpu-grid-b.log" 2>&1
wait
