#!/usr/bin/env bash
# The reproduction tables (issue 16 item 2), at the settings the regime study chose:
#   table1.jsonl: the paper's Table 1 shape for this machine: every domain x SimCLR, MoCo, BYOL
#                 x baseline / i-Mix, 5 seeds (linear probe and kNN, paired test).
#   table3.jsonl: the paper's Table 3 shape on tabular data (Letter, SimCLR): no augmentation,
#                 InputMix, i-Mix, both, 5 seeds.
#   images-long.jsonl: secondary, run last: the CIFAR-10 subset at 80 epochs, SimCLR and MoCo
#                 (see the note at the end of worker()).
# Seeds 3-7: fresh, never seen by the regime study (seeds 0-2) that chose the settings.
# The pretraining length of each data set was chosen from results/regime/ before any seed of
# these tables ran (README.md: how) and is written into EPOCHS below.
#
#   bash results/repro/run.sh          # two suite workers, one per core; resumable
#   DRY=1 bash results/repro/run.sh    # the cells, commands and estimates
set -u
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export MALLOC_MMAP_THRESHOLD_=1000000000 MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_TOP_PAD_=1000000000
PY=${PYTHON:-python}
CONFIG=results/regime/regime.toml  # the very settings the regime study ran, so its choice carries over
DATASETS=(letter mnist1d cifar10 fsdd)
# Chosen from the regime study by the fixed rule (results/repro/choose_lengths.py; output in choose_lengths.txt):
declare -A EPOCHS=([letter]=150 [mnist1d]=200 [cifar10]=10 [fsdd]=50)  # choose_lengths.py on 240 regime records, 2026-12-01
for d in "${DATASETS[@]}"; do
  if ! [[ ${EPOCHS[$d]} =~ ^[0-9]+$ ]]; then
    echo "results/repro/run.sh: the pretraining length of $d is not chosen yet (EPOCHS[$d]=${EPOCHS[$d]})." >&2
    echo "Choose it from the regime study as results/repro/README.md says, then run again." >&2
    exit 2
  fi
done

suite() {  # suite DATASET EPOCHS RESULTS [flags...]
  local d=$1 epochs=$2 results=$3; shift 3
  "$PY" -m bench suite --config "$CONFIG" --datasets "$d" --epochs "$epochs" \
    --eval-every $((epochs / 5)) --results "$results" ${DRY:+--dry-run} "$@"
}

worker() {
  # Data sets outermost, cheapest first, and inside each the seeds ("3," is the list [3]; each
  # round adds one seed to what is recorded). These tables take several sessions of this
  # machine: this order finishes one data set's 5 seeds (its verdict) before the next starts,
  # so every stop leaves whole domains, and a stop inside a data set leaves its rows with the
  # same number of seeds, minus one at most.
  local rounds=(3, 3,4 3,4,5 3,4,5,6 3,4,5,6,7)
  for d in "${DATASETS[@]}"; do
    for seeds in "${rounds[@]}"; do
      suite "$d" "${EPOCHS[$d]}" results/repro/table1.jsonl --methods simclr,moco,byol --seeds $seeds
    done
    if [[ $d == letter ]]; then
      # Table 3 shape: both views clean (no augmentation), without and with InputMix; each
      # suite call runs the baseline and the i-Mix arm, so the four columns are
      # no-aug | no-aug + i-Mix | InputMix | InputMix + i-Mix (both).
      for seeds in "${rounds[@]}"; do
        suite letter "${EPOCHS[letter]}" results/repro/table3.jsonl --methods simclr --seeds $seeds --no-aug
        suite letter "${EPOCHS[letter]}" results/repro/table3.jsonl --methods simclr --seeds $seeds --no-aug --inputmix
      done
    fi
  done
  # Secondary, declared on 2026-12-01 before any seed of these tables ran: the images domain at
  # the regime study's long length. The rule gave CIFAR-10 its shortest length (the three probe
  # gains tie), but at 80 epochs the regime's kNN gains were +1.6 (SimCLR) and +1.4 (MoCo) on
  # seeds 0-2 and both arms' kNN was still rising. Fresh seeds 3-7 test that reading; it is a
  # second look at one domain, so README.md reports it apart from Table 1, not in place of it.
  for seeds in "${rounds[@]}"; do
    suite cifar10 80 results/repro/images-long.jsonl --methods simclr,moco --seeds $seeds
  done
}

if [[ -n ${DRY:-} ]]; then
  worker
  exit 0
fi
worker > "${LOG:-/tmp}/repro-a.log" 2>&1 &
sleep 10
worker > "${LOG:-/tmp}/repro-b.log" 2>&1
wait
