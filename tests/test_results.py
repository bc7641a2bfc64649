"""Result records survive kills and concurrent writers; tables compute what they claim."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest

from bench.results import append_record, read_records
from bench.tables import comparison_rows, comparison_table


def _append_many(path: str, writer: int, count: int) -> None:
    for i in range(count):
        append_record(path, {"writer": writer, "i": i, "payload": "x" * 5000})


def test_concurrent_writers_lose_nothing(tmp_path):
    path = str(tmp_path / "runs.jsonl")
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_append_many, args=(path, w, 40)) for w in range(4)]
    for p in writers:
        p.start()
    for p in writers:
        p.join(60)
    records = read_records(path)
    assert len(records) == 160
    assert {(r["writer"], r["i"]) for r in records} == {(w, i) for w in range(4) for i in range(40)}


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_on_its_own_line(tmp_path):
    path = tmp_path / "runs.jsonl"
    append_record(path, {"n": 1})
    with open(path, "a") as f:
        f.write('{"n": 2, "trunc')  # what a dying disk could leave
    append_record(path, {"n": 3})
    assert [r["n"] for r in read_records(path)] == [1, 3]


def test_a_run_killed_mid_training_leaves_the_record_file_valid(tmp_path):
    results = tmp_path / "runs.jsonl"
    append_record(results, {"n": 1})
    before = results.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench", "run", "--epochs", "200", "--width", "32", "--results", str(results)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=os.getcwd(),
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    # wait until training has started (the first progress line), then kill it hard
    deadline = time.time() + 120
    while time.time() < deadline:
        line = process.stderr.readline().decode()
        if "epoch" in line or process.poll() is not None:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert process.returncode == -signal.SIGKILL
    assert results.read_bytes() == before
    assert read_records(results) == [{"n": 1}]


def _record(method: str, imix: bool, seed: int, accuracy: float) -> dict:
    return {"domain": "tabular", "dataset": "letter", "method": method, "imix": imix, "seed": seed,
            "probe": {"accuracy": accuracy}, "knn": {"accuracy": accuracy / 2}}


def test_table_means_stds_and_gain_by_hand():
    records = [
        _record("simclr", False, 0, 0.90), _record("simclr", False, 1, 0.92),
        _record("simclr", True, 0, 0.93), _record("simclr", True, 1, 0.97),
        _record("byol", False, 0, 0.80),
    ]
    rows = comparison_rows(records)
    assert rows[1] == ["tabular/letter", "simclr", "91.00 ± 1.41 (n=2)", "95.00 ± 2.83 (n=2)", "+4.00"]
    assert rows[0] == ["tabular/letter", "byol", "80.00 ± 0.00 (n=1)", "-", "-"]
    knn = comparison_rows(records, "knn")
    assert knn[1][2] == "45.50 ± 0.71 (n=2)"
    table = comparison_table(records)
    assert table.splitlines()[0].startswith("| dataset")
    assert "+4.00" in table


def test_each_mixer_gets_its_own_row_against_the_shared_baseline():
    cut = dict(_record("simclr", True, 0, 0.70), mix="cutmix")
    records = [_record("simclr", False, 0, 0.60), dict(_record("simclr", True, 0, 0.65), mix="mixup"), cut]
    rows = comparison_rows(records)
    assert [r[1] for r in rows] == ["simclr", "simclr (cutmix)"]
    assert rows[0][2] == rows[1][2] == "60.00 ± 0.00 (n=1)"
    assert (rows[0][4], rows[1][4]) == ("+5.00", "+10.00")


def test_table_from_real_records_through_the_cli(tmp_path, capsys):
    from bench.cli import main

    path = tmp_path / "runs.jsonl"
    for r in (_record("moco", False, 0, 0.5), _record("moco", True, 0, 0.6)):
        append_record(path, r)
    assert main(["table", "--results", str(path)]) == 0
    out = capsys.readouterr().out
    assert "| tabular/letter | moco " in out and "+10.00" in out
