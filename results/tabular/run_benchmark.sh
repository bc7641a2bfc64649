#!/usr/bin/env bash
# The tabular benchmark of issue 2, scaled to a 2-core CPU. Run from the repository root.
# Seeds are the outer loop so that a partial run still gives paired baseline/i-Mix cells.
set -u
OUT=${OUT:-results/tabular}
LETTER="--dataset csv --data ../shared/data/letter/letter-recognition.csv --label Letter --test-last 4000"
ADULT="--dataset csv --data ../shared/data/adult/adult.data --no-header --label 14"
DIGITS="--dataset digits"
EPOCHS=${EPOCHS:-20}
for name in digits adult letter; do
  case $name in digits) DATA=$DIGITS; E=100;; adult) DATA=$ADULT; E=$EPOCHS;; letter) DATA=$LETTER; E=$EPOCHS;; esac
  for seed in 0 1 2; do
    for method in simclr moco byol; do
      for imix in "" "--imix"; do
        python -m bench run --domain tabular $DATA --method $method $imix --epochs $E --seed $seed --quiet --results $OUT/$name.jsonl
      done
    done
    python -m bench run --domain tabular $DATA --method simclr --epochs 0 --seed $seed --quiet --results $OUT/${name}-reference.jsonl
    python -m bench run --domain tabular $DATA --method supervised --epochs $E --seed $seed --quiet --results $OUT/${name}-reference.jsonl
  done
done
