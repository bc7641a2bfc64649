#!/usr/bin/env bash
# The tabular benchmark of issue 2, scaled to a 2-core CPU. Run from the repository root:
#   DATASETS="letter" bash results/tabular/run_benchmark.sh
# Seeds are the outer loop so that a partial run still gives paired baseline/i-Mix cells.
# Each dataset writes <name>.jsonl (methods) and <name>-reference.jsonl (untrained encoder,
# supervised MLP); every record also holds the raw-feature probe.
set -u
OUT=${OUT:-results/tabular}
EPOCHS=${EPOCHS:-20}
SEEDS=${SEEDS:-"0 1 2"}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
for name in ${DATASETS:-letter digits adult}; do
  case $name in
    digits) DATA="--dataset digits"; E=100;;
    adult)  DATA="--dataset csv --data ../shared/data/adult/adult.data --no-header --label 14"; E=$EPOCHS;;
    letter) DATA="--dataset csv --data ../shared/data/letter/letter-recognition.csv --label Letter --test-last 4000"; E=$EPOCHS;;
  esac
  for seed in $SEEDS; do
    for method in simclr moco byol; do
      for imix in "" "--imix"; do
        python -m bench run --domain tabular $DATA --method $method $imix --epochs $E --seed $seed --quiet --results $OUT/$name.jsonl
      done
    done
    python -m bench run --domain tabular $DATA --method simclr --epochs 0 --seed $seed --quiet --results $OUT/$name-reference.jsonl
    python -m bench run --domain tabular $DATA --method supervised --epochs $E --seed $seed --quiet --results $OUT/$name-reference.jsonl
  done
done
