"""docs/cluster.md's examples as written: the SLURM and Kubernetes task lines give the same shares
(seen with --dry-run, which the doc offers), and the join block reads the shards it names."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bench.cli import main
from conftest import REPO
from test_docs import code_blocks
from test_shards import _config

DOC = REPO / "docs" / "cluster.md"


def _block(containing: str) -> str:
    (code,) = [code for language, code in code_blocks(DOC.read_text(), marked_only=False)
               if language == "bash" and containing in code]
    return code


def _bash(code: str, folder: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "IMIX_BENCH_DATA": str(folder / "data-root"),
                   "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **env}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=folder, env=environment, capture_output=True,
                          text=True, timeout=300)


def _cells(output: str) -> list[str]:
    return re.findall(r"^\[\s*\d+/\d+\]\s+\S+\s+(.*)$", output, flags=re.M)


def test_the_slurm_and_kubernetes_lines_give_task_3_the_same_share(tmp_path):
    slurm = _bash(_block("$SLURM_ARRAY_TASK_ID/8").rstrip() + " --dry-run", tmp_path, SLURM_ARRAY_TASK_ID="3")
    kubernetes = _bash(_block("$JOB_COMPLETION_INDEX").rstrip() + " --dry-run", tmp_path, JOB_COMPLETION_INDEX="2")
    for done in (slurm, kubernetes):
        assert done.returncode == 0, done.stderr[-2000:]
        assert "note: shard 3/8: 10 of the grid's 84 cells" in done.stdout
    assert _cells(slurm.stdout) == _cells(kubernetes.stdout) and len(_cells(slurm.stdout)) == 10
    assert "shard-3-of-8.jsonl" in slurm.stdout and "shard-3-of-8.jsonl" in kubernetes.stdout


def test_the_join_block_reads_every_shard(tmp_path):
    grid = tmp_path / "results" / "grid"
    suite = ["suite", "--config", str(_config(tmp_path)), "--methods", "simclr", "--seeds", "2", "--quiet"]
    for k in (1, 2):
        assert main([*suite, "--shard", f"{k}/2", "--results", str(grid / f"shard-{k}-of-2.jsonl")]) == 0
    done = _bash(_block("bench report --results results/grid/shard-*.jsonl"), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| tabular/digits |" in done.stdout  # the table joins both shards into the one row
    assert (grid / "figures" / "bars.png").is_file() and (grid / "report.html").is_file()
    assert sorted(p.name for p in grid.iterdir()) == ["figures", "report.html", "shard-1-of-2.jsonl",
                                                     "shard-2-of-2.jsonl"]  # no claims or checkpoints left
