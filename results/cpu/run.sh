#!/usr/bin/env bash
# The committed CPU-scale grid (issue 5), run from the repository root on a 2-core CPU.
# Two suites share the results file, one per core, on disjoint domains; either can be stopped
# and restarted at any point: recorded cells are skipped.
set -u
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
RESULTS=results/cpu/runs.jsonl
GRID=(--config results/cpu/offline.toml --methods simclr,moco,byol --seeds 3 --results $RESULTS)
case "${1:-all}" in
  a) python -m bench suite "${GRID[@]}" --domains tabular,speech ;;
  b) python -m bench suite "${GRID[@]}" --domains images
     # the data-efficiency ablation: letter, SimCLR, pretrained on 10-100% of the training rows
     python -m bench suite "${GRID[@]}" --domains tabular --datasets letter --methods simclr \
       --data-ratios 0.1,0.25,0.5,1 ;;
  all) "$0" a & "$0" b; wait ;;
esac
