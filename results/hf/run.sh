#!/usr/bin/env bash
# --dataset hf against the folder/CSV paths on the same data, same seed, short runs.
# Run from the repository root: bash results/hf/run.sh  (records in results/hf/runs.jsonl)
set -euo pipefail
SHARED=${IMIX_BENCH_SHARED_DATA:-../shared/data}
OUT=${HF_BENCH_DIR:-/tmp/imix-hf-bench}
export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1
python results/hf/build_datasets.py "$OUT"
COMMON=(--method simclr --imix --seed 0 --workers 1 --quiet --results results/hf/runs.jsonl --data-root "$OUT/root")
IMAGES=(--domain images --epochs 3 --width 0.5 "${COMMON[@]}")
python -m bench run "${IMAGES[@]}" --dataset imagefolder --data "$OUT/cifar10-subset"
python -m bench run "${IMAGES[@]}" --dataset hf --data "$OUT/cifar10-hf"
SPEECH=(--domain speech --epochs 3 --stem-stride 2 "${COMMON[@]}")
python -m bench run "${SPEECH[@]}" --dataset fsdd --data "$SHARED/fsdd" --split index
python -m bench run "${SPEECH[@]}" --dataset hf --data "$OUT/fsdd-hf"
TABLE=(--domain tabular --epochs 5 "${COMMON[@]}")
python -m bench run "${TABLE[@]}" --dataset csv --data "$SHARED/letter/letter-recognition.csv" --label Letter --test-last 4000
python -m bench run "${TABLE[@]}" --dataset hf --data "$OUT/letter-hf" --label Letter
