#!/usr/bin/env bash
# The scaled-down CIFAR-10 benchmark of issue 3, as it was run on a shared 2-core CPU.
#   bash results/images/run_benchmark.sh STREAM     (STREAM = a or b; the two ran side by side)
# Each run pretrains the small CNN (stem stride 2) on a stratified 10,000-image subset of
# ../shared/data/cifar10 (--class-ratio 0.2: 1,000 per class; the linear probe and kNN train
# on the same 10,000 images) for 4 epochs, and is scored on all 10,000 test images.
# One torch/BLAS thread per process: with four engineers sharing two cores, more threads
# only spin against each other.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1
COMMON=(--domain images --dataset imagefolder --data ../shared/data/cifar10 --class-ratio 0.2
        --encoder small-cnn --stem-stride 2 --epochs 4 --batch-size 256
        --results results/images/runs.jsonl --quiet)
run() {  # method seed
  python -m bench run "${COMMON[@]}" --method "$1" --seed "$2"
  python -m bench run "${COMMON[@]}" --method "$1" --seed "$2" --imix --mix mixup
  python -m bench run "${COMMON[@]}" --method "$1" --seed "$2" --imix --mix cutmix
}
case "${1:-a}" in
  a) run simclr 0; run moco 0; run simclr 1 ;;
  b) run byol 0; run simclr 2 ;;
esac
