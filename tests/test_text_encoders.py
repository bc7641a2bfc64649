"""The text encoders (encoders/text_*.py) against the staged contract: parts compose, padding never counts,
and mixing at block 1 is MixUp of the embedded tokens with the masks OR-ed."""

from __future__ import annotations

import copy

import pytest
import torch

from bench.core.errors import UserError
from encoders import build_encoder
from encoders.staged import Masked, Staged, mix_hidden
from encoders.text_embedding import masked_mean

NAMES = ("text-transformer", "text-cnn")


def ids() -> torch.Tensor:
    torch.manual_seed(0)
    x = torch.randint(3, 40, (4, 10))
    x[1, 6:] = 0
    x[2, 1:] = 0
    return x


def encoder(name: str, depth: int = 3) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_encoder(name, (10,), {"width": 32, "depth": depth}, hints={"vocab_size": 40}).eval()


@pytest.mark.parametrize("name", NAMES)
def test_forward_partial_composes_at_every_mix_layer(name):
    model, x = encoder(name), ids()
    assert isinstance(model, Staged) and model.mix_layers == 3 and model.feature_dim == 32
    with torch.no_grad():
        whole = model(x)
        assert whole.shape == (4, 32)
        for k in range(model.mix_layers + 1):
            hidden = model.forward_partial(x, 0, k)
            assert isinstance(hidden, Masked) == (k >= 1)
            assert torch.allclose(model.forward_partial(hidden, k), whole, atol=1e-5)
    embedded = model.forward_partial(x, 0, 1)
    assert embedded.values.shape == (4, 10, 32) and torch.equal(embedded.mask, x != 0)
    with pytest.raises(ValueError, match="blocks 1..4"):
        model.forward_partial(x, 0, 5)


@pytest.mark.parametrize("name", NAMES)
def test_padding_never_reaches_the_features(name):
    model, x = encoder(name), ids()
    with torch.no_grad():
        whole = model(x)
        assert torch.allclose(model(x[:, :6])[1], whole[1], atol=1e-5)  # the same sequence with fewer pads
        assert torch.allclose(model(x[2:3, :1]), whole[2:3], atol=1e-5)  # one real token alone
        # what sits at a padded position of a hidden state changes nothing
        hidden = model.forward_partial(x, 0, 1)
        noisy = Masked(torch.where(hidden.mask.unsqueeze(-1), hidden.values, torch.randn_like(hidden.values)),
                       hidden.mask)
        assert torch.allclose(model.forward_partial(noisy, 1), whole, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_mixing_the_embedding_is_mixup_of_embedded_tokens_with_masks_or_ed(name):
    model, x = encoder(name), ids()
    perm, lam = torch.tensor([1, 0, 3, 2]), torch.tensor([0.25, 0.5, 0.75, 1.0])
    with torch.no_grad():
        embedded = model.forward_partial(x, 0, 1)
        mixed = mix_hidden(embedded, perm, lam)
        tokens = model.embedding.tokens.weight[x] + model.embedding.positions[:10]  # E(x) by hand
        expected = torch.stack([lam[i] * tokens[i] + (1 - lam[i]) * tokens[perm[i]] for i in range(4)])
        assert torch.allclose(mixed.values, expected, atol=1e-6)
        # sample 2 has one real token and sample 3 ten: their mix is real where either is
        assert mixed.mask[2].tolist() == [True] * 10 and mixed.mask[0].tolist() == (x[0] != 0).tolist()
        assert mixed.mask[1].sum() == 10
        assert model.forward_partial(mixed, 1).shape == (4, 32)
        # lam = 1 leaves a sample as it was (its own mask too, when the partner is longer or shorter)
        assert torch.equal(mixed.values[3], embedded.values[3])


def test_masked_mean_averages_real_positions_only():
    h = Masked(torch.tensor([[[1.0], [3.0], [100.0]], [[2.0], [-50.0], [-50.0]]]),
               torch.tensor([[True, True, False], [True, False, False]]))
    assert masked_mean(h).tolist() == [[2.0], [2.0]]


@pytest.mark.parametrize("name", NAMES)
def test_a_deep_copy_runs_its_own_weights(name):
    model, x = encoder(name, depth=1), ids()
    twin = copy.deepcopy(model)
    with torch.no_grad():
        for p in twin.parameters():
            p.add_(1.0)
        assert not torch.allclose(twin(x), model(x))  # MoCo's key encoder must not run the query's layers


def test_the_factories_refuse_what_they_cannot_build():
    with pytest.raises(UserError, match="needs the vocabulary size"):
        build_encoder("text-transformer", (10,), {})
    with pytest.raises(UserError, match=r"token sequences shaped \(length,\)"):
        build_encoder("text-cnn", (3, 32, 32), hints={"vocab_size": 40})
    with pytest.raises(UserError, match="not divisible"):
        build_encoder("text-transformer", (10,), {"width": 40, "heads": 3}, hints={"vocab_size": 40})
    model = encoder("text-transformer")
    with pytest.raises(ValueError, match="integer token ids"):
        model(ids().float())
