"""The official tabular protocol: the mlp_5layer encoder, CoverType's input groups and input
dropout, and the HIGGS subset drawn as kibok90/imix tabular.py draws it."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
import torch

import domains.table_sources as table_sources
from bench.core.errors import UserError
from bench.core.rng import Rng
from domains.base import DataRequest
from domains.tabular import TabularDomain
from encoders import build_encoder


def n_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_paper_mlp_on_covtype_is_the_official_mlp_5layer():
    # 3 input Linears (10/4/40 -> 64) = 3,648; 192->2048, 2048->2048, 2048->4096, 4096->4096 each
    # Linear + BatchNorm; Linear 4096->8192: 63,356,480 parameters, maxout 4 -> 2048 features.
    with torch.device("meta"):
        model = build_encoder("paper-mlp", (54,), hints={"feature_groups": [10, 4, 40]})
    assert (n_parameters(model), model.feature_dim) == (63_356_480, 2048)


def test_paper_mlp_without_groups_has_a_batchnorm_input_layer():
    # HIGGS (28 columns): Linear 28->64 + BatchNorm = 1,984 instead of the grouped 3,648 + 192-wide body.
    with torch.device("meta"):
        model = build_encoder("paper-mlp", (28,))
    assert (n_parameters(model), model.feature_dim) == (63_092_672, 2048)


def test_paper_mlp_scaled_runs_and_checks_its_groups():
    torch.manual_seed(0)
    model = build_encoder("paper-mlp", (54,), {"scale": 0.125}, hints={"feature_groups": [10, 4, 40]})
    assert model(torch.randn(4, 54)).shape == (4, 256)
    with pytest.raises(UserError, match="add up to 50"):
        build_encoder("paper-mlp", (54,), hints={"feature_groups": [10, 40]})


def covtype_file(tmp_path, rows: int = 15_130):
    rng = np.random.default_rng(0)
    table = np.hstack([rng.normal(50, 10, size=(rows, 10)), rng.integers(0, 2, size=(rows, 44)),
                       rng.integers(1, 8, size=(rows, 1))])
    path = tmp_path / "covtype.data.gz"
    with gzip.open(path, "wt") as f:
        pd.DataFrame(table).to_csv(f, header=False, index=False)
    return path


def test_covtype_input_dropout_touches_only_the_10_continuous_columns(tmp_path):
    domain = TabularDomain(inputdrop=0.5)
    data = domain.load(DataRequest(dataset="covtype", path=str(covtype_file(tmp_path)), root=str(tmp_path), seed=0))
    assert data.info["feature_groups"] == [10, 4, 40]
    x = data.train.x[:256]
    view = domain.augment(x, Rng.from_seed(0))
    torch.testing.assert_close(view[:, 10:], x[:, 10:])
    dropped = (view[:, :10] == 0).float().mean().item()
    assert 0.4 < dropped < 0.6


def test_higgs_subset_is_drawn_as_the_official_code_draws_it(tmp_path, monkeypatch):
    values = np.random.default_rng(0).normal(size=(100, 29)).astype(np.float32)
    values[:, 0] = np.arange(100) % 2
    path = tmp_path / "HIGGS.csv.gz"
    with gzip.open(path, "wt") as f:
        pd.DataFrame(values).to_csv(f, header=False, index=False)
    monkeypatch.setitem(table_sources.HIGGS_SUBSETS, "higgs100k", 10)
    table = table_sources.higgs_table("higgs100k", str(path), str(tmp_path), "all")
    official = np.random.RandomState(1).choice(80, 10, replace=False)  # tabular.higgs, mode 100k
    np.testing.assert_allclose(np.sort(table.train[1].to_numpy()), np.sort(values[official, 1]), rtol=1e-6)


def official_input_dropout(view: torch.Tensor, p: float, mask_draw: torch.Tensor) -> torch.Tensor:
    """main_pretext.py train(): ``images[i] * (torch.rand_like(images[i]) > args.inputdrop).float()``, on
    every view the loader gives, whatever --no-aug (``mask_draw``: the uniform draws)."""
    return view * (mask_draw > p).float()


class _TwoViews:
    needs_key_view = True


def test_input_dropout_still_applies_with_no_aug_as_the_official_loop(tmp_path):
    from bench.training.resolve import resolve
    from bench.training.trainer import make_views

    domain = TabularDomain(inputdrop=0.3)
    x = torch.randn(64, 12)
    cfg = resolve({"no_aug": True, "domain_options": {"inputdrop": 0.3}})
    assert cfg.no_aug_inputdrop == "keep"  # the official behaviour is the default
    query, key = make_views(domain, _TwoViews(), x, Rng.from_seed(2), cfg)
    draws = Rng.from_seed(2).torch  # the same generator state: the first view's uniform draws, then the key's
    first, second = torch.rand(64, 12, generator=draws), torch.rand(64, 12, generator=draws)
    torch.testing.assert_close(query, official_input_dropout(x, 0.3, first))
    torch.testing.assert_close(key, official_input_dropout(x, 0.3, second))
    off = resolve({"no_aug": True, "no_aug_inputdrop": "off", "domain_options": {"inputdrop": 0.3}})
    assert all(torch.equal(v, x) for v in make_views(domain, _TwoViews(), x, Rng.from_seed(2), off))
    # nothing to keep or drop: the setting is not recorded, so such runs keep their config digests
    assert resolve({"no_aug": True, "domain_options": {"inputdrop": 0.0}}).no_aug_inputdrop is None
    assert resolve({"domain_options": {"inputdrop": 0.3}}).no_aug_inputdrop is None
