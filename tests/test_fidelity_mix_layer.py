"""--mix-layer against the official branch: kibok90/imix builder.py (Builder.forward, i-mixup), re-implemented
below from its mix-layer code, on a toy batch, with the official draws (randind, lam) set to the ones our
trainer drew. Input mixing (layer 0) and hidden-layer mixing, for N-pair, MoCo (mocon) and BYOL: the same
mixed state, the same loss and the same gradients, to float tolerance."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from bench.training.resolve import resolve
from bench.core.rng import Rng
from bench.training.hidden_mix import LayerDraw
from bench.training.methods import build_method
from bench.training.mixing import mixup
from bench.training.step_loss import step_loss
from encoders import build_encoder

N, D = 8, 6


def official_loss(method, name: str, mix_layer: int, im_q, im_k, randind, lam, temp: float):
    """builder.py's forward for one direction with imix='imixup'; its mixup() draws replaced by randind and lam.

    Returns (loss, the mixed state). The official encoder's fc is the projection head; ours is
    ``method.projector`` after the backbone, so ``q = head(encoder_q.forward_partial(...))``.
    """
    bsz = im_q.shape[0]
    encoder = method.backbone
    head = method.projector

    def official_mixup(x):
        lam_expanded = lam.view([-1] + [1] * (x.dim() - 1))
        return lam_expanded * x + (1. - lam_expanded) * x[randind]

    if mix_layer == 0:
        im_q = official_mixup(im_q)
        mixed = im_q
        if name == "simclr":  # npair
            im_q = torch.cat([im_q, im_k], dim=0)
        q = head(encoder(im_q))
    elif name == "simclr":
        im_q = torch.cat([im_q, im_k], dim=0)
        feature_q = encoder.forward_partial(im_q, 0, mix_layer)
        mixed = official_mixup(feature_q[:bsz])
        feature_q = torch.cat([mixed, feature_q[bsz:]])  # the official feature_q[:bsz] = ..., out of place
        q = head(encoder.forward_partial(feature_q, mix_layer, None))
    else:
        feature_q = encoder.forward_partial(im_q, 0, mix_layer)
        mixed = official_mixup(feature_q)
        q = head(encoder.forward_partial(mixed, mix_layer, None))
    if name == "byol":
        q = method.predictor(q)
    q = F.normalize(q, dim=1)
    if name == "simclr":
        q, k = q[:bsz], q[bsz:]
    else:
        with torch.no_grad():
            key_encoder, key_head = ((method.key_backbone, method.key_projector) if name == "moco"
                                     else (method.target_backbone, method.target_projector))
            k = F.normalize(key_head(key_encoder(im_k)), dim=1)
    if name == "moco":  # mocon: contrast = cat(k, queue.T)
        logits = q @ torch.cat([k, method.queue.keys.clone().detach()]).T
    else:
        logits = q @ k.T
    if name != "byol":
        logits = logits / temp
    labels = torch.arange(bsz)
    if name == "byol":
        target_logits = lam * logits.diag() + (1. - lam) * logits[range(bsz), randind]
        return (2. - 2. * target_logits).mean(), mixed
    ce = torch.nn.CrossEntropyLoss(reduction="none")
    return (lam * ce(logits, labels) + (1. - lam) * ce(logits, randind)).mean(), mixed


def toy_method(name: str):
    cfg = resolve({"method": name, "imix": True, "proj_hidden": 8, "proj_dim": 4, "queue_size": 16,
                   "temperature": 0.2, "encoder_options": {"width": 5, "depth": 3}})
    torch.manual_seed(0)
    backbone = build_encoder("mlp", (D,), cfg.encoder_options)
    return build_method(cfg, backbone, backbone.feature_dim, n_classes=3, n_train=64), cfg


def gradients(method) -> list[torch.Tensor]:
    return [p.grad.clone() for p in method.parameters() if p.grad is not None]


@pytest.mark.parametrize("name", ["simclr", "moco", "byol"])
@pytest.mark.parametrize("layer", [0, 1, 2, 3])
def test_mixing_at_a_layer_equals_the_official_branch(name, layer):
    method, cfg = toy_method(name)
    method.train()
    generator = torch.Generator().manual_seed(1)
    query, key = torch.randn(N, D, generator=generator), torch.randn(N, D, generator=generator)
    seen = []

    def recording_mixup(x, alpha, rng):
        mixed, mix = mixup(x, alpha, rng)
        seen.append((mixed.detach().clone(), mix))
        return mixed, mix

    ours = step_loss(method, query, key, torch.zeros(N, dtype=torch.long), recording_mixup, 1.0, Rng.from_seed(2),
                     symmetric=False, layers=LayerDraw((layer,)))
    ours.backward()
    our_grads = gradients(method)
    method.zero_grad(set_to_none=True)
    ((our_mixed, mix),) = seen
    official, official_mixed = official_loss(method, name, layer, query, key, mix.perm, mix.lam, cfg.temperature)
    official.backward()
    assert our_mixed.shape == ((N, D) if layer == 0 else (N, 5))
    torch.testing.assert_close(our_mixed, official_mixed.detach(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(ours, official, rtol=1e-5, atol=1e-6)
    for a, b in zip(our_grads, gradients(method), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    assert "forward" not in vars(method.backbone)  # the hook is gone after the loss


def test_a_hidden_layer_mixes_only_the_query_half_in_npairs_single_pass():
    method, _ = toy_method("simclr")
    query, key = torch.randn(N, D), torch.randn(N, D)
    states = []
    method.projector.register_forward_hook(lambda module, inputs, output: states.append(inputs[0].detach()))
    step_loss(method, query, key, torch.zeros(N, dtype=torch.long), mixup, 1.0, Rng.from_seed(0),
              symmetric=False, layers=LayerDraw((3,)))
    (features,) = states
    assert features.shape == (2 * N, 5)  # one pass over both views, as the official npair branch
    clean = method.backbone(torch.cat([query, key]))
    assert not torch.allclose(features[:N], clean[:N], atol=1e-4)  # the queries are mixed (after the last block)
    torch.testing.assert_close(features[N:], clean[N:])  # the keys are not


def test_a_comma_list_draws_each_layer_from_the_seeded_generator():
    draws = LayerDraw((0, 2, 3))
    assert [draws.draw(Rng.from_seed(s)) for s in range(8)] == [draws.draw(Rng.from_seed(s)) for s in range(8)]
    draws = LayerDraw((0, 2, 3))
    rng = Rng.from_seed(0)
    for _ in range(300):
        draws.draw(rng)
    assert set(draws.counts) == {0, 2, 3} and min(draws.counts.values()) > 70
    single = LayerDraw((2,))
    rng, untouched = Rng.from_seed(0), Rng.from_seed(0)
    assert single.draw(rng) == 2
    assert rng.numpy.random() == untouched.numpy.random()  # one layer draws no random number
