"""N-pair and NT-Xent encode both views in one pass, so BatchNorm sees the 2N views together."""

from __future__ import annotations

import copy

import pytest
import torch

from bench.training.mixing import Mix
from train_helpers import build, tiny_config


def batchnorm_buffers(method) -> list[torch.Tensor]:
    return [t.clone() for m in method.modules() if isinstance(m, torch.nn.BatchNorm1d)
            for t in (m.running_mean, m.running_var)]


@pytest.mark.parametrize("name", ["simclr", "ntxent"])
def test_batchnorm_statistics_are_those_of_one_pass_over_both_views(name):
    method = build(tiny_config(method=name), (64,), n_train=128).train()
    g = torch.Generator().manual_seed(0)
    query, key = torch.randn(16, 64, generator=g), 3 + 2 * torch.randn(16, 64, generator=g)  # views differ
    one_pass, two_passes = copy.deepcopy(method), copy.deepcopy(method)
    method.loss(query, key, Mix.identity(16), torch.zeros(16, dtype=torch.long))
    one_pass.embed(torch.cat([query, key]))
    two_passes.embed(query)
    two_passes.embed(key)
    after, single, separate = batchnorm_buffers(method), batchnorm_buffers(one_pass), batchnorm_buffers(two_passes)
    assert after  # the backbone and head have BatchNorm layers
    for a, b in zip(after, single):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert any(not torch.allclose(a, b, atol=1e-3) for a, b in zip(after, separate))
