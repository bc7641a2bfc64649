"""An adapter's settings declared once (bench/core/options.py): the flags, their help and defaults, the
constructor's values, and the refusal of a misspelt or out-of-range value."""

from __future__ import annotations

import argparse

import pytest

from bench.core.errors import UserError
from bench.prepare import domain_options, later_options
from domains import Domain, Option
from domains.images import ImageDomain
from domains.signals import SignalsDomain
from domains.speech import SpeechDomain
from domains.tabular import TabularDomain


class Noisy(Domain):
    name = "noisy"
    summary = "a test adapter"
    datasets = {"one": "the only one"}
    default_encoder = "mlp"
    flags = (
        Option("noise", float, 0.1, "std of the noise", valid=lambda v: v >= 0, valid_text="[0, inf)"),
        Option("kind", str, "sine", "the wave", choices=("sine", "square")),
        Option("smooth", bool, True, "views are not smoothed"),
        Option("fast", bool, False, "skip the slow part"),
        Option("label", help="the label column"),
        Option("noise", float, 9.0, "a second declaration of the name: ignored"),
    )

    def load(self, request):
        raise NotImplementedError


def parser_of(cls: type[Domain]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench run", add_help=False)
    cls.add_arguments(parser.add_argument_group("adapter"))
    return parser


def test_defaults_come_from_the_one_declaration():
    assert Noisy().options == {"noise": 0.1, "kind": "sine", "smooth": True, "fast": False, "label": None}
    assert vars(parser_of(Noisy).parse_args([])) == Noisy().options
    assert domain_options(Noisy) == Noisy().options  # what every record stores as config.domain_options


def test_flags_and_help_are_generated():
    parser = parser_of(Noisy)
    assert vars(parser.parse_args(["--noise", "0.5", "--kind", "square", "--no-smooth", "--fast", "--label", "y"])) \
        == {"noise": 0.5, "kind": "square", "smooth": False, "fast": True, "label": "y"}
    text = " ".join(parser.format_help().split())
    assert "--noise NOISE std of the noise (default: 0.1)" in text
    assert "--no-smooth views are not smoothed" in text and "(default: True)" not in text
    assert "a second declaration" not in text


def test_the_constructor_converts_given_values_and_keeps_defaults_for_none():
    noisy = Noisy(noise="0.25", kind="square", label=None)
    assert noisy.options == {"noise": 0.25, "kind": "square", "smooth": True, "fast": False, "label": None}


@pytest.mark.parametrize("given, message", [
    ({"nosie": 0.2}, "the noisy domain has no option 'nosie'. Did you mean 'noise'\\? Its options: noise, kind"),
    ({"noise": -1.0}, r"--noise must be in \[0, inf\), got -1; see `python -m bench run --domain noisy --help`"),
    ({"kind": "saw"}, "--kind must be one of sine, square, got 'saw'"),
    ({"noise": "loud"}, "--noise takes float values, got 'loud'"),
])
def test_misspelt_or_invalid_options_are_user_errors(given, message):
    with pytest.raises(UserError, match=message):
        Noisy(**given)


def test_an_adapter_that_overrides_add_arguments_gets_its_options_as_given():
    class OldStyle(Noisy):
        @classmethod
        def add_arguments(cls, group):
            group.add_argument("--width-scale", type=float, default=2.0)

    assert OldStyle(width_scale=3.0, anything="kept").options == {"width_scale": 3.0, "anything": "kept"}
    assert domain_options(OldStyle) == {"width_scale": 2.0}


def test_builtin_domains_keep_their_recorded_option_defaults():
    """config.domain_options is part of the digest that lets a suite skip finished runs: unchanged keys and
    defaults (the --dataset hf flags, added later, are left out at their defaults)."""
    recorded = lambda cls: {k: v for k, v in domain_options(cls).items() if k not in later_options(cls)}
    assert recorded(TabularDomain) == {"label": None, "header": True, "test_data": None, "test_last": None,
                                       "test_size": 0.2, "higgs_features": "all", "inputdrop": None}
    assert recorded(ImageDomain) == {"class_ratio": 1.0, "image_size": 32}
    assert recorded(SignalsDomain) == {
        "num_samples": 5000, "label": None, "header": True, "test_data": None, "test_size": 0.2, "labels": None,
        "test_labels": None, "channels": 1, "layout": "ncl", "standardize": True, "crop": 0.7, "shift": 0.2,
        "scaling": 0.2, "jitter": 0.05, "time_mask": 0.0}
    assert recorded(SpeechDomain) == {
        "n_mels": 40, "split": "index", "test_speakers": None, "sc_version": "0.01", "sc_protocol": "official",
        "speech_recipe": "official", "seconds": 1.0, "test_size": 0.2, "split_seed": 0, "level": None,
        "spec_augment": True}
    assert set(later_options(ImageDomain)) == {"hf_config", "train_split", "test_split", "test_size", "split_seed",
                                               "label", "image_column"}
