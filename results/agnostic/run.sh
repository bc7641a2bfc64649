#!/usr/bin/env bash
# The domain-agnostic comparison (issue 29 item 5): on each domain's data set of results/repro, at the
# length results/repro chose for it, the strategies side by side against the same baselines, paired
# by seed (3-7, the reproduction's fresh seeds):
#   runs.jsonl:  with the domain's views: i-Mix at the input (from results/repro), i-Mix after block 2
#                (--mix-layer 2: the middle of every default encoder), e-Mix, DACL, Gaussian noise;
#                SimCLR and MoCo.
#   noaug.jsonl: without the views (--no-aug, Table 3's setting): i-Mix, InputMix, e-Mix, DACL, Gaussian
#                noise as the only source of positives; SimCLR (Table 3's method).
# The baselines and the input i-Mix arm are results/repro/table1.jsonl's: --reuse counts them as
# done, so only the new arms run. Text joins once
# results/text has chosen its length (README.md).
#
#   bash results/agnostic/run.sh            # two suite workers, one per core; resumable
#   WORKERS=1 bash results/agnostic/run.sh  # one worker; another may join later
#   DRY=1 bash results/agnostic/run.sh      # the cells, commands and estimates
set -u
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export MALLOC_MMAP_THRESHOLD_=1000000000 MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_TOP_PAD_=1000000000
PY=${PYTHON:-python}
CONFIG=results/regime/regime.toml  # results/repro's settings, so its records pair with these
DATASETS=(cifar10 mnist1d letter fsdd)  # cheapest first
eval "$(grep '^declare -A EPOCHS=' results/repro/run.sh)"  # the lengths results/repro chose: one source
MIDDLE=2  # i-Mix after block 2: of 3 (mlp, cnn1d) or 4 (small-cnn); the text transformer's first layer

suite() {  # suite DATASET RESULTS REUSE [flags...]
  local d=$1 results=$2 reuse=$3; shift 3
  local epochs=${EPOCHS[$d]}
  "$PY" -m bench suite --config "$CONFIG" --datasets "$d" --epochs "$epochs" --eval-every $((epochs / 5)) \
    --results "results/agnostic/$results" --reuse "$reuse" ${DRY:+--dry-run} "$@"
}

worker() {
  # Data sets outermost, then seeds, each round adding one seed: every stop leaves whole data sets
  # before it and, inside one, every arm with the same number of seeds, minus one at most.
  local rounds=(3, 3,4 3,4,5 3,4,5,6 3,4,5,6,7)
  for d in "${DATASETS[@]}"; do
    for seeds in "${rounds[@]}"; do
      suite "$d" runs.jsonl results/repro/table1.jsonl --methods simclr,moco --seeds $seeds \
        --strategies imix,emix,dacl,gaussian
      suite "$d" runs.jsonl results/repro/table1.jsonl --methods simclr,moco --seeds $seeds \
        --strategies imix --mix-layer $MIDDLE
      # Letter's views are the clean rows (tables have no augmentation, and regime.toml no input
      # dropout): --no-aug trains the same runs there (table1's and table3's baselines agree to the
      # last digit), so its with-views arms above are its no-aug arms and it is not run twice.
      [[ $d == letter ]] && continue
      suite "$d" noaug.jsonl results/repro/table1.jsonl --methods simclr --seeds $seeds --no-aug \
        --strategies imix,inputmix,emix,dacl,gaussian
    done
  done
}

if [[ -n ${DRY:-} ]]; then
  worker
  exit 0
fi
if [[ ${WORKERS:-2} == 1 ]]; then
  worker > "${LOG:-/tmp}/agnostic-$$.log" 2>&1
  exit
fi
worker > "${LOG:-/tmp}/agnostic-a.log" 2>&1 &
sleep 10  # let the first worker claim its first cell
worker > "${LOG:-/tmp}/agnostic-b.log" 2>&1
wait
