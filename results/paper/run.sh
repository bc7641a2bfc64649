#!/usr/bin/env bash
# Paper scale in one command (issue 16 item 6): the `paper` preset's cells for CIFAR-10
# (ResNet-50, and ResNet-18 beside it), Speech Commands (ResNet-50) and CovType (paper-mlp),
# baseline vs i-Mix for SimCLR, MoCo and BYOL, on a GPU machine. Run from anywhere:
#
#   bash results/paper/run.sh              # time every kind of cell, print the estimates, then run all
#   bash results/paper/run.sh --estimate   # only the timing runs and the per-cell estimates
#   bash results/paper/run.sh --dry-run    # only list the cells and their commands (works on a CPU)
#
# Environment: GPUS=0,1,2,3 (default: every GPU nvidia-smi lists), SEEDS=1 (seeds 0..N-1),
# DATA_ROOT=DIR (where CIFAR-10, Speech Commands and CovType are downloaded once, or already
# lie; the default is the suite's ~/.cache/imix-bench), EXTRA="flags for every cell" (say
# "--epochs 200" for a shorter schedule), PYTHON=python, CKPT_EVERY=25 (epochs between
# checkpoints), DEVICE=cuda (cpu only to test this script on a small grid).
#
# One suite worker per GPU (CUDA_VISIBLE_DEVICES), all walking the same grids and sharing the
# results files: each claims a cell before running it. Every cell checkpoints into
# <results>.checkpoints/ every CKPT_EVERY epochs and resumes from there, so killing this script
# (or losing the machine) costs at most that many epochs per running cell: run it again.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python}
OUT=results/paper
MODE=run
case "${1:-}" in
  --dry-run) MODE=dry ;;
  --estimate) MODE=estimate ;;
  "") ;;
  *) echo "usage: bash results/paper/run.sh [--dry-run | --estimate]" >&2; exit 2 ;;
esac

SEEDS=${SEEDS:-1}
CKPT_EVERY=${CKPT_EVERY:-25}
read -r -a EXTRA_FLAGS <<< "${EXTRA:-}"
COMMON=(--preset paper --seeds "$SEEDS" --precision bf16 --channels-last ${DATA_ROOT:+--data-root "$DATA_ROOT"} "${EXTRA_FLAGS[@]}")
# The grids, cheapest first; each line: results file | suite flags. The ResNet-50 cells share
# one file, so `bench table --results results/paper/runs.jsonl` is the paper's Table 1 shape.
GRIDS=(
  "$OUT/runs.jsonl|--domains tabular --datasets covtype"
  "$OUT/resnet18.jsonl|--domains images --datasets cifar10 --encoder resnet18"
  "$OUT/runs.jsonl|--domains tabular,images,speech --datasets covtype,cifar10,speechcommands"
)

if [[ $MODE == dry ]]; then
  for grid in "${GRIDS[@]:1}"; do  # the first grid is a prefix of the last
    results=${grid%%|*}; read -r -a flags <<< "${grid#*|}"
    echo "== ${flags[*]}  ->  $results"
    "$PY" -m bench suite "${COMMON[@]}" "${flags[@]}" --results "$results" --dry-run \
      $( [[ -f $OUT/timing.jsonl ]] && echo --estimate-from "$OUT/timing.jsonl" )
  done
  exit 0
fi

if [[ -z ${GPUS:-} ]]; then
  GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | paste -sd, -) || true
fi
if [[ -z ${GPUS:-} ]]; then
  echo "no GPU found (nvidia-smi lists none); set GPUS=0,1,... or use --dry-run on this machine." >&2
  exit 2
fi
IFS=, read -r -a GPU_LIST <<< "$GPUS"
mkdir -p "$OUT/logs"

# One worker per GPU over the given grids; the workers share results files and claims.
workers() {  # $1: log tag, then suite flags for every grid
  local tag=$1; shift
  local gpu
  for gpu in "${GPU_LIST[@]}"; do
    (
      for grid in "${GRIDS[@]}"; do
        results=${grid%%|*}; read -r -a flags <<< "${grid#*|}"
        CUDA_VISIBLE_DEVICES=$gpu "$PY" -m bench suite "${COMMON[@]}" "${flags[@]}" --device "${DEVICE:-cuda}" \
          --checkpoint-every "$CKPT_EVERY" --quiet "$@" --results "${TIMING_FILE:-$results}" || true
      done
    ) > "$OUT/logs/$tag-gpu$gpu.log" 2>&1 &
    sleep 5  # let the first worker claim its cell before the next one looks
  done
  wait
}

# 1. Timing: every kind of cell (data set x encoder x method x arm), 3 epochs on a quarter of
# the training split, into a file of its own (never mixed with the real records). The first
# epoch's warm-up (cuDNN autotuning, allocator) is inside, so the estimates lean high.
echo "timing runs on GPUs $GPUS (logs in $OUT/logs/timing-gpu*.log) ..."
TIMING_FILE=$OUT/timing.jsonl workers timing --epochs 3 --data-ratios 0.25

# 2. The estimate per cell: training time scaled from the timing runs to the full schedule and
# data, plus their loading and evaluation time as measured.
echo "per-cell estimates (one GPU each; the grid runs on ${#GPU_LIST[@]} GPU(s) in parallel):"
bash "$OUT/run.sh" --dry-run
[[ $MODE == estimate ]] && exit 0

# 3. The real runs.
echo "running the grids on GPUs $GPUS (logs in $OUT/logs/run-gpu*.log); stop at any time and run again."
workers run
for results in "$OUT/runs.jsonl" "$OUT/resnet18.jsonl"; do
  [[ -f $results ]] && "$PY" -m bench table --results "$results" --metric probe && \
    "$PY" -m bench table --results "$results" --metric knn
done
echo "figures: $PY -m bench plot --results $OUT/runs.jsonl --out $OUT/figures"
