"""Each setting's role is declared once, on the setting; the sets the records rely on are read from there.

The trap this guards against: a measured setting added without ``since`` changes the config digest
of every older record, so a suite silently reruns cells that are already done.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bench.core.config import (BOOKKEEPING_FIELDS, G_TRAIN, IMIX_ONLY_FIELDS, INPUTMIX_FIELDS, LATER_FIELDS,
                               NOT_ARM_FIELDS, SOMETIMES_FIELDS, STRATEGY_ONLY_FIELDS, TREATMENT_FIELDS, WORK_FIELDS,
                               RunConfig, config_key)
from bench.core.settings import later_settings, setting
from bench.results.records import read_records

ROOT = Path(__file__).resolve().parents[1]


def test_the_derived_sets_are_the_ones_the_records_were_made_with():
    # The hand-kept sets these replaced, word for word: equal sets keep every digest and every arm.
    assert BOOKKEEPING_FIELDS == {"results", "quiet", "device", "data_root", "checkpoint_dir", "checkpoint_every",
                                  "resume", "workers", "save_backbone", "tensorboard", "wandb", "log_every"}
    assert LATER_FIELDS == {"compile": False, "sync_bn": False, "shuffle_bn": False, "moco_negatives": None,
                            "proj_head": "mlpbn1", "pred_head": "mlpbn1", "alpha2": 1.0, "schedule": "cosine",
                            "milestones": [], "pretrain_classes": 1.0, "save_backbone": None, "tensorboard": None,
                            "method_options": {}, "mix_options": {}, "mix_layer": "0", "strategy": None,
                            "dacl_alpha": 0.9, "sigma": 0.1, "cutmix_box": "rounded", "symmetric_loss": "mean",
                            "npair_group": None, "no_aug_inputdrop": "off", "wandb": None, "log_every": 10}
    assert TREATMENT_FIELDS == {"imix", "mix", "alpha", "seed", "eval_every", "moco_negatives", "mix_options",
                                "mix_layer", "strategy", "dacl_alpha", "sigma"}
    assert NOT_ARM_FIELDS == {"seed", "eval_every"}
    assert IMIX_ONLY_FIELDS == {"mix", "alpha", "mix_options", "mix_layer"}
    assert STRATEGY_ONLY_FIELDS == {"dacl_alpha", "sigma"} and INPUTMIX_FIELDS == {"inputmix", "alpha2"}
    assert SOMETIMES_FIELDS == {"cutmix_box", "symmetric_loss", "no_aug_inputdrop"}
    assert WORK_FIELDS == {"epochs", "data_ratio"}


def _with_new_field(since: str | None) -> type:
    """RunConfig as it would be after adding one measured setting, declared with or without ``since``."""
    extra = setting(0.5, group=G_TRAIN, help="a knob added today", since=since)
    return dataclasses.make_dataclass("NewConfig", [("new_knob", float, extra)], bases=(RunConfig,))


def test_a_new_setting_declared_since_keeps_old_digests_so_the_suite_skips_their_cells():
    old = RunConfig(method="moco", epochs=3).to_dict()  # a record written before the knob existed
    for since, same in (("2099-01-01", True), (None, False)):
        cls = _with_new_field(since)
        new_cell = cls(method="moco", epochs=3).to_dict()  # the same cell, asked for after
        later = later_settings(cls)
        assert ("new_knob" in later) is same
        # the suite skips a cell whose digest is among the recorded ones (bench/suite_claims.py finished_keys)
        assert (config_key(new_cell, later=later) == config_key(old, later=later)) is same
    changed = _with_new_field("2099-01-01")(method="moco", epochs=3, new_knob=0.9).to_dict()
    assert config_key(changed, later=later_settings(_with_new_field("2099-01-01"))) != config_key(old)


def committed_records() -> list[dict]:
    records = []
    for path in sorted((ROOT / "results").rglob("*.jsonl")):
        records += [r for r in read_records(path) if "config" in r]
    return records


def test_every_committed_record_keeps_its_digest_with_the_later_settings_filled_in():
    records = committed_records()
    assert len(records) > 500  # the repo's results: a glob that finds nothing would prove nothing
    for record in records:
        config = record["config"]
        filled = {**{k: v for k, v in LATER_FIELDS.items() if k not in config}, **config}
        assert config_key(filled) == config_key(config), record.get("domain")


@pytest.mark.parametrize("role", ["identity", "treatment", "imix_only", "strategy_only", "pairing", "monitor"])
def test_roles_are_checked_where_declared(role):
    assert setting(1, group=G_TRAIN, role=role).metadata["role"] == role
    with pytest.raises(ValueError, match="role 'arm' is not one of"):
        setting(1, group=G_TRAIN, role="arm")
