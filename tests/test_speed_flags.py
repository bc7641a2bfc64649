"""--compile and --workers do what their help says (without paying for a real compilation)."""

from __future__ import annotations

import torch

from bench.training import trainer
from bench.cli import main
from train_helpers import tiny_config, train


def test_compile_wraps_the_backbone_for_training_only(monkeypatch):
    compiled = []

    def fake_compile(forward):
        compiled.append(forward)
        return forward

    monkeypatch.setattr(trainer.torch, "compile", fake_compile)
    method, stats = train(tiny_config(epochs=1, compile=True))
    assert len(compiled) == 1 and compiled[0].__self__ is method.backbone
    assert "forward" not in vars(method.backbone)  # evaluation runs the plain module again
    assert len(stats.epoch_losses) == 1


def test_compile_is_part_of_the_config_key_only_when_on():
    from bench.core.config import config_key

    assert config_key(tiny_config().to_dict()) == config_key({**tiny_config().to_dict(), "compile": False})
    assert config_key(tiny_config().to_dict()) != config_key(tiny_config(compile=True).to_dict())
    plain = tiny_config().to_dict()
    for later in ("compile", "sync_bn", "shuffle_bn"):  # records written before these flags existed
        plain.pop(later)
    assert config_key(plain) == config_key(tiny_config().to_dict())


def test_workers_sets_the_torch_threads(tmp_path):
    args = ["run", "--epochs", "1", "--data-ratio", "0.1", "--width", "32", "--batch-size", "32", "--quiet",
            "--no-raw-probe", "--workers", "2", "--results", str(tmp_path / "r.jsonl")]
    assert main(args) == 0
    assert torch.get_num_threads() == 2  # the test fixture restores the count afterwards
