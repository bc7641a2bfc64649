"""The docs run as written: every code block of docs/api.md and the README's marked blocks, top to
bottom, in a fresh interpreter and an empty folder, on the embedded data.

A reader pastes the blocks in order, so they run in order in one folder (a later block may use a
file an earlier one wrote, and says so), each in a new process: nothing from the test's own
imports or state leaks in. docs/api.md's examples are short as written; ``IMIX_BENCH_MAX_EPOCHS=1``
(README: Quick start) keeps the README's full-length commands to one epoch; one thread per process, as conftest.py gives the other tests,
because two cores shared by several BLAS pools ran the probe ten times slower. The Quick start
block itself (pip install, the whole test suite) is what .ci/run runs; the speech domain's
embedded set is not marked (its first run synthesises the clips, about a minute).
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

MARK = "<!-- tested: tests/test_docs.py runs this block, top to bottom, in a fresh folder -->"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", flags=re.S)


def code_blocks(markdown: str, marked_only: bool) -> list[tuple[str, str]]:
    """(language, code) of each block, or of each block right after the marker line."""
    blocks = []
    for match in BLOCK.finditer(markdown):
        before = markdown[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if not marked_only or before.strip() == MARK:
            blocks.append((match.group(1), match.group(2)))
    return blocks


def _env(folder: Path, max_epochs: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMIX_BENCH", "WANDB"))}
    threads = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    cap = {"IMIX_BENCH_MAX_EPOCHS": max_epochs} if max_epochs else {}
    return {**env, **threads, **cap, "PYTHONPATH": str(REPO), "IMIX_BENCH_DATA": str(folder / "data-root"),
            "MALLOC_MMAP_THRESHOLD_": "1000000000000"}


def run_blocks(blocks: list[tuple[str, str]], folder: Path, max_epochs: str | None = None) -> list[str]:
    """Run each block in ``folder``: python blocks as a script, bash blocks under bash -e; their output."""
    outputs = []
    for i, (language, code) in enumerate(blocks, 1):
        script = folder / f"block{i}.{'py' if language == 'python' else 'sh'}"
        script.write_text(code)
        command = [sys.executable, script.name] if language == "python" else ["bash", "-euo", "pipefail", script.name]
        done = subprocess.run(command, cwd=folder, env=_env(folder, max_epochs), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"block {i} failed:\n{code}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        outputs.append(done.stdout)
        script.unlink()
    return outputs


def free_names(code: str) -> set[str]:
    """Names a block reads that it neither defines nor imports (nor are builtins)."""
    tree = ast.parse(code)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
            bound |= {a.arg for a in node.args.args} if isinstance(node, ast.FunctionDef) else set()
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def test_each_api_block_imports_what_it_uses_and_names_the_files_it_needs():
    blocks = code_blocks((REPO / "docs" / "api.md").read_text(), marked_only=False)
    assert [language for language, _ in blocks] == ["python"] * 7
    for language, code in blocks:
        assert free_names(code) == set(), code  # pasted alone, nothing is undefined
    # the one block that reads a file written above says so first
    (reader,) = [code for _, code in blocks if 'features("backbone.pt")' in code]
    assert reader.startswith("# needs backbone.pt")


def test_the_api_guide_runs_top_to_bottom_in_a_fresh_interpreter(tmp_path):
    outputs = run_blocks(code_blocks((REPO / "docs" / "api.md").read_text(), marked_only=False), tmp_path)
    assert outputs[0].startswith("digits simclr True")
    assert "unknown setting batchsize" in outputs[1]
    assert len((tmp_path / "runs.jsonl").read_text().splitlines()) == 3  # three api.run calls
    assert len((tmp_path / "grid.jsonl").read_text().splitlines()) == 4  # the suite: 2 seeds x 2 arms
    assert outputs[4].startswith("transfer digits -> ")  # the transfer block: a record of its own kind
    assert outputs[-1].splitlines()[-1].startswith("blobs ")


def test_the_readmes_marked_examples_run_as_written(tmp_path):
    readme = (REPO / "README.md").read_text()
    blocks = code_blocks(readme, marked_only=True)
    commands = [line for _, code in blocks for line in code.splitlines() if line.startswith("python -m bench")]
    assert [c.split("--domain ")[1].split()[0] for c in commands] == ["tabular", "images", "signals", "images"]
    assert any(language == "python" for language, _ in blocks)
    outputs = run_blocks(blocks, tmp_path, max_epochs="1")
    summaries = [line for out in outputs for line in out.splitlines() if "linear probe" in line]
    assert [line.split()[0] for line in summaries] == ["tabular/digits", "images/digits", "signals/mnist1d",
                                                       "images/digits"]
    records = (tmp_path / "results" / "runs.jsonl").read_text().splitlines()
    # the commands, the API block's two runs and its 2 x 2 x 2 suite, less the one suite cell that its
    # api.run (tabular simclr i-Mix, seed 0, capped to the same one epoch) already recorded
    assert len(records) == 4 + 2 + 8 - 1
    assert all('"epochs": 1,' in line for line in records)  # capped, and the records say so
    assert (tmp_path / "bb.pt").is_file() and len(list((tmp_path / "ckpt").glob("run-*.pt"))) == 1


@pytest.mark.parametrize("name", ["README.md", "docs/api.md", "docs/adding-a-domain.md", "docs/cluster.md"])
def test_every_python_block_in_the_docs_parses(name):
    for language, code in code_blocks((REPO / name).read_text(), marked_only=False):
        if language == "python":
            ast.parse(code)
