#!/usr/bin/env bash
# The domain-agnostic comparison (issue 29 item 5): on each domain's data set of results/repro, at the
# length results/repro chose for it, the strategies side by side against the same baselines, paired
# by seed (3-7, the reproduction's fresh seeds):
#   runs.jsonl:  with the domain's views: i-Mix at the input (from results/repro), i-Mix after block 2
#                (--mix-layer 2: the middle of every default encoder), e-Mix, DACL, Gaussian noise;
#                SimCLR and MoCo.
#   noaug.jsonl: without the views (--no-aug, Table 3's setting): i-Mix, InputMix, e-Mix, DACL, Gaussian
#                noise as the only source of positives; SimCLR (Table 3's method).
#   transformer.jsonl: last, the CIFAR-10 subset again with the shared --encoder transformer
#                (transformer.toml), SimCLR, the baseline and every arm.
# The baselines and the input i-Mix arm are results/repro/table1.jsonl's (text: results/text/table.jsonl's):
# --reuse counts them as done, so only the new arms run. Text runs once results/text's table is complete.
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
DATASETS=(cifar10 mnist1d letter text fsdd)  # cheapest first; text once results/text's table is done
eval "$(grep '^declare -A EPOCHS=' results/repro/run.sh)"  # the lengths results/repro chose: one source
MIDDLE=2  # i-Mix after block 2: of 3 (mlp, cnn1d) or 4 (small-cnn); the text transformer's first layer

suite() {  # suite DATASET RESULTS REUSE [flags...]
  local d=$1 results=$2 reuse=$3; shift 3
  local epochs=${EPOCHS[$d]}
  "$PY" -m bench suite --config "$CONFIG" --datasets "$d" --epochs "$epochs" --eval-every $((epochs / 5)) \
    --results "results/agnostic/$results" --reuse "$reuse" ${DRY:+--dry-run} "$@"
}

TEXT_EPOCHS=$(sed -n 's/^EPOCHS=\([0-9][0-9]*\).*/\1/p' results/text/run.sh)  # results/text's chosen length

text_suite() {  # text_suite RESULTS [flags...]: results/text's settings, so its table's records pair with these
  local results=$1; shift
  local reuse=()
  [[ -f results/text/table.jsonl ]] && reuse=(--reuse results/text/table.jsonl)
  "$PY" -m bench suite --config results/text/text.toml --epochs "$TEXT_EPOCHS" \
    --eval-every $(((TEXT_EPOCHS + 4) / 5)) --mix-layer 1 --results "results/agnostic/$results" \
    "${reuse[@]}" ${DRY:+--dry-run} "$@"
}

text() {
  # Text's inputs are token ids: i-Mix "at the input" is i-Mix on the embedded tokens (--mix-layer 1,
  # results/text's arm), block 2 is after the first transformer layer, and DACL, Gaussian noise and
  # InputMix, which blend or perturb raw inputs, are not defined on ids (the domain refuses them).
  if [[ -z $TEXT_EPOCHS ]]; then
    echo "results/agnostic/run.sh: text waits for results/text to choose its length" >&2
    return 0
  fi
  if (( $(wc -l < results/text/table.jsonl 2>/dev/null || echo 0) < 30 )); then
    echo "results/agnostic/run.sh: text waits for results/text's table (30 records), whose baselines it reuses;" \
      "run this again after it${DRY:+ (this dry run counts those baselines as cells to run)}" >&2
    [[ -z ${DRY:-} ]] && return 0
  fi
  local seeds
  for seeds in "$@"; do
    text_suite runs.jsonl --methods simclr,moco --seeds $seeds --strategies emix
    text_suite runs.jsonl --methods simclr,moco --seeds $seeds --strategies imix --mix-layer $MIDDLE
    text_suite noaug.jsonl --methods simclr --seeds $seeds --no-aug --strategies imix,emix
  done
}

transformer_suite() {  # transformer_suite RESULTS [flags...]: transformer.toml on the CIFAR-10 subset
  local results=$1; shift
  "$PY" -m bench suite --config results/agnostic/transformer.toml --results "results/agnostic/$results" \
    ${DRY:+--dry-run} "$@"
}

shared_transformer() {
  # Last, as time allows (about 5.2x the small CNN's cost, transformer_cost.py): the CIFAR-10 subset with the
  # shared transformer, SimCLR, baseline and every strategy; i-Mix at the input and after the embedding.
  local epochs=${EPOCHS[cifar10]} seeds
  for seeds in "$@"; do
    transformer_suite transformer.jsonl --epochs "$epochs" --eval-every $((epochs / 5)) --seeds $seeds \
      --strategies imix,emix,dacl,gaussian
    transformer_suite transformer.jsonl --epochs "$epochs" --eval-every $((epochs / 5)) --seeds $seeds \
      --strategies imix --mix-layer 1
  done
  # the untrained transformer per seed (--epochs 0, evaluation only): what its pretraining adds
  transformer_suite transformer-untrained.jsonl --epochs 0 --seeds "${@: -1}"
}

worker() {
  # Data sets outermost, then seeds, each round adding one seed: every stop leaves whole data sets
  # before it and, inside one, every arm with the same number of seeds, minus one at most.
  local rounds=(3, 3,4 3,4,5 3,4,5,6 3,4,5,6,7)
  for d in "${DATASETS[@]}"; do
    if [[ $d == text ]]; then text "${rounds[@]}"; continue; fi
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
  shared_transformer "${rounds[@]}"
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
