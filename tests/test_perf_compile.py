"""``python -m bench.perf --compile`` measures the backbone compiled as `bench run --compile` compiles it.

Compiling for real takes a minute on a CPU, so torch.compile is replaced by a recorder that
returns the function unchanged: what is checked is the wiring (which function is compiled,
that all three loops run inside it, what the result file says), not the compiler.
"""

from __future__ import annotations

import json

import torch

from bench import perf

TINY = ["--encoder", "small-cnn", "--batch-size", "4", "--steps", "1", "--rounds", "1", "--warmup", "1",
        "--workers", "0"]


def test_compile_wraps_the_backbone_forward_for_all_three_loops(tmp_path, monkeypatch):
    compiled = []

    def record(function, *args, **kwargs):
        compiled.append(function)

        def counted(*a, **k):
            calls.append(a[0].shape[0])
            return function(*a, **k)
        return counted

    calls: list[int] = []
    monkeypatch.setattr(torch, "compile", record)
    assert perf.main([*TINY, "--compile", "--out", str(tmp_path)]) == 0
    assert len(compiled) == 1 and isinstance(compiled[0].__self__, torch.nn.Module)  # the backbone's bound forward
    # warm-up (1 step) + 1 round (1 step) per loop, (c) with an untimed first batch in each: 8 steps,
    # each one forward of both views together (2 x 4 images) for SimCLR's N-pair loss
    assert calls == [8] * 8
    (written,) = tmp_path.glob("*.json")
    assert written.name == "small-cnn-simclr-cutmix-bs4-fp32-compile-t1.json"
    result = json.loads(written.read_text())
    assert result["settings"]["compile"] is True
    assert set(result["warmup_seconds"]) == {"a_model", "b_trainer", "c_reference"}
    assert all(seconds > 0 for seconds in result["warmup_seconds"].values())


def test_without_compile_nothing_is_compiled(tmp_path, monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda *a, **k: (_ for _ in ()).throw(AssertionError("compiled")))
    assert perf.main([*TINY, "--out", str(tmp_path)]) == 0
    (written,) = tmp_path.glob("*.json")
    assert written.name == "small-cnn-simclr-cutmix-bs4-fp32-t1.json"
    assert json.loads(written.read_text())["settings"]["compile"] is False
