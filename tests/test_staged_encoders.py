"""Every encoder family runs in parts: the halves compose to the whole, and the blocks are numbered
as the official forward_partial numbers a ResNet (kibok90/imix models/resnet.py)."""

from __future__ import annotations

import pytest
import torch

from encoders import build_encoder
from encoders.staged import Staged

FAMILIES = [
    ("mlp", (7,), {"width": 16, "depth": 3}, None),
    ("paper-mlp", (54,), {"scale": 0.01}, {"feature_groups": [10, 4, 40]}),
    ("paper-mlp", (28,), {"scale": 0.01}, None),
    ("small-cnn", (3, 16, 16), {"width": 0.25}, None),
    ("cnn1d", (2, 40), {"width": 0.25, "depth": 4}, None),
    ("resnet18", (3, 16, 16), {"width": 0.125}, None),
    ("resnet50", (3, 8, 8), {"width": 0.125}, None),
    ("transformer", (3, 10, 8), {"width": 32}, None),  # patches, one overhanging
    ("transformer", (2, 40), {"width": 32}, None),  # segments
    ("transformer", (6,), {"width": 32}, None),  # one token per column
]
DEPTHS = {"mlp": 3, "paper-mlp": 6, "small-cnn": 4, "cnn1d": 4, "resnet18": 5, "resnet50": 5, "transformer": 2}


@pytest.mark.parametrize("name,shape,options,hints", FAMILIES)
def test_the_two_halves_at_every_layer_compose_to_the_forward_pass(name, shape, options, hints):
    torch.manual_seed(0)
    model = build_encoder(name, shape, options, hints)
    assert isinstance(model, Staged) and model.mix_layers == DEPTHS[name]
    x = torch.randn(5, *shape)
    whole = model(x)
    for k in range(model.mix_layers + 1):
        halves = model.forward_partial(model.forward_partial(x, 0, k), k, None)
        torch.testing.assert_close(halves, whole, rtol=0, atol=1e-6, msg=f"{name} split after block {k}")
    torch.testing.assert_close(model.forward_partial(x, 0), whole, rtol=0, atol=0)


def test_resnet_blocks_are_the_official_stem_four_stages_and_pooling():
    torch.manual_seed(0)
    model = build_encoder("resnet18", (3, 16, 16), {"width": 0.125}).eval()
    x = torch.randn(2, 3, 16, 16)
    stem = model.stem(x)
    torch.testing.assert_close(model.forward_partial(x, 0, 1), stem)  # official end=1: conv1, bn1, relu, maxpool
    after = stem
    for k, stage in enumerate(model.stages, start=2):  # official end=2..5: layer1..layer4
        after = stage(after)
        torch.testing.assert_close(model.forward_partial(x, 0, k), after)
    shapes = [tuple(model.forward_partial(x, 0, k).shape[1:]) for k in range(1, 6)]
    assert shapes == [(8, 16, 16), (8, 16, 16), (16, 8, 8), (32, 4, 4), (64, 2, 2)]
    assert model.forward_partial(x, 0, 6).shape == (2, 64)  # block 6: pooling, the features


def test_mlp_block_k_is_its_kth_linear_batchnorm_relu():
    torch.manual_seed(0)
    model = build_encoder("mlp", (2, 3), {"width": 4, "depth": 2}).eval()
    x = torch.randn(3, 2, 3)  # rows are flattened on the way in, as forward does
    first = torch.relu(model.net[1](model.net[0](x.flatten(1))))
    torch.testing.assert_close(model.forward_partial(x, 0, 1), first)
    torch.testing.assert_close(model.forward_partial(first, 1, 2), model(x))


def test_blocks_out_of_range_are_refused():
    model = build_encoder("small-cnn", (3, 8, 8), {"width": 0.25})
    with pytest.raises(ValueError, match="from 0 to 5"):
        model.forward_partial(torch.randn(2, 3, 8, 8), 0, 6)
    with pytest.raises(ValueError, match="start <= end"):
        model.forward_partial(torch.randn(2, 3, 8, 8), 3, 2)
