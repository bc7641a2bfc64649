#!/usr/bin/env bash
# --speech-recipe suite vs official on FSDD's speaker split: SimCLR, baseline and i-MixUp, short
# CPU runs. Run from the repository root:
#   SEEDS="0 1" EPOCHS=3 results/speech/run_recipes.sh
# The suite recipe (1x40x101) uses the stride-2 stem of the other speech records; the official
# recipe's 1x32x32 input uses stride 1 (about the same number of stem positions: 20x51 vs 32x32).
set -u
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export MALLOC_MMAP_THRESHOLD_=1000000000 MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_TOP_PAD_=1000000000
PY=${PY:-python}
RESULTS=${RESULTS:-results/speech/recipes.jsonl}
FSDD=${FSDD:-../shared/data/fsdd}
COMMON="--domain speech --dataset fsdd --data $FSDD --split speaker --encoder small-cnn --epochs ${EPOCHS:-3}
        --batch-size 128 --method simclr --quiet --results $RESULTS"
for seed in ${SEEDS:-0 1}; do
  for recipe in suite official; do
    stride=$([ $recipe = suite ] && echo 2 || echo 1)
    for imix in "" "--imix"; do
      echo "$(date -u +%H:%M:%S) $PY -m bench run $COMMON --speech-recipe $recipe --stem-stride $stride $imix --seed $seed"
      $PY -m bench run $COMMON --speech-recipe $recipe --stem-stride $stride $imix --seed $seed
    done
  done
done
