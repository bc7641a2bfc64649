"""Result records survive kills and concurrent writers; tables compute what they claim."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

from bench.results.records import read_records
from bench.results.append import append_record

# The fields every reader relies on (bench.results.records.RECORD_FIELDS); a line without them is skipped.
RECORD = {"domain": "tabular", "dataset": "toy", "method": "simclr", "imix": False, "seed": 0, "config": {},
          "probe": {"accuracy": 0.5}, "knn": {"accuracy": 0.5}}


def _append_many(path: str, writer: int, count: int) -> None:
    for i in range(count):
        append_record(path, {**RECORD, "writer": writer, "i": i, "payload": "x" * 5000})


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
    append_record(path, {**RECORD, "n": 1})
    with open(path, "a") as f:
        f.write('{"n": 2, "trunc')  # what a dying disk could leave
    append_record(path, {**RECORD, "n": 3})
    assert [r["n"] for r in read_records(path)] == [1, 3]


def test_a_run_killed_mid_training_leaves_the_record_file_valid(tmp_path):
    results = tmp_path / "runs.jsonl"
    append_record(results, {**RECORD, "n": 1})
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
    assert read_records(results) == [{**RECORD, "n": 1}]
