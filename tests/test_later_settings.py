"""Settings added after records existed whose new default differs from what the old records ran:
the CutMix box, the symmetric loss's form, N-pair groups and input dropout under --no-aug.

An old record (without the field) must keep its digest and its arm, and count as the run that the
flag for the old behaviour gives; runs the setting does not apply to must not change their digests.
"""

from __future__ import annotations

import pytest

from bench.core.config import LATER_FIELDS, config_key
from bench.training.resolve import resolve
from bench.core.errors import UserError
from bench.results.arms import arm_key, with_defaults
from bench.results.paired import comparisons

NEW = ("cutmix_box", "symmetric_loss", "npair_group", "no_aug_inputdrop")


def old(config: dict) -> dict:
    """A config as a record written before the new settings stored it."""
    return {k: v for k, v in config.items() if k not in NEW}


def as_record(config: dict) -> dict:
    return {"domain": "tabular", "dataset": "x", "method": "simclr", "imix": config["imix"],
            "mix": config["mix"] if config["imix"] else None, "config": config}


def test_the_old_behaviour_is_what_later_fields_say_and_with_defaults_fills_in():
    assert {k: LATER_FIELDS[k] for k in NEW} == {"cutmix_box": "rounded", "symmetric_loss": "mean",
                                                 "npair_group": None, "no_aug_inputdrop": "off"}
    filled = with_defaults(old(resolve({"imix": True, "mix": "cutmix"}).to_dict()))
    assert (filled["cutmix_box"], filled["symmetric_loss"], filled["no_aug_inputdrop"]) == ("rounded", "mean", "off")
    assert with_defaults({"cutmix_box": "official"})["cutmix_box"] == "official"  # a stored value stays


@pytest.mark.parametrize("settings, flag", [
    ({"imix": True, "mix": "cutmix"}, {"cutmix_box": "rounded"}),
    ({"symmetric": True}, {"symmetric_loss": "mean"}),
    ({"no_aug": True, "domain_options": {"inputdrop": 0.2}}, {"no_aug_inputdrop": "off"}),
])
def test_an_old_record_is_the_run_of_the_old_behaviour_flag_not_of_the_new_default(settings, flag):
    official = resolve(settings).to_dict()
    earlier = resolve({**settings, **flag}).to_dict()
    record = old(official)  # what an old record of these settings stored
    assert config_key(record) == config_key(earlier) != config_key(official)
    assert arm_key(as_record(record)) == arm_key(as_record(earlier)) != arm_key(as_record(official))


def test_runs_a_setting_does_not_apply_to_keep_their_digests():
    for settings in ({}, {"imix": True}, {"no_aug": True}, {"method": "moco"}, {"imix": True, "symmetric_loss": "mean",
                                                                             "cutmix_box": "rounded"}):
        config = resolve(settings).to_dict()
        assert all(config[k] is None for k in NEW), settings  # recorded as not applying, even when given
        assert config_key(config) == config_key(old(config))
    assert resolve({"npair_group": 128}).npair_group == 128
    assert config_key(resolve({"npair_group": 128}).to_dict()) != config_key(resolve({}).to_dict())


def test_npair_group_is_checked():
    with pytest.raises(UserError, match="--method simclr"):
        resolve({"method": "moco", "npair_group": 128})
    with pytest.raises(UserError, match="at least 2"):
        resolve({"npair_group": 1})


def test_a_table_never_pools_the_two_cutmix_boxes():
    def record(seed: int, imix: bool, box: str | None) -> dict:
        config = {**resolve({"imix": imix, "mix": "cutmix", "seed": seed, "cutmix_box": box}).to_dict()}
        config = old(config) if box is None else config  # None: written before the setting existed
        return {"domain": "images", "dataset": "cifar10", "method": "simclr", "imix": imix,
                "mix": "cutmix" if imix else None, "seed": seed, "config": config,
                "probe": {"accuracy": 0.5}, "knn": {"accuracy": 0.5}}

    baselines = [record(s, False, None) for s in range(2)]
    earlier = [record(s, True, None) for s in range(2)]
    assert len(comparisons(baselines + earlier + [record(2, True, "rounded")])) == 1  # old = rounded: one arm
    with pytest.raises(UserError, match="cutmix_box"):
        comparisons(baselines + earlier + [record(2, True, "official")])
