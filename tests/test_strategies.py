"""The domain-agnostic strategies: each formula on a toy batch by hand, e-Mix against DABS's objective,
and bad values refused with the valid range."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from bench.cli import main
from bench.training.resolve import resolve
from bench.core.rng import Rng
from bench.results.records import read_records
from bench.training.hidden_mix import LayerDraw, hidden_mixer
from bench.training.mixing import cutmix
from bench.training.methods import build_method
from bench.training.strategies import label_mixer
from bench.training.strategies.dacl import mixup_noise
from bench.training.strategies.emix import emix_mixup
from bench.training.strategies.gaussian import gaussian_noise
from bench.training.step_loss import step_loss
from bench.training.trainer import make_views
from domains.base import Domain
from encoders import build_encoder
from encoders.staged import Masked

TINY = ["--epochs", "1", "--data-ratio", "0.2", "--width", "32", "--batch-size", "64", "--quiet", "--proj-hidden", "32",
        "--queue-size", "64"]


def test_dacl_positive_is_lam_x_plus_one_minus_lam_another_sample():
    n, alpha = 16, 0.7
    x = torch.eye(n)  # row i is e_i: mixed[i] shows each weight and where it came from
    mixed = mixup_noise(x, alpha, Rng.from_seed(0))
    own = mixed.diagonal()
    assert ((own >= alpha) & (own <= 1)).all() and own.unique().numel() == n  # lam_i ~ U[alpha, 1] per sample
    partner = mixed - torch.diag(own)
    assert ((partner > 0).sum(dim=1) == 1).all()  # exactly one other sample, never itself
    torch.testing.assert_close(partner.sum(dim=1), 1 - own)
    two = mixup_noise(torch.tensor([[1.0, 0.0], [0.0, 1.0]]), 0.5, Rng.from_seed(1))
    lam = two[0, 0]
    torch.testing.assert_close(two[0], torch.stack([lam, 1 - lam]))  # sample 0's only other is sample 1


def test_gaussian_positive_is_x_plus_sigma_times_standard_noise():
    x = torch.arange(6.0).view(2, 3)
    noisy = gaussian_noise(x, 0.5, Rng.from_seed(3))
    eps = torch.randn((2, 3), generator=torch.Generator().manual_seed(3))  # the run's generator, same seed
    torch.testing.assert_close(noisy, x + 0.5 * eps)


def test_emix_mixes_against_a_detached_partner():
    h = torch.tensor([[1.0, 2.0], [3.0, 5.0], [-1.0, 0.0]], requires_grad=True)
    mixed, mix = emix_mixup(h, 1.0, Rng.from_seed(0))
    lam = mix.lam[:, None]
    torch.testing.assert_close(mixed, lam * h.detach() + (1 - lam) * h.detach()[mix.perm])
    mixed.sum().backward()
    torch.testing.assert_close(h.grad, lam.expand(3, 2))  # only each sample's own share carries gradient


def test_emix_mixes_token_states_inside_the_encoder_with_the_masks_combined():
    """Text's e-Mix: the hook hands e-Mix the embedded tokens; a partner's real tokens stay real."""
    values = torch.arange(12.0).view(2, 3, 2).requires_grad_()
    mask = torch.tensor([[True, True, False], [True, False, False]])
    mixed, mix = hidden_mixer(emix_mixup, 1.0, Rng.from_seed(0))(Masked(values, mask))
    lam = mix.lam.view(-1, 1, 1)
    torch.testing.assert_close(mixed.values, lam * values.detach() + (1 - lam) * values.detach()[mix.perm])
    assert torch.equal(mixed.mask, mask | mask[mix.perm])
    mixed.values.sum().backward()
    torch.testing.assert_close(values.grad, lam.expand(2, 3, 2))  # the partner is detached


def test_another_mixer_on_token_states_is_still_refused():
    with pytest.raises(ValueError, match="only MixUp can mix token states"):
        hidden_mixer(cutmix, 1.0, Rng.from_seed(0))(Masked(torch.zeros(2, 3, 2), torch.ones(2, 3, dtype=torch.bool)))


class Tables(Domain):
    name = "toy"

    def augment(self, x, rng):  # e-Mix must never call it
        raise AssertionError("e-Mix has no views")


def test_emix_loss_is_dabs_objective_on_the_clean_embedding():
    cfg = resolve({"strategy": "emix", "proj_hidden": 8, "proj_dim": 4, "temperature": 0.2,
                   "encoder_options": {"width": 5, "depth": 3}})
    assert (cfg.imix, cfg.mix_layer) == (True, "1")
    torch.manual_seed(0)
    backbone = build_encoder("mlp", (6,), cfg.encoder_options)
    method = build_method(cfg, backbone, backbone.feature_dim, n_classes=3, n_train=64).eval()  # BN as one pass
    x = torch.randn(8, 6)
    query, key = make_views(Tables(), method, x, Rng.from_seed(0), cfg)
    torch.testing.assert_close(query, x)
    torch.testing.assert_close(key, x)
    draws = []

    def recording(h, alpha, rng):
        out = emix_mixup(h, alpha, rng)
        draws.append(out[1])
        return out

    assert label_mixer(cfg) is emix_mixup
    ours = step_loss(method, query, key, torch.zeros(8, dtype=torch.long), recording, cfg.alpha, Rng.from_seed(1),
                     symmetric=False, layers=LayerDraw((1,)))
    (mix,) = draws
    # DABS: embs = embed(x); embs_mix = lam * embs + (1 - lam) * embs[randidx].detach(); both encoded; the loss
    # lam * CE(logits, i) + (1 - lam) * CE(logits, randidx) per sample, logits = norm(mix) @ norm(clean).T / T
    embs = backbone.forward_partial(x, 0, 1)
    lam = mix.lam[:, None]
    mixed = lam * embs + (1 - lam) * embs[mix.perm].detach()
    encode = lambda e: F.normalize(method.projector(backbone.forward_partial(e, 1)), dim=1)  # noqa: E731
    logits = encode(mixed) @ encode(embs).T / 0.2
    ce = torch.nn.CrossEntropyLoss(reduction="none")
    dabs = (mix.lam * ce(logits, torch.arange(8)) + (1 - mix.lam) * ce(logits, mix.perm)).mean()
    torch.testing.assert_close(ours, dabs)


@pytest.mark.parametrize("strategy, method", [("emix", "moco"), ("dacl", "simclr"), ("gaussian", "byol")])
def test_a_strategy_run_records_what_it_did(strategy, method, tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    assert main(["run", "--method", method, "--strategy", strategy, *TINY, "--results", str(results)]) == 0
    (record,) = read_records(results)
    assert record["strategy"]["name"] == strategy and record["config"]["strategy"] == strategy
    assert record["imix"] is (strategy == "emix")
    assert {"emix": "replaced by the clean input", "dacl": "kept, each mixed", "gaussian": "kept, each noised"}[
        strategy] in record["strategy"]["views"]
    if strategy == "emix":
        assert record["mixed_at"][0]["where"] == "after block 1 of mlp"
        assert record["config"]["moco_negatives"] == "batch+queue"  # mixed labels need the (N+K) classes


def test_imix_and_inputmix_by_strategy_name_are_the_same_runs_as_their_switches():
    assert resolve({"strategy": "imix"}).to_dict() == resolve({"imix": True}).to_dict()
    assert resolve({"strategy": "inputmix", "no_aug": True}).to_dict() == resolve(
        {"inputmix": True, "no_aug": True}).to_dict()


@pytest.mark.parametrize("args, message", [
    (["--strategy", "gaussian", "--sigma", "-0.5"], "--sigma must be positive (the noise's standard deviation, in (0, inf)), got -0.5"),
    (["--strategy", "dacl", "--dacl-alpha", "0"], "--dacl-alpha must be in (0, 1], got 0.0"),
    (["--strategy", "dacl", "--dacl-alpha", "1.5"], "--dacl-alpha must be in (0, 1], got 1.5"),
    (["--strategy", "mixmatch"], "invalid choice: 'mixmatch'"),
    (["--strategy", "dacl", "--imix"], "does not combine with --imix"),
    (["--strategy", "emix", "--method", "ntxent"], "--strategy emix mixes virtual labels"),
    (["--strategy", "emix", "--mix-layer", "9"], "layer 9 is past the encoder's depth"),
])
def test_bad_strategy_values_exit_2_naming_the_valid_range(args, message, tmp_path, capsys):
    assert main(["run", *args, "--epochs", "0", "--quiet", "--results", str(tmp_path / "r.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
