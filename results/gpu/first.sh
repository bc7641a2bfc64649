#!/usr/bin/env bash
# The first GPU numbers (issue 26), in one command of about 400 s (at most 460) on the device machine:
#   1. the device: nvidia-smi's name and driver, torch, CUDA and cuDNN versions (device.json);
#   2. samples/s of ResNet-18 SimCLR (N-pair) + i-CutMix at batch 256, bench.perf's three loops
#      (model alone on fixed tensors, the trainer's step with the suite's on-device augmentation,
#      PIL + DataLoader), in fp32, in bf16 + channels-last, and bf16 + channels-last compiled
#      where the compile fits its limit (perf.jsonl);
#   3. ResNet-18 on the CIFAR-10 training set, the N-pair baseline and i-Mix at the same number
#      of epochs, chosen from the measured trainer speed so both fit, with kNN and the linear
#      probe on the test set (runs.jsonl, through `python -m bench run`), and the untrained
#      encoder beside them (untrained.jsonl);
#   4. README.md with the figures, the tables of `python -m bench table`, each step's status.
#
#   bash results/gpu/first.sh [OUT_DIR]     # OUT_DIR default: $OUT (the device's), else results/gpu/out
#   TINY=1 DATA=FOLDER bash results/gpu/first.sh DIR   # the CPU smoke run (tests/test_gpu_script.py)
#
# Needs .gpu-data/cifar10.tar.gz (bash results/gpu/stage_data.sh) unless DATA names an image
# folder. Runs from a plain checkout: python3 with torch, torchvision, scikit-learn, pandas,
# tabulate, tqdm (the device image's), PYTHONPATH=. and no install. Environment: BUDGET_S (the
# whole script's seconds, default 400), EPOCHS (skip the plan), COMPILE=0 (skip the compiled
# measurement), MIX (i-Mix's mixing in training, default mixup: the paper's CIFAR arm), PYTHON.
# A failing or timed-out step is recorded in steps.tsv and the next goes on; the exit code is 1
# if any failed. Everything lands in OUT_DIR as at most 8 plain files (the device's $OUT limit).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
# The one reference to bench's internals: the measurer's module. Everything else is the CLI.
PERF_MODULE=${PERF_MODULE:-bench.perf}
PY=${PYTHON:-python3}
OUT_DIR=${1:-${OUT:-results/gpu/out}}
TINY=${TINY:-0}
MIX=${MIX:-mixup}
if [[ -e $OUT_DIR/README.md || -e $OUT_DIR/runs.jsonl || -e $OUT_DIR/untrained.jsonl || -e $OUT_DIR/perf.jsonl ]]; then
  echo "first.sh: $OUT_DIR already holds results of an earlier run; give another folder as the first" \
       "argument, or move those files away (nothing is overwritten)." >&2
  exit 2
fi
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
WORK=$(mktemp -d -t imix-gpu.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

if [[ $TINY == 1 ]]; then  # a few steps on the CPU, fp32 only (this CPU has no fast bf16)
  # one thread: on a small shared CPU two threads per process made ResNet-18 steps 3x slower
  export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
  DEVICE=cpu BATCH=${BATCH:-4} BUDGET_S=${BUDGET_S:-600} MAX_EPOCHS=1 OVERHEAD_S=5
  PERF_ARGS=(--steps 1 --rounds 1 --warmup 1 --workers 0)
  PERF_SETTINGS=("fp32:--precision fp32" "fp32-cl:--precision fp32 --channels-last")
  TRAIN_FLAGS=(--precision fp32 --channels-last) COMPILE=0 PERF_LIMIT=120
else
  DEVICE=${DEVICE:-cuda} BATCH=${BATCH:-256} BUDGET_S=${BUDGET_S:-400} MAX_EPOCHS=100 OVERHEAD_S=${OVERHEAD_S:-35}
  PERF_ARGS=(--steps 10 --rounds 3 --warmup 3)  # DataLoader workers: the measurer's default, one per CPU
  PERF_SETTINGS=("fp32:--precision fp32" "bf16-cl:--precision bf16 --channels-last")
  TRAIN_FLAGS=(--precision bf16 --channels-last) COMPILE=${COMPILE:-1} PERF_LIMIT=75
fi
COMPILE_LIMIT=150  # seconds for the compiled measurement, compile time included
FINAL_S=20         # kept back for the tables and the README
SLACK_S=40         # the i-Mix run may overrun the budget by this much, so a slow epoch costs no pair

left() { echo $((BUDGET_S - SECONDS)); }

step() {  # step NAME LIMIT_S COMMAND...: run it under a time limit and record how it ended
  local name=$1 limit=$2 started=$SECONDS rc status=ok
  shift 2
  echo "== $name (limit ${limit} s, $(left) s of the budget left): $*" >&2
  if ((limit < 1)); then rc=124; else timeout --kill-after=10 "$limit" "$@"; rc=$?; fi
  ((rc == 124 || rc == 137)) && status="timed out (limit ${limit} s)"
  ((rc != 0 && rc != 124 && rc != 137)) && status="failed (exit $rc)"
  printf '%s\t%s\t%s\n' "$name" "$status" $((SECONDS - started)) >> "$OUT_DIR/steps.tsv"
  return $rc
}

perf() {  # perf NAME LIMIT_S FLAGS...: one measurement of PERF_MODULE, appended to perf.jsonl
  local name=$1 limit=$2
  shift 2
  rm -rf "$WORK/perf"
  step "perf $name" "$limit" "$PY" -m "$PERF_MODULE" --encoder resnet18 --method simclr --mix cutmix \
    --batch-size "$BATCH" --device "$DEVICE" "${PERF_ARGS[@]}" --out "$WORK/perf" "$@" || return 1
  "$PY" -c 'import json, sys; [print(json.dumps(json.load(open(p)))) for p in sys.argv[1:]]' \
    "$WORK"/perf/*.json >> "$OUT_DIR/perf.jsonl"
}

check_data() {  # before anything runs: an unpacked folder (DATA) or the staged archive
  archive=${DATA_ARCHIVE:-.gpu-data/cifar10.tar.gz}
  if [[ -z ${DATA:-} && ! -f $archive ]]; then
    echo "first.sh: no $archive. Run bash results/gpu/stage_data.sh in this checkout first, and name" \
         ".gpu-data in the device call's carry (results/gpu/README.md)." >&2
    return 2
  fi
}

record_device() {  # 1. the device
  if command -v nvidia-smi > /dev/null; then nvidia-smi; else echo "(no nvidia-smi here)"; fi
  step device 60 "$PY" results/gpu/device_info.py > "$OUT_DIR/device.json"
  if [[ $DEVICE == cuda ]] && ! "$PY" -c 'import sys, torch; sys.exit(not torch.cuda.is_available())'; then
    echo "first.sh: torch sees no CUDA device here; on a machine without a GPU run it with TINY=1." >&2
    return 2
  fi
}

unpack_data() {  # sets data and train_size
  if [[ -n ${DATA:-} ]]; then
    data=$DATA
  else
    step unpack 120 tar -xzf "$archive" -C "$WORK" || return 1
    data=$WORK/cifar10
  fi
  train_size=$(find "$data/train" -type f | wc -l)
  echo "data: $data, $train_size training images"
}

measure_speed() {  # 2. samples/s
  local setting
  for setting in "${PERF_SETTINGS[@]}"; do
    # shellcheck disable=SC2086  # the flags after the colon are meant to split into words
    perf "${setting%%:*}" "$PERF_LIMIT" ${setting#*:}
  done
  if [[ $COMPILE == 1 ]]; then
    perf bf16-cl-compile "$COMPILE_LIMIT" --precision bf16 --channels-last --compile
  fi
}

train_arms() {  # 3. the untrained encoder, then baseline and i-Mix at the same epochs
  local common=(--domain images --dataset imagefolder --data "$data" --encoder resnet18 --method simclr
                --batch-size "$BATCH" --device "$DEVICE" "${TRAIN_FLAGS[@]}" --seed 0 --no-raw-probe
                --data-root "$WORK/cache")
  # a reference row; it also decodes and caches the images and measures what a run costs besides its epochs
  step "untrained (--epochs 0)" $(($(left) / 2)) "$PY" -m bench run "${common[@]}" --epochs 0 \
    --results "$OUT_DIR/untrained.jsonl"
  local train_left=$(($(left) - FINAL_S)) cl=()
  if [[ -z ${EPOCHS:-} ]]; then
    [[ " ${TRAIN_FLAGS[*]} " == *" --channels-last "* ]] && cl=(--channels-last)
    EPOCHS=$("$PY" results/gpu/plan_epochs.py --perf "$OUT_DIR/perf.jsonl" --precision "${TRAIN_FLAGS[1]}" \
      "${cl[@]}" --seconds-left "$train_left" --train-size "$train_size" \
      --untrained "$OUT_DIR/untrained.jsonl" --overhead "$OVERHEAD_S" --max-epochs "$MAX_EPOCHS") || EPOCHS=1
  fi
  echo "training: $EPOCHS epochs per arm"
  common+=(--epochs "$EPOCHS" --results "$OUT_DIR/runs.jsonl")
  step "train baseline" $((train_left * 6 / 10)) "$PY" -m bench run "${common[@]}"
  step "train i-Mix ($MIX)" $(($(left) + SLACK_S - FINAL_S)) "$PY" -m bench run "${common[@]}" --imix --mix "$MIX"
}

summarise() {  # 4. tables and README; fails if any step did
  local metric
  for metric in knn probe; do
    step "table $metric" 30 "$PY" -m bench table --results "$OUT_DIR/runs.jsonl" --metric "$metric" \
      > "$WORK/table_$metric.md"
  done
  "$PY" results/gpu/write_readme.py --out "$OUT_DIR" --tables "$WORK"/table_*.md \
    --mode "$([[ $TINY == 1 ]] && echo tiny || echo full)" --budget "$BUDGET_S" --seconds "$SECONDS"
  if grep -qv $'\tok\t' "$OUT_DIR/steps.tsv"; then
    echo "first.sh: some steps did not succeed (steps.tsv):" >&2
    grep -v $'\tok\t' "$OUT_DIR/steps.tsv" >&2
    return 1
  fi
  echo "first.sh: done in $SECONDS s; results in $OUT_DIR"
}

main() {
  check_data || return
  record_device || return
  unpack_data || return
  measure_speed
  train_arms
  summarise
}

# tee ends before the script does, so log.txt is complete when the device's $OUT is collected
main 2>&1 | tee "$OUT_DIR/log.txt"
exit "${PIPESTATUS[0]}"
