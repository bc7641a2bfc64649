#!/usr/bin/env bash
# The text domain's evidence (issue 28 item 3), through the protocol results/repro ran on the other
# four domains. i-Mix on text mixes the token embeddings (--mix-layer 1); this script refuses to start
# on a bench without --mix-layer. The regime study is done and chose 5 epochs; the table runs at it.
#   regime.jsonl: the regime study: seeds 0-2, SimCLR and MoCo x baseline / i-Mix, at three lengths
#                 (LENGTHS); the fixed rule (choose_length.py, the reproduction's rule) picks one;
#   table.jsonl:  the table: fresh seeds 3-7, SimCLR, MoCo and BYOL x baseline / i-Mix at that
#                 length (EPOCHS), probe and kNN, paired tests; TF-IDF and --epochs 0 references.
# Settings: text.toml (20,000 WordNet noun glosses, transformer 128 x 2, 24 tokens); cost: README.md.
#
#   bash results/text/run.sh          # two suite workers, one per core; resumable across sessions
#   WORKERS=1 bash results/text/run.sh  # one worker, leaving a core free; start another later to join
#   DRY=1 bash results/text/run.sh    # the cells, commands and estimates
set -u
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export MALLOC_MMAP_THRESHOLD_=1000000000 MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_TOP_PAD_=1000000000
PY=${PYTHON:-python}
CONFIG=results/text/text.toml
LENGTHS=(5 15 40)  # short, middle, long (epochs of the 16,000 training glosses)
EPOCHS=5  # `python results/text/choose_length.py` on the 36 regime records (2026-12-07): gains +0.83 / -0.62 / -1.13

if ! "$PY" -c "import sys; from bench.core.config import FIELD_NAMES; sys.exit('mix_layer' not in FIELD_NAMES)"; then
  echo "results/text/run.sh: this bench has no --mix-layer yet, so i-Mix cannot mix the text domain's" >&2
  echo "token embeddings; the protocol waits for it (issue 29)." >&2
  exit 2
fi

suite() {  # suite EPOCHS RESULTS [flags...]
  local epochs=$1 results=$2; shift 2
  "$PY" -m bench suite --config "$CONFIG" --epochs "$epochs" --eval-every $(((epochs + 4) / 5)) \
    --mix-layer 1 --results "$results" ${DRY:+--dry-run} "$@"
}

regime() {
  # Seeds outermost ("--seeds 2" is seeds 0-1), lengths shortest first: every stop leaves each
  # length with the same number of seeds, minus one at most.
  for seeds in 1 2 3; do
    for epochs in "${LENGTHS[@]}"; do suite "$epochs" results/text/regime.jsonl --methods simclr,moco --seeds $seeds; done
  done
}

table() {
  for seeds in 3, 3,4 3,4,5 3,4,5,6 3,4,5,6,7; do
    suite "$EPOCHS" results/text/table.jsonl --methods simclr,moco,byol --seeds $seeds
  done
  # the untrained encoder per seed (the --epochs 0 reference): evaluation only; the suite also writes
  # the i-Mix arm, which at 0 epochs is the same untrained encoder (a check that the two agree)
  "$PY" -m bench suite --config "$CONFIG" --epochs 0 --mix-layer 1 --methods simclr --seeds 3,4,5,6,7 \
    --results results/text/untrained.jsonl ${DRY:+--dry-run}
}

worker() {
  regime
  if ! [[ $EPOCHS =~ ^[0-9]+$ ]]; then
    echo "results/text/run.sh: the regime study is done (or running in the other worker); choose the length:" >&2
    echo "  python results/text/choose_length.py   # then write EPOCHS in this file, commit, run again" >&2
    return 0
  fi
  table
}

if [[ -n ${DRY:-} ]]; then
  worker
  exit 0
fi
if [[ ${WORKERS:-2} == 1 ]]; then
  worker > "${LOG:-/tmp}/text-$$.log" 2>&1
  exit
fi
worker > "${LOG:-/tmp}/text-a.log" 2>&1 &
sleep 10  # let the first worker claim its first cell
worker > "${LOG:-/tmp}/text-b.log" 2>&1
wait
