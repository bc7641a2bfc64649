"""Official heads (hidden size = feature size, output-BN mlpbn), the step schedule and InputMix over 2N views."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.training.methods import build_method
from bench.core.rng import Rng
from bench.training.schedules import warmup_step
from bench.training.trainer import make_views
from encoders import build_encoder


def heads_of(method: str, **settings):
    backbone = build_encoder("mlp", (8,), {"width": 48})
    built = build_method(RunConfig(method=method, **settings).validate(), backbone, backbone.feature_dim,
                         n_classes=3, n_train=100)
    return built


def layer_shapes(head: nn.Module) -> list[tuple[str, int]]:
    return [(type(m).__name__, m.weight.shape[0]) for m in head.net if hasattr(m, "weight")]


def test_hidden_size_defaults_to_the_feature_size_and_mlpbn_adds_an_output_batchnorm():
    simclr = heads_of("simclr")
    assert layer_shapes(simclr.projector) == [("Linear", 48), ("BatchNorm1d", 48), ("Linear", 128)]
    byol = heads_of("byol", proj_head="mlpbn", pred_head="mlpbn1", proj_hidden=16, proj_dim=8)
    assert layer_shapes(byol.projector) == [("Linear", 16), ("BatchNorm1d", 16), ("Linear", 8), ("BatchNorm1d", 8)]
    assert layer_shapes(byol.predictor) == [("Linear", 16), ("BatchNorm1d", 16), ("Linear", 8)]
    moco = heads_of("moco", proj_head="mlpbn", queue_size=16)
    assert layer_shapes(moco.key_projector)[-1] == ("BatchNorm1d", 128)
    with pytest.raises(UserError, match="mlpbn"):
        RunConfig(proj_head="bn").validate()


def test_step_schedule_warms_up_then_decays_tenfold_at_each_milestone():
    factor = warmup_step(steps_per_epoch=10, warmup_steps=20, milestones=[3, 5])
    assert [factor(s) for s in (0, 19, 20, 29, 30, 49, 50)] == pytest.approx([0.05, 1, 1, 1, 0.1, 0.1, 0.01])


class QueryThenKey:
    """The first view of a batch is x, the second x + 100."""

    def __init__(self) -> None:
        self.calls = 0

    def augment(self, x, rng):
        self.calls += 1
        return x + 100 * (self.calls % 2 == 0)


class TwoViews:
    needs_key_view = True


def test_inputmix_draws_partners_from_both_views():
    # Query rows are 0..7, key rows 100..107: a mixed query row above 7 took a key as a partner.
    cfg = RunConfig(inputmix=True, alpha2=1.0)
    x = torch.arange(8.0).unsqueeze(1)
    query, key = make_views(QueryThenKey(), TwoViews(), x, Rng.from_seed(0), cfg)
    assert key.shape == (8, 1)
    assert query.max().item() > 7.5 and key.min().item() < 100
