"""``--encoder transformer``: each domain's tokens as encoders/token_embeddings.py says, the text body unchanged,
and the bad options refused with the valid range."""

from __future__ import annotations

import pytest
import torch

from bench.cli import main
from bench.core.errors import UserError
from bench.results.records import read_records
from encoders import build_encoder
from encoders.token_embeddings import auto_patch


@pytest.mark.parametrize("shape,hints,tokens", [
    ((3, 32, 32), None, {"tokens": "patches", "patch": 4, "n_tokens": 64}),  # CIFAR: 8 x 8 patches of 4
    ((1, 40, 51), None, {"tokens": "patches", "patch": 6, "n_tokens": 63}),  # 7 x 9; patch 5 would give 8 x 11 = 88
    ((1, 40), None, {"tokens": "segments", "patch": 2, "n_tokens": 20}),  # MNIST-1D: 20 segments of 2
    ((16,), None, {"tokens": "columns", "n_tokens": 16}),  # Letter: one token per column
    ((24,), {"vocab_size": 50}, {"tokens": "text tokens", "n_tokens": 24}),
])
def test_each_domain_becomes_its_own_tokens_before_the_same_body(shape, hints, tokens):
    model = build_encoder("transformer", shape, {"width": 64}, hints)
    assert model.architecture == {**tokens, "width": 64, "depth": 2, "heads": 2}
    x = torch.randint(1, 50, (3, *shape)) if hints else torch.randn(3, *shape)
    assert model(x).shape == (3, 64)


def test_the_automatic_patch_is_the_smallest_within_the_token_budget():
    assert [auto_patch(s) for s in [(32, 32), (8, 8), (9, 9), (40,), (32,), (33,), (8000,)]] == [4, 1, 2, 2, 1, 2, 250]


def test_a_patch_token_is_the_linear_map_of_its_pixels_and_overhanging_patches_see_zeros():
    torch.manual_seed(0)
    model = build_encoder("transformer", (2, 5, 4), {"width": 32, "patch": 2})
    embed = model.embedding
    x = torch.randn(1, 2, 5, 4)
    tokens = embed(x)
    assert tokens.values.shape == (1, 6, 32) and bool(tokens.mask.all())  # 3 x 2 patches, all real
    weight, bias = embed.project.weight, embed.project.bias  # (32, 2, 2, 2), (32,)
    first = torch.einsum("dchw,chw->d", weight, x[0, :, :2, :2]) + bias + embed.positions[0]
    torch.testing.assert_close(tokens.values[0, 0], first)
    padded = torch.zeros(2, 6, 4)
    padded[:, :5] = x[0]  # the last row of patches overhangs by one pixel row
    last = torch.einsum("dchw,chw->d", weight, padded[:, 4:6, 2:4]) + bias + embed.positions[5]
    torch.testing.assert_close(tokens.values[0, 5], last)


def test_a_column_token_is_its_value_times_the_columns_weight_plus_its_bias():
    model = build_encoder("transformer", (3,), {"width": 8})
    embed = model.embedding
    x = torch.tensor([[2.0, -1.0, 0.5]])
    tokens = embed(x).values
    for j, value in enumerate([2.0, -1.0, 0.5]):
        torch.testing.assert_close(tokens[0, j], value * embed.weight[j] + embed.bias[j])
    shifted = embed(x + torch.tensor([[1.0, 0.0, 0.0]])).values  # only column 0's token moves, by its weight
    torch.testing.assert_close(shifted[0, 0] - tokens[0, 0], embed.weight[0])
    torch.testing.assert_close(shifted[0, 1:], tokens[0, 1:])


def test_on_text_it_is_the_text_transformer_bit_for_bit():
    """results/text's records were made with text-transformer; the shared body must not change them."""
    outputs = []
    for name in ("text-transformer", "transformer"):
        torch.manual_seed(3)
        model = build_encoder(name, (12,), {"width": 32}, {"vocab_size": 40})
        ids = torch.randint(1, 40, (4, 12))
        ids[:2, 7:] = 0  # padding
        outputs.append((model.state_dict(), model(ids)))
    (first, a), (second, b) = outputs
    assert list(first) == list(second)
    assert all(torch.equal(first[key], second[key]) for key in first)
    assert torch.equal(a, b)


def test_padding_never_reaches_the_text_features():
    torch.manual_seed(0)
    model = build_encoder("transformer", (10,), {"width": 32}, {"vocab_size": 30}).eval()
    ids = torch.tensor([[5, 6, 7, 0, 0, 0, 0, 0, 0, 0]])
    torch.testing.assert_close(model(ids), model(ids[:, :3].contiguous()))  # positions beyond the text are unused


@pytest.mark.parametrize("shape,options,hints,message", [
    ((3, 8, 8), {"patch": -1}, None, r"--patch must be 0 \(chosen from the input size\) or a positive patch side, got -1"),
    ((3, 8, 8), {"patch": 9}, None, r"--patch 9 is larger than the input \(8 x 8\); give 1 to 8, or 0"),
    ((6,), {"patch": 2}, None, r"--patch applies to images, spectrograms and signals; table rows take one token per "
                               r"column"),
    ((6,), {"patch": 2}, {"vocab_size": 9}, r"--patch applies to .*; text takes one token per token id"),
    ((3, 8, 8), {"width": 48, "heads": 5}, None, r"--width 48 is not divisible by its 5 attention heads"),
    ((3, 8, 8), {"heads": -2}, None, r"--heads must be 0 \(width // 32\) or a positive number"),
    ((3, 8, 8), {"depth": 0}, None, r"needs --depth >= 1 and --width >= 8, got 0"),
    ((2, 3, 4, 5), {}, None, r"takes table rows \(F,\), token ids \(L,\), signals \(C, L\) or images"),
])
def test_bad_options_name_the_valid_range(shape, options, hints, message):
    with pytest.raises(UserError, match=message):
        build_encoder("transformer", shape, options, hints)


def test_cutmix_inside_the_transformer_is_refused_because_tokens_have_no_box(capsys, tmp_path):
    code = main(["run", "--domain", "images", "--encoder", "transformer", "--width", "32", "--imix", "--mix", "cutmix",
                 "--mix-layer", "1", "--epochs", "1", "--results", str(tmp_path / "runs.jsonl")])
    assert code == 2 and not (tmp_path / "runs.jsonl").exists()
    assert "(N, tokens, 64, 32), with no spatial dimensions to cut a box from (a sequence of tokens). CutMix works " \
           "at layers 0" in capsys.readouterr().err


def test_a_run_with_the_transformer_records_its_tokens(tmp_path):
    results = tmp_path / "runs.jsonl"
    code = main(["run", "--domain", "tabular", "--encoder", "transformer", "--width", "32", "--imix", "--mix-layer", "2",
                 "--epochs", "1", "--data-ratio", "0.2", "--batch-size", "64", "--proj-hidden", "32", "--quiet",
                 "--results", str(results)])
    assert code == 0
    (record,) = read_records(results)
    assert record["encoder"] == "transformer"
    assert record["architecture"] == {"tokens": "columns", "n_tokens": 64, "width": 32, "depth": 2, "heads": 1}
    assert record["mixed_at"] == [{"layer": 2, "where": "after block 2 of transformer", "shape": ["tokens", 64, 32]}]


def test_inputs_of_another_shape_than_it_was_built_for_are_named():
    with pytest.raises(ValueError, match=r"built for inputs shaped \(N, C, 8, 8\); got \(2, 3, 8, 9\)"):
        build_encoder("transformer", (3, 8, 8), {"width": 32})(torch.randn(2, 3, 8, 9))
    with pytest.raises(ValueError, match=r"built for rows of 5 columns; got \(2, 4\)"):
        build_encoder("transformer", (5,), {"width": 32})(torch.randn(2, 4))
