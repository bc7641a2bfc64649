#!/usr/bin/env bash
# The scaled-down CIFAR-10 benchmark of issue 3, as it was run on a shared 2-core CPU.
#   bash results/images/cifar10_small_cnn.sh STREAM   (STREAMs a and b ran side by side)
# Each run pretrains the small CNN (stem stride 2) on a stratified 10,000-image subset of
# ../shared/data/cifar10 (--class-ratio 0.2: 1,000 per class; the linear probe and kNN train
# on the same 10,000 images) for 4 epochs, and is scored on all 10,000 test images.
# One torch/BLAS thread per process: with four engineers sharing two cores, more threads
# only spin against each other. A failed run is logged and the stream goes on.
# --weight-decay 5e-4 and --proj-hidden 512 were the defaults when these records were made
# (docs/fidelity.md); they are spelled out so the script still reproduces them.
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1
COMMON=(--domain images --dataset imagefolder --data ../shared/data/cifar10 --class-ratio 0.2
        --encoder small-cnn --stem-stride 2 --epochs 4 --batch-size 256 --weight-decay 5e-4 --proj-hidden 512
        --results results/images/runs.jsonl --quiet)
one() {  # method seed baseline|mixup|cutmix
  local mixing=()
  [ "$3" != baseline ] && mixing=(--imix --mix "$3")
  echo "$(date -u +%H:%M:%S) start $*"
  python -m bench run "${COMMON[@]}" --method "$1" --seed "$2" "${mixing[@]}" || echo "run $* failed: exit $?"
}
case "${1:-a}" in
  # first pass (13:51): simclr 0 baseline and byol 0 baseline; both streams were then killed
  # from outside after one run each, so the second pass (14:12) runs the rest:
  a) one simclr 0 mixup; one simclr 0 cutmix; one moco 0 baseline; one moco 0 mixup
     one simclr 1 baseline; one simclr 1 mixup; one simclr 1 cutmix ;;
  b) one moco 0 cutmix; one byol 0 mixup; one byol 0 cutmix
     one simclr 2 baseline; one simclr 2 mixup; one simclr 2 cutmix ;;
  c) one moco 1 baseline; one moco 1 mixup; one moco 1 cutmix ;;  # after b, as time allowed
  d) one byol 1 baseline; one byol 1 mixup; one byol 1 cutmix ;;  # after c
  # third seeds for MoCo and BYOL, run a day later (11-29) on a machine shared with two jobs
  e) one moco 2 baseline; one moco 2 mixup; one moco 2 cutmix
     one byol 2 baseline; one byol 2 mixup; one byol 2 cutmix ;;
  first-a) one simclr 0 baseline ;;
  first-b) one byol 0 baseline ;;
esac
