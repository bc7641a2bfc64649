#!/usr/bin/env bash
# The measurements behind results/perf/distributed.md, on the embedded digits images (small-cnn,
# SimCLR + i-Mix, global batch 128). Run from the repository root (about 15 minutes on 2 cores):
#   bash results/perf/distributed.sh [processes|precision|compile|memory ...]   (default: all four)
# Training records are appended to results/perf/distributed.jsonl, memory lines to
# distributed-memory.jsonl; results/perf/summarise.py prints the tables in distributed.md.
set -euo pipefail
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT=results/perf/distributed.jsonl
MEM=results/perf/distributed-memory.jsonl
COMMON=(--domain images --method simclr --imix --batch-size 128 --no-raw-probe --quiet --results "$OUT")
TORCHRUN=(python -m torch.distributed.run --standalone --nproc-per-node 2)

processes() {  # 1 process x 1 and 2 threads, 2 Gloo processes x 1 thread; two interleaved rounds
  for round in 1 2; do
    python -m bench run "${COMMON[@]}" --epochs 4 --workers 1
    python -m bench run "${COMMON[@]}" --epochs 4 --workers 2
    OMP_NUM_THREADS=1 "${TORCHRUN[@]}" -m bench run "${COMMON[@]}" --epochs 4 --workers 1
    OMP_NUM_THREADS=1 "${TORCHRUN[@]}" -m bench run "${COMMON[@]}" --epochs 4 --workers 1 --sync-bn
  done
}

precision() {  # bf16 vs fp32: speed and probe accuracy (3 epochs: bf16 is slow on this CPU)
  python -m bench run "${COMMON[@]}" --epochs 3 --workers 1 --precision fp32
  python -m bench run "${COMMON[@]}" --epochs 3 --workers 1 --precision bf16
  python -m bench run "${COMMON[@]}" --epochs 3 --workers 1 --precision bf16 --channels-last
}

compile() {  # torch.compile of the backbone; its compile time counts as training time
  python -m bench run "${COMMON[@]}" --epochs 12 --workers 1 --compile
  python -m bench run "${COMMON[@]}" --epochs 12 --workers 1
}

memory() {  # MoCo's queue (dim 128, batch 256) and the probe's feature cache (dim 512)
  : > "$MEM"
  for k in 4096 16384 65536; do python results/perf/memory.py queue "$k" >> "$MEM"; done
  for n in 10000 50000; do python results/perf/memory.py features "$n" >> "$MEM"; done
}

for section in "${@:-processes precision compile memory}"; do
  for name in $section; do "$name"; done
done
python results/perf/summarise.py
