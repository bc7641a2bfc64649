#!/usr/bin/env bash
# References for the speech benchmark: a linear probe on the raw normalised log-mel features
# (40 x 101 = 4,040 inputs) and the same probe on an untrained (random-init) encoder, via
# --epochs 0 --raw-probe. Kept in their own file: the table would count them as SimCLR baselines.
set -u
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
RESULTS=${RESULTS:-results/speech/reference.jsonl}
FSDD=${FSDD:-../shared/data/fsdd}
for data in "--dataset fsdd --data $FSDD --split speaker" "--dataset fsdd --data $FSDD --split index" "--dataset espeak-keywords"; do
  echo "$(date -u +%H:%M:%S) python -m bench run --domain speech --speech-recipe suite --encoder small-cnn --stem-stride 2 $data --epochs 0 --raw-probe --quiet --results $RESULTS"
  python -m bench run --domain speech --speech-recipe suite --encoder small-cnn --stem-stride 2 $data --epochs 0 --raw-probe --quiet --results $RESULTS
done
