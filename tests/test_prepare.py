"""bench.prepare: an adapter's defaults() may only name run settings."""

from __future__ import annotations

import pytest

from bench.core.errors import UserError
from bench.prepare import prepare
from domains.tabular import TabularDomain


class MisspeltDefaults(TabularDomain):
    name = "misspelt"

    def defaults(self, dataset: str) -> dict:
        return {**super().defaults(dataset), "temprature": 0.3}


def test_a_misspelt_defaults_key_names_the_adapter_and_the_valid_keys():
    with pytest.raises(UserError) as error:
        prepare(MisspeltDefaults, "simclr", False)
    message = str(error.value)
    assert "the misspelt domain's defaults('digits') returns temprature" in message
    assert "temperature" in message and "docs/adding-a-domain.md" in message


def test_the_builtin_defaults_pass():
    cfg, adapter = prepare(TabularDomain, "simclr", False)
    assert cfg.temperature == 0.5 and adapter.name == "tabular"  # the digits' own temperature
