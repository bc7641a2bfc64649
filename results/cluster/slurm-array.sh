#!/usr/bin/env bash
# A benchmark grid as a SLURM job array: worker K of N runs every N-th cell of the grid (from the
# K-th) into its own results file, so the workers share no file and no lock. Submit from the
# repository root:
#   sbatch results/cluster/slurm-array.sh                 # the whole grid, SHARDS workers
#   sbatch --array=3 results/cluster/slurm-array.sh       # rerun worker 3 alone (same share: N stays SHARDS)
#   sbatch results/cluster/slurm-array.sh --dry-run       # extra arguments go to `bench suite`
# Then join the shards (a cell recorded in two files is refused):
#   python -m bench table --results results/grid/shard-*.jsonl
#   python -m bench report --results results/grid/shard-*.jsonl --out results/grid/report.html
# A rerun of a worker skips its recorded cells and resumes a cut-short cell from its checkpoint
# (<results>.checkpoints/), so a preempted or timed-out task can simply be resubmitted.
#SBATCH --job-name=imix-grid
#SBATCH --array=1-8
#SBATCH --cpus-per-task=8
#SBATCH --gres=gpu:1
#SBATCH --time=24:00:00
#SBATCH --output=imix-grid-%A_%a.log
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
# N is fixed here, not read from the array: `--array=3` alone must still mean "worker 3 of 8".
SHARDS=${SHARDS:-8}
K=${SLURM_ARRAY_TASK_ID:?run under sbatch --array, or set SLURM_ARRAY_TASK_ID}
OUT=${OUT:-results/grid}
GRID=${GRID:---preset paper --domains images,speech,tabular --methods simclr,moco,byol --seeds 3}
mkdir -p "$OUT"
# PYTHON: the interpreter of the environment imix-bench is installed in (default: python on PATH)
# one process per task; PyTorch's CPU threads follow the cores SLURM gave this task
export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
# shellcheck disable=SC2086  # GRID is a list of flags
exec "${PYTHON:-python}" -m bench suite $GRID --shard "$K/$SHARDS" --results "$OUT/shard-$K-of-$SHARDS.jsonl" "$@"
