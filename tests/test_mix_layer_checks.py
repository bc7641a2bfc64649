"""--mix-layer's refusals name the valid layers; the record says where a run mixed; the default keeps old digests."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from bench.cli import main
from bench.core.config import RunConfig, config_key
from bench.training.resolve import resolve
from bench.core.errors import UserError
from bench.core.rng import Rng
from bench.results.records import read_records
from bench.training.hidden_mix import hidden_mixer, mixing_inside
from bench.training.mix_layer_checks import check_mix_layers
from bench.training.mixing import cutmix, mixup
from encoders import build_encoder
from encoders.staged import Masked

TINY = ["--epochs", "1", "--data-ratio", "0.2", "--width", "32", "--batch-size", "64", "--quiet", "--proj-hidden", "32"]


class Tokens:
    name = "tokens"
    input_mixable = False


class Pixels:
    name = "pixels"
    input_mixable = True


def check(encoder: str, shape, mix_layer: str, mix: str = "mixup", domain=Pixels, options=None):
    backbone = build_encoder(encoder, shape, options)
    cfg = resolve({"imix": True, "mix_layer": mix_layer, "mix": mix})
    return check_mix_layers(cfg, domain(), backbone, encoder, torch.randn(2, *shape))


def test_the_record_of_where_a_run_mixes_names_each_layer_and_its_shape():
    where = check("small-cnn", (3, 16, 16), "0,2", options={"width": 0.25})
    assert where == [{"layer": 0, "where": "input", "shape": [3, 16, 16]},
                     {"layer": 2, "where": "after block 2 of small-cnn", "shape": [16, 8, 8]}]


def test_a_layer_past_the_encoders_depth_names_the_valid_range():
    with pytest.raises(UserError, match=r"layer 4 is past the encoder's depth; the mlp encoder's layers are 0 "
                                        r"\(the input\) to 3 \(after block 3\)"):
        check("mlp", (5,), "1,4")


def test_cutmix_after_a_flattening_layer_is_refused_with_the_layers_where_it_works():
    with pytest.raises(UserError, match=r"state after block 1 is shaped \(N, 512\).*CutMix works at layers 0; "
                                        r"MixUp \(--mix mixup\) at any of 0 to 3"):
        check("mlp", (3, 8, 8), "1", mix="cutmix")
    assert check("cnn1d", (2, 40), "3", mix="cutmix", options={"width": 0.25})[0]["shape"] == [32, 10]


def test_a_domain_whose_inputs_cannot_be_mixed_refuses_layer_0_and_names_the_others():
    with pytest.raises(UserError, match=r"raw inputs cannot be mixed \(--mix-layer 0\); mix inside the encoder: "
                                        r"--mix-layer 1 \(after block 1\) to 3"):
        check("mlp", (5,), "0", domain=Tokens)
    assert check("mlp", (5,), "1", domain=Tokens)[0]["layer"] == 1


def test_an_encoder_that_cannot_be_run_in_parts_allows_only_the_input():
    cfg = resolve({"imix": True, "mix_layer": "1"})
    with pytest.raises(UserError, match=r"cannot be run in parts .* its only layer is 0"):
        check_mix_layers(cfg, Pixels(), nn.Linear(5, 4), "linear", torch.randn(2, 5))


def test_misspelt_layer_lists_are_refused_before_anything_runs():
    for text, message in [("two", "is not a layer number"), ("1,-1", "is not a layer number"), ("2,2", "twice")]:
        with pytest.raises(UserError, match=message):
            resolve({"imix": True, "mix_layer": text})
    assert resolve({"imix": True, "mix_layer": " 0, 2"}).mix_layer == "0,2"
    assert resolve({"mix_layer": "2"}).mix_layer == "0"  # a baseline mixes nowhere: its suite cells stay the same


def test_records_at_the_default_layer_and_strategy_keep_their_config_digest():
    config = RunConfig().to_dict()
    new = ("mix_layer", "strategy", "dacl_alpha", "sigma")  # the settings issue 29 added
    assert [config[k] for k in new] == ["0", None, 0.9, 0.1]
    before = {k: v for k, v in config.items() if k not in new}  # a record written before the settings
    assert config_key(config) == config_key(before)
    assert config_key({**config, "mix_layer": "2"}) != config_key(before)
    assert config_key(resolve({"strategy": "gaussian"}).to_dict()) != config_key(before)


def test_the_hook_gives_back_a_compiled_forward_it_found():
    backbone = build_encoder("mlp", (5,), {"width": 4, "depth": 2})
    compiled = backbone.forward  # stands for --compile's torch.compile(backbone.forward), set on the instance
    backbone.forward = compiled
    with mixing_inside(backbone, 1, 3, hidden_mixer(mixup, 1.0, Rng.from_seed(0)), torch.device("cpu")):
        assert backbone.forward is not compiled
        backbone(torch.randn(3, 5))
    assert vars(backbone)["forward"] is compiled
    with pytest.raises(RuntimeError, match="did not run its backbone"):
        with mixing_inside(backbone, 1, 3, hidden_mixer(mixup, 1.0, Rng.from_seed(0)), torch.device("cpu")):
            pass


def test_cutmix_inside_a_cnn_cuts_the_feature_map_of_the_query_rows_only():
    torch.manual_seed(0)
    backbone = build_encoder("small-cnn", (1, 16, 16), {"width": 0.25})
    x = torch.randn(6, 1, 16, 16)
    with mixing_inside(backbone, 2, 4, hidden_mixer(cutmix, 1.0, Rng.from_seed(0)), x.device) as mix:
        backbone(x)
    assert mix.perm.shape == (4,) and float(mix.lam[0]) < 1  # a box was cut from the 8x8 map of rows 0-3
    assert "forward" not in vars(backbone)


def test_token_states_mix_by_mixup_with_their_masks_or_ed():
    values = torch.arange(4.0).view(2, 2, 1).expand(2, 2, 3)
    state = Masked(values, torch.tensor([[True, False], [True, True]]))
    mixed, mix = hidden_mixer(mixup, 1.0, Rng.from_seed(0))(state)
    lam = mix.lam.view(-1, 1, 1)
    torch.testing.assert_close(mixed.values, lam * values + (1 - lam) * values[mix.perm])
    assert torch.equal(mixed.mask, state.mask | state.mask[mix.perm])


@pytest.mark.parametrize("args, message", [
    (["--imix", "--mix-layer", "4"], "layer 4 is past the encoder's depth; the mlp encoder's layers are 0 (the input) to 3"),
    (["--imix", "--mix-layer", "1.5"], "--mix-layer '1.5' is not a layer number or a comma list"),
    (["--domain", "images", "--encoder", "mlp", "--imix", "--mix", "cutmix", "--mix-layer", "2"],
     "CutMix works at layers 0;"),
])
def test_bad_mix_layers_exit_2_naming_the_valid_range(args, message, tmp_path, capsys):
    assert main(["run", *args, "--epochs", "0", "--quiet", "--results", str(tmp_path / "r.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "r.jsonl").exists()


def test_a_run_at_a_hidden_layer_says_where_it_mixed(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    assert main(["run", "--method", "moco", "--imix", "--mix-layer", "2", *TINY, "--queue-size", "64",
                 "--results", str(results)]) == 0
    assert "i-Mix (mixup, alpha 1, after block 2)" in capsys.readouterr().out
    (record,) = read_records(results)
    assert record["config"]["mix_layer"] == "2"
    assert record["mixed_at"] == [{"layer": 2, "where": "after block 2 of mlp", "shape": [32]}]
