"""Shards: job-array workers cover a grid exactly once, and their files join back into one table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.cli import main
from bench.core.errors import UserError
from bench.results.records import read_records
from bench.results.shards import paired_unit, parse_shard, shard_from_flags, shard_of
from bench.suite import expand_grid

TINY = {"epochs": 1, "width": 16, "batch_size": 64, "proj_hidden": 16, "proj_dim": 16, "raw_probe": False}


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "grid.toml"
    lines = [f"{k} = {json.dumps(v) if not isinstance(v, bool) else str(v).lower()}" for k, v in TINY.items()]
    config.write_text("[settings]\n" + "\n".join(lines) + '\n[[datasets]]\ndomain = "tabular"\ndataset = "digits"\n')
    return config


def test_shard_text_is_k_of_n():
    assert parse_shard("1/2") == (1, 2) and parse_shard(" 3/3 ") == (3, 3)
    for bad in ("0/2", "3/2", "x", "1", "1/0", "-1/2", "1/2/3", ""):
        with pytest.raises(UserError, match="expected K/N with 1 <= K <= N"):
            parse_shard(bad)


@pytest.mark.parametrize("bad", ["0/2", "3/2", "x"])
def test_bad_shard_on_the_command_line_exits_2(bad, tmp_path, capsys):
    assert main(["suite", "--shard", bad, "--dry-run", "--results", str(tmp_path / "r.jsonl")]) == 2
    error = capsys.readouterr().err
    assert "expected K/N" in error
    # as docs/cluster.md says: N is written into the script, never $SLURM_ARRAY_TASK_COUNT
    assert "/$SLURM_ARRAY_TASK_COUNT" not in error and "not $SLURM_ARRAY_TASK_COUNT" in error
    assert ("--shard-index K --shard-count N" in error) == (bad in ("0/2", "x"))  # 0-based: the flags for it


def test_zero_based_index_and_count_are_the_one_based_shard():
    assert shard_from_flags(None, 0, 3) == (1, 3) and shard_from_flags(None, 2, 3) == (3, 3)
    assert shard_from_flags("2/3", None, None) == (2, 3) and shard_from_flags(None, None, None) is None
    for index, count in ((3, 3), (-1, 3), (0, 0), (0, None), (None, 2)):
        with pytest.raises(UserError, match="expected 0 <= I < N, both given"):
            shard_from_flags(None, index, count)
    with pytest.raises(UserError, match="not both"):
        shard_from_flags("1/2", 0, 2)


def test_a_kubernetes_style_index_gives_the_same_share(tmp_path, capsys):
    base = ["suite", "--config", str(_config(tmp_path)), "--methods", "simclr,byol", "--seeds", "2",
            "--results", str(tmp_path / "r.jsonl"), "--dry-run"]
    for index in (0, 1):
        assert _dry_run_cells([*base, "--shard-index", str(index), "--shard-count", "2"], capsys) == \
            _dry_run_cells([*base, "--shard", f"{index + 1}/2"], capsys)


def test_a_finished_shard_leaves_no_empty_folders_and_a_quoted_glob_is_expanded(tmp_path, capsys):
    suite = ["suite", "--config", str(_config(tmp_path)), "--methods", "simclr", "--seeds", "2", "--quiet"]
    for k in (1, 2):
        assert main([*suite, "--results", str(tmp_path / f"shard-{k}-of-2.jsonl"), "--shard", f"{k}/2"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid.toml", "shard-1-of-2.jsonl", "shard-2-of-2.jsonl"]
    capsys.readouterr()
    pattern = str(tmp_path / "shard-*.jsonl")  # as a quoted argument or a config file passes it
    assert main(["table", "--format", "csv", "--results", pattern]) == 0
    assert capsys.readouterr().out.strip().count("\n") == 1  # header + the one comparison, both arms at 2 seeds

    assert main(["table", "--results", str(tmp_path / "nothing-*.jsonl")]) == 2
    assert "no file matches this pattern" in capsys.readouterr().err


def test_shards_cover_the_grid_exactly_once():
    grid = expand_grid(preset=None, config={"settings": TINY}, domains=["tabular"], datasets=None,
                       methods=["simclr", "byol"], seeds=3, mixes=None, data_ratios=None, cli={})
    keys = [c.key for c in grid.cells]
    assert len(keys) == 12 and len(set(keys)) == 12
    for n in (1, 2, 3, 5, 12, 13):
        shares = [[c.key for c in shard_of(grid.cells, k, n)] for k in range(1, n + 1)]
        assert sorted(k for share in shares for k in share) == sorted(keys)  # each cell once
        assert max(map(len, shares)) - min(map(len, shares)) <= 1  # balanced
    assert [c.key for c in shard_of(grid.cells, 2, 5)] == [keys[1], keys[6], keys[11]]


def test_a_baseline_and_its_imix_arm_go_to_the_same_shard():
    # 2 methods x 3 seeds x (baseline, i-Mix): 6 pairs, so 2 workers get 3 complete pairs each
    grid = expand_grid(preset=None, config={"settings": TINY}, domains=["tabular"], datasets=None,
                       methods=["simclr", "byol"], seeds=3, mixes=None, data_ratios=None, cli={})
    shares = [shard_of(grid.cells, k, 2, unit=paired_unit) for k in (1, 2)]
    assert [len(share) for share in shares] == [6, 6]
    for share in shares:
        arms = {(c.method, c.seed): set() for c in share}
        for c in share:
            arms[(c.method, c.seed)].add(c.mix)
        assert all(mixes == {None, "mixup"} for mixes in arms.values())  # every pair complete
    # the pairs alternate: worker 1 has pairs 1, 3, 5 of the ordered grid
    pairs = list(dict.fromkeys(paired_unit(c) for c in grid.cells))
    assert list(dict.fromkeys(paired_unit(c) for c in shares[0])) == pairs[0::2]


def _dry_run_cells(args: list[str], capsys) -> list[str]:
    assert main(args) == 0
    return re.findall(r"^\[\s*\d+/\d+\]\s+\S+\s+(.*)$", capsys.readouterr().out, flags=re.M)


def test_dry_run_shares_are_disjoint_and_do_not_move_when_cells_are_recorded(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    base = ["suite", "--config", str(_config(tmp_path)), "--methods", "simclr,byol", "--seeds", "2",
            "--results", str(results), "--dry-run"]
    full = _dry_run_cells(base, capsys)
    first = _dry_run_cells([*base, "--shard", "1/2"], capsys)
    second = _dry_run_cells([*base, "--shard", "2/2"], capsys)
    assert len(full) == 8 and sorted(first + second) == sorted(full) and not set(first) & set(second)
    # Run one cell of the first share: both shares stay what they were (a share never depends on progress).
    assert main(["suite", "--config", str(_config(tmp_path)), "--methods", "simclr", "--seeds", "1",
                 "--results", str(results), "--quiet"]) == 0
    assert len(read_records(results)) == 2
    assert _dry_run_cells([*base, "--shard", "1/2"], capsys) == first
    assert _dry_run_cells([*base, "--shard", "2/2"], capsys) == second


def test_two_shards_give_the_table_of_one_unsharded_suite_and_duplicates_are_refused(tmp_path, capsys):
    config = _config(tmp_path)
    suite = ["suite", "--config", str(config), "--methods", "simclr", "--seeds", "2", "--quiet"]
    files = {name: tmp_path / f"{name}.jsonl" for name in ("all", "shard1", "shard2")}
    assert main([*suite, "--results", str(files["all"])]) == 0
    assert main([*suite, "--results", str(files["shard1"]), "--shard", "1/2"]) == 0
    assert main([*suite, "--results", str(files["shard2"]), "--shard", "2/2"]) == 0
    assert [len(read_records(files[n])) for n in ("all", "shard1", "shard2")] == [4, 2, 2]
    capsys.readouterr()

    def table(*paths: Path, metric: str = "probe", fmt: str = "csv") -> str:
        assert main(["table", "--metric", metric, "--format", fmt, "--results", *map(str, paths)]) == 0
        return capsys.readouterr().out

    for metric in ("probe", "knn"):
        for fmt in ("csv", "markdown"):
            assert table(files["shard1"], files["shard2"], metric=metric, fmt=fmt) == \
                table(files["all"], metric=metric, fmt=fmt)
    assert table(files["shard1"], files["shard2"]).strip().count("\n") == 1  # header + the one comparison
    # the same file twice is one file, not a duplicate
    assert table(files["shard1"], files["shard2"], files["shard1"]) == table(files["all"])

    for command in (["table"], ["plot", "--out", str(tmp_path / "figs")], ["report", "--out", str(tmp_path / "r.html")]):
        assert main([*command, "--results", str(files["shard1"]), str(files["all"])]) == 2
        error = capsys.readouterr().err
        assert f"recorded in both {files['shard1']} and {files['all']}" in error
        assert "tabular/digits simclr baseline seed 0" in error and "config key" in error


def test_the_slurm_array_script_gives_each_task_its_share_and_file(tmp_path):
    import os
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "results" / "cluster" / "slurm-array.sh"
    shares = []
    for k in (1, 2):
        env = dict(os.environ, PYTHON=sys.executable, SHARDS="2", SLURM_ARRAY_TASK_ID=str(k), OUT=str(tmp_path),
                   GRID="--methods simclr,byol --seeds 2 --epochs 1")
        done = subprocess.run(["bash", str(script), "--dry-run"], env=env, capture_output=True, text=True,
                              timeout=300, cwd=script.parents[2])
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"shard {k}/2: 4 of the grid's 8 cells" in done.stdout
        shares.append(re.findall(r"^\[\s*\d+/\d+\]\s+\S+\s+(.*)$", done.stdout, flags=re.M))
    assert len(set(shares[0] + shares[1])) == 8
