#!/usr/bin/env bash
# The regime study (issue 16 item 1): where does i-Mix regularise on this machine? One real data
# set per domain, SimCLR and MoCo, baseline vs i-Mix, swept over pretraining length and over
# the size of the pretraining set. Budget: about 12 core-hours on 2 cores (README: estimates).
#
#   bash results/regime/run.sh            # two suite workers, one per core, one results file
#   DRY=1 bash results/regime/run.sh      # print each stage's cells and estimates instead
#
# Both workers walk the same stages in the same order and claim each cell before running it,
# so they never run the same cell; stop either (or both) at any point and start this again:
# recorded cells are skipped and a cell cut short resumes from its last checkpoint.
set -u
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export MALLOC_MMAP_THRESHOLD_=1000000000 MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_TOP_PAD_=1000000000
PY=${PYTHON:-python}
CONFIG=results/regime/regime.toml
RESULTS=results/regime/runs.jsonl
DATASETS=(letter mnist1d cifar10 fsdd)  # cheapest first
# Pretraining lengths per data set: short / middle / long. The long one is capped by cost: an
# epoch of FSDD's SimCLR costs about 6x one of Letter's (README: the estimate table).
declare -A SHORT=([letter]=10 [mnist1d]=10 [cifar10]=10 [fsdd]=5)
declare -A MID=([letter]=50 [mnist1d]=50 [cifar10]=30 [fsdd]=15)
declare -A LONG=([letter]=150 [mnist1d]=200 [cifar10]=80 [fsdd]=50)
# 5% of the data with the long length's optimiser steps on all of it (tier 3). Letter: 16,000
# rows // batch 512 = 31 steps an epoch x 150 = 4,650 steps; its 800-row 5% is one batch an
# epoch. MNIST-1D: 4,000 // 256 = 15 x 200 = 3,000; its 200-signal 5% is one (200-signal) batch.
declare -A EQUAL_STEPS=([letter]=4650 [mnist1d]=3000)

stage() {  # stage DATASET EPOCHS RATIOS SEEDS [flags...]: one suite call (seeds 0..SEEDS-1; done cells skip)
  local dataset=$1 epochs=$2 ratios=$3 seeds=$4
  shift 4
  "$PY" -m bench suite --config "$CONFIG" --datasets "$dataset" --epochs "$epochs" --eval-every $((epochs / 5)) \
    --data-ratios "$ratios" --seeds "$seeds" --results "$RESULTS" ${DRY:+--dry-run} "$@"
}

worker() {
  # Tier 1, seeds outermost: the short and middle lengths on all the data, then the long length
  # on 5% and 25% of it (cheap: the epochs are short). After each seed round every row of these
  # figures has one more seed; after the third the paired tests exist.
  for seeds in 1 2 3; do
    for d in "${DATASETS[@]}"; do stage "$d" "${SHORT[$d]}" 1 $seeds; done
    for d in "${DATASETS[@]}"; do stage "$d" "${MID[$d]}" 1 $seeds; done
    for d in "${DATASETS[@]}"; do stage "$d" "${LONG[$d]}" 0.05,0.25 $seeds; done
  done
  # Tier 2, seeds outermost: the long length on all the data, the most expensive cells.
  for seeds in 1 2 3; do
    for d in "${DATASETS[@]}"; do stage "$d" "${LONG[$d]}" 1 $seeds; done
  done
  # Tier 3 (added after tier 1, to test its reading, not to choose anything): 5% of the data
  # for as many optimiser steps as the long length takes on all of it, on the two cheapest data
  # sets. Tier 1's 5% cells took 20x fewer steps than the full-data ones; if the missing gain
  # at 5% came from that, it appears here.
  for seeds in 1 2 3; do
    for d in letter mnist1d; do
      stage "$d" "${EQUAL_STEPS[$d]}" 0.05 $seeds --checkpoint-every $((EQUAL_STEPS[$d] / 10))
    done
  done
}

if [[ -n ${DRY:-} ]]; then
  worker
  exit 0
fi
worker > "${LOG:-/tmp}/regime-a.log" 2>&1 &
sleep 10  # let the first worker claim its first cell
worker > "${LOG:-/tmp}/regime-b.log" 2>&1
wait
"$PY" results/regime/summary.py --results "$RESULTS"
