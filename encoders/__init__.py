"""Backbones by name. A backbone maps a batch to (N, feature_dim) and has ``feature_dim``.

Register a new one with ``register_encoder``; its factory takes the input shape of one
sample and keyword options (``--width``, ``--depth``, ...), and rejects options it lacks.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable

from torch import nn

from bench.core.errors import UserError, unknown_choice

from .cnn import SmallCNN
from .cnn1d import CNN1d
from .mlp import MLP, PaperMLP
from .resnet import CifarResNet
from .text_cnn import TextCNN
from .text_transformer import TextTransformer

Factory = Callable[..., nn.Module]
# Facts about the data that a run hands every encoder factory taking an option of that name (unless
# the user set it): CoverType's column groups, a text domain's vocabulary size.
DATA_HINTS = ("feature_groups", "vocab_size")


@dataclass(frozen=True)
class EncoderSpec:
    name: str
    factory: Factory  # factory(input_shape, **options) -> nn.Module with .feature_dim
    summary: str


ENCODERS: dict[str, EncoderSpec] = {}


def register_encoder(name: str, factory: Factory, summary: str) -> None:
    ENCODERS[name] = EncoderSpec(name, factory, summary)


def _mlp(input_shape: tuple[int, ...], width: int = 512, depth: int = 3) -> nn.Module:
    return MLP(math.prod(input_shape), width=int(width), depth=depth)


def _paper_mlp(input_shape: tuple[int, ...], pieces: int = 4, scale: float = 1.0,
               feature_groups: list[int] | None = None) -> nn.Module:
    return PaperMLP(math.prod(input_shape), pieces=pieces, scale=scale, groups=feature_groups)


def _channels(input_shape: tuple[int, ...]) -> int:
    if len(input_shape) != 3:
        raise UserError(f"this encoder takes inputs shaped (channels, height, width); the data gives {input_shape}.")
    return input_shape[0]


def _small_cnn(input_shape: tuple[int, ...], width: float = 1.0, stem_stride: int = 1) -> nn.Module:
    return SmallCNN(_channels(input_shape), width=width, stem_stride=stem_stride)


def _cnn1d(input_shape: tuple[int, ...], width: float = 1.0, depth: int = 3) -> nn.Module:
    if len(input_shape) != 2:
        raise UserError(f"cnn1d takes signals shaped (channels, length); the data gives {input_shape}.")
    if depth < 1:
        raise UserError(f"cnn1d needs --depth of at least 1, got {depth}.")
    return CNN1d(input_shape[0], width=width, depth=depth)


def _resnet(arch: str) -> Factory:
    def factory(input_shape: tuple[int, ...], width: float = 1.0) -> nn.Module:
        return CifarResNet(arch, _channels(input_shape), width=width)

    return factory


def _token_shape(name: str, input_shape: tuple[int, ...], vocab_size: int | None) -> int:
    if len(input_shape) != 1:
        raise UserError(f"{name} takes token sequences shaped (length,); the data gives {input_shape}. "
                        "Use it with --domain text.")
    if vocab_size is None:
        raise UserError(f"{name} needs the vocabulary size (vocab_size), which the text domain hands it; "
                        "give it as an encoder option where the data comes from elsewhere.")
    return input_shape[0]


def _text_transformer(input_shape: tuple[int, ...], vocab_size: int | None = None, width: float = 128,
                      depth: int = 2, heads: int = 0) -> nn.Module:
    length = _token_shape("text-transformer", input_shape, vocab_size)
    if depth < 1 or int(width) < 8:
        raise UserError(f"text-transformer needs --depth >= 1 and --width >= 8, got {depth} and {width}.")
    heads = heads or max(1, int(width) // 32)
    if int(width) % heads:
        raise UserError(f"text-transformer: --width {int(width)} is not divisible by its {heads} attention heads "
                        "(width // 32 by default); choose a width that is a multiple of 32.")
    return TextTransformer(int(vocab_size), length, width=int(width), depth=depth, heads=heads)


def _text_cnn(input_shape: tuple[int, ...], vocab_size: int | None = None, width: float = 128,
              depth: int = 2) -> nn.Module:
    length = _token_shape("text-cnn", input_shape, vocab_size)
    if depth < 1 or int(width) < 8:
        raise UserError(f"text-cnn needs --depth >= 1 and --width >= 8, got {depth} and {width}.")
    return TextCNN(int(vocab_size), length, width=int(width), depth=depth)


register_encoder("mlp", _mlp, "MLP, Linear-BatchNorm-ReLU blocks (options: width, depth)")
register_encoder("paper-mlp", _paper_mlp, "the official mlp_5layer: grouped 64-unit input layer, 2048-2048-4096-4096, "
                 "Linear to 8192, maxout 4 -> 2048-d (options: pieces, scale)")
register_encoder("small-cnn", _small_cnn, "4-block CNN for CPU-scale images/spectrograms (options: width, stem_stride)")
register_encoder("cnn1d", _cnn1d, "1-D CNN for signals (channels, length), global average pool (options: width, depth)")
register_encoder("text-transformer", _text_transformer, "small pre-norm transformer over token embeddings, padding "
                 "mask, mean over real tokens (options: width, depth, heads; vocab_size from the data)")
register_encoder("text-cnn", _text_cnn, "residual 1-D CNN over token embeddings, mean over real tokens; the cheap "
                 "text encoder (options: width, depth; vocab_size from the data)")
for _arch in ("resnet18", "resnet34", "resnet50"):
    register_encoder(_arch, _resnet(_arch), f"CIFAR-style {_arch}: 3x3 stem, no max-pool (option: width)")


def build_encoder(name: str, input_shape: tuple[int, ...], options: dict[str, Any] | None = None,
                  hints: dict[str, Any] | None = None) -> nn.Module:
    """``hints`` are facts about the data (CoverType's ``feature_groups``) that a factory
    taking an option of that name receives unless the user set it; others ignore them."""
    if name not in ENCODERS:
        raise unknown_choice("encoder", name, list(ENCODERS))
    spec = ENCODERS[name]
    options = dict(options or {})
    accepted = [p for p in inspect.signature(spec.factory).parameters if p != "input_shape"]
    for key, value in (hints or {}).items():
        if key in accepted and key not in options:
            options[key] = value
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise UserError(
            f"encoder {name!r} has no option {', '.join(unknown)}; its options are: "
            f"{', '.join(accepted) or 'none'}."
        )
    model = spec.factory(tuple(input_shape), **options)
    if not isinstance(getattr(model, "feature_dim", None), int):
        raise TypeError(f"encoder {name!r} must set an integer .feature_dim")
    return model
