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
from .text_embedding import TokenEmbedding
from .token_embeddings import ColumnEmbedding, PatchEmbedding, auto_patch
from .transformer import Transformer

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
    width_, heads = _body_size("text-transformer", width, depth, heads)
    return TextTransformer(int(vocab_size), length, width=width_, depth=depth, heads=heads)


def _body_size(name: str, width: float, depth: int, heads: int) -> tuple[int, int]:
    """(width, heads) of a transformer body, checked: depth >= 1, width >= 8 and divisible by the heads."""
    if depth < 1 or int(width) < 8:
        raise UserError(f"{name} needs --depth >= 1 and --width >= 8, got {depth} and {width}.")
    if heads < 0:
        raise UserError(f"{name}: --heads must be 0 (width // 32) or a positive number of attention heads, got {heads}.")
    heads = heads or max(1, int(width) // 32)
    if int(width) % heads:
        raise UserError(f"{name}: --width {int(width)} is not divisible by its {heads} attention heads "
                        "(width // 32 by default); choose a width that is a multiple of 32, or --heads that divides it.")
    return int(width), heads


def _token_embedding(input_shape: tuple[int, ...], width: int, patch: int, vocab_size: int | None) -> nn.Module:
    """The per-domain block 1 of ``transformer`` (encoders/token_embeddings.py), chosen by the input's shape."""
    if patch < 0:
        raise UserError(f"transformer: --patch must be 0 (chosen from the input size) or a positive patch side, got {patch}.")
    if len(input_shape) == 1:
        if patch:
            kind = "text takes one token per token id" if vocab_size is not None else \
                "table rows take one token per column (FT-Transformer)"
            raise UserError(f"transformer: --patch applies to images, spectrograms and signals; {kind}. Drop --patch.")
        if vocab_size is not None:
            return TokenEmbedding(int(vocab_size), input_shape[0], width)
        return ColumnEmbedding(input_shape[0], width)
    if len(input_shape) in (2, 3):
        channels, spatial = input_shape[0], tuple(input_shape[1:])
        if patch > max(spatial):
            raise UserError(f"transformer: --patch {patch} is larger than the input ({' x '.join(map(str, spatial))}); "
                            f"give 1 to {max(spatial)}, or 0 to choose it from the input size.")
        return PatchEmbedding(channels, spatial, patch or auto_patch(spatial), width)
    raise UserError(f"transformer takes table rows (F,), token ids (L,), signals (C, L) or images and spectrograms "
                    f"(C, H, W); the data gives {input_shape}.")


def _transformer(input_shape: tuple[int, ...], vocab_size: int | None = None, width: float = 128, depth: int = 2,
                 heads: int = 0, patch: int = 0) -> nn.Module:
    width_, heads = _body_size("transformer", width, depth, heads)
    embedding = _token_embedding(tuple(input_shape), width_, int(patch), vocab_size)
    return Transformer(embedding, width=width_, depth=depth, heads=heads)


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
register_encoder("transformer", _transformer, "one transformer for every domain (DABS-style): per-domain tokens (image "
                 "or spectrogram patches, signal segments, one per table column, text tokens), then the text-transformer "
                 "body (options: width, depth, heads, patch)")
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
