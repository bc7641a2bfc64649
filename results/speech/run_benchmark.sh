#!/usr/bin/env bash
# CPU-scale speech benchmark: simclr, moco, byol x {baseline, i-MixUp} on FSDD (index and
# speaker splits) and the embedded eSpeak keyword set. Run from the repository root.
#   SETS="speaker index espeak" SEEDS="0 1 2" results/speech/run_benchmark.sh
# Seeds run in the outer loop, so a benchmark stopped early still covers every cell once.
set -u
# One thread: on a shared, loaded CPU, multi-threaded BLAS in the linear probe ran ~15x slower
# than single-threaded (20 s vs 1.2 s for a 2,400 x 256 probe in the same minute).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
RESULTS=${RESULTS:-results/speech/runs.jsonl}
FSDD=${FSDD:-../shared/data/fsdd}
COMMON="--domain speech --speech-recipe suite --encoder small-cnn --stem-stride 2 --epochs 6 --batch-size 128 --quiet --results $RESULTS"
for seed in ${SEEDS:-0 1 2}; do
  for set_name in ${SETS:-speaker index espeak}; do
    case $set_name in
      speaker) data="--dataset fsdd --data $FSDD --split speaker" ;;
      index) data="--dataset fsdd --data $FSDD --split index" ;;
      espeak) data="--dataset espeak-keywords" ;;
    esac
    for method in ${METHODS:-simclr moco byol}; do
      for imix in "" "--imix"; do
        echo "$(date -u +%H:%M:%S) python -m bench run $COMMON $data --method $method $imix --seed $seed"
        python -m bench run $COMMON $data --method $method $imix --seed $seed
      done
    done
  done
done
