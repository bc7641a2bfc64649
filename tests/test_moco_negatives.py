"""MoCo's two forms: (1+K) for the baseline and (N+K) for i-Mix, as the official code runs them."""

from __future__ import annotations

import pytest

from bench.cli import parse, prepare_run
from bench.core.config import config_key
from bench.training.resolve import resolve
from bench.core.errors import UserError
from bench.results.labels import NK_BASELINE
from bench.results.paired import comparisons
from train_helpers import build, tiny_config


def test_unset_resolves_to_the_official_form_per_arm_and_is_recorded():
    assert resolve({"method": "moco"}).moco_negatives == "queue"
    assert resolve({"method": "moco", "imix": True}).moco_negatives == "batch+queue"
    assert resolve({"method": "moco", "moco_negatives": "batch+queue"}).moco_negatives == "batch+queue"
    assert resolve({"method": "simclr"}).to_dict()["moco_negatives"] is None


def test_non_moco_config_keys_are_unchanged_by_the_new_field():
    cfg = resolve({"method": "simclr"}).to_dict()
    assert config_key(cfg) == config_key({k: v for k, v in cfg.items() if k != "moco_negatives"})


def test_imix_with_the_queue_form_is_refused_with_the_reason():
    with pytest.raises(UserError, match="partner's key"):
        resolve({"method": "moco", "imix": True, "moco_negatives": "queue"})
    with pytest.raises(UserError, match="--method moco only"):
        resolve({"method": "simclr", "moco_negatives": "queue"})


def test_cli_flag_reaches_the_config_and_the_method():
    cfg, _ = prepare_run(parse(["run", "--method", "moco", "--moco-negatives", "batch+queue"]))
    assert cfg.moco_negatives == "batch+queue"
    assert build(tiny_config(method="moco"), (64,), n_train=128).negatives == "queue"
    assert build(tiny_config(method="moco", imix=True), (64,), n_train=128).negatives == "batch+queue"


def record(imix: bool, seed: int, accuracy: float, negatives: str | None) -> dict:
    config = {"method": "moco", "imix": imix, "seed": seed, "epochs": 1}
    if negatives is not None:
        config["moco_negatives"] = negatives
    return {"domain": "tabular", "dataset": "d", "method": "moco", "imix": imix, "mix": "mixup" if imix else None,
            "seed": seed, "config": config, "probe": {"accuracy": accuracy}}


def test_old_moco_baselines_are_read_as_n_plus_k_and_never_pool_with_one_plus_k():
    records = [record(False, 0, 0.50, None), record(False, 1, 0.52, None),  # before the setting: (N+K)
               record(False, 0, 0.40, "queue"), record(False, 1, 0.42, "queue"),
               record(True, 0, 0.60, "batch+queue"), record(True, 1, 0.64, "batch+queue")]
    by_column = {c.method: c for c in comparisons(records)}
    assert set(by_column) == {"moco", NK_BASELINE}
    assert by_column["moco"].baseline.mean == pytest.approx(41.0)  # the (1+K) baseline alone
    assert by_column["moco"].gain == pytest.approx(21.0)
    assert by_column[NK_BASELINE].baseline.mean == pytest.approx(51.0)  # the mixing alone: +11
    assert by_column[NK_BASELINE].gain == pytest.approx(11.0)
