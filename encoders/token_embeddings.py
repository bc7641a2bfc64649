"""Block 1 of ``--encoder transformer``: each modality's input as a sequence of ``width``-d tokens.

- images and spectrograms (C, H, W): non-overlapping P x P patches, one linear map each (ViT's
  patch embedding, a convolution with kernel = stride = P), plus learned positions;
- 1-D signals (C, L): non-overlapping segments of S samples, the same in one dimension;
- table rows (F,): one token per column, x_j * w_j + b_j (FT-Transformer's feature tokenizer,
  Gorishniy et al., 2021); the per-column weights and biases tell the columns apart, so no
  positions are added;
- token ids (L,): the text encoders' embedding (encoders/text_embedding.py), padding mask included.

Patches and segments that overhang the input are zero-padded, so every size is accepted; the
token count is kept small (at most ``MAX_PATCHES`` or ``MAX_SEGMENTS`` by default) because
attention costs its square on a CPU. Every token of a continuous input is real (mask all True).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .staged import Masked

MAX_PATCHES = 64  # CIFAR's 32 x 32 in 4 x 4 patches
MAX_SEGMENTS = 32


def auto_patch(spatial: tuple[int, ...]) -> int:
    """The smallest patch side that gives at most MAX_PATCHES (2-D) or MAX_SEGMENTS (1-D) tokens."""
    limit = MAX_PATCHES if len(spatial) == 2 else MAX_SEGMENTS
    patch = 1
    while math.prod(math.ceil(size / patch) for size in spatial) > limit:
        patch += 1
    return patch


def all_real(tokens: Tensor) -> Masked:
    """Tokens of a continuous input: none is padding."""
    return Masked(tokens, torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device))


class PatchEmbedding(nn.Module):
    """(N, C, *spatial) with one or two spatial dimensions -> Masked (N, tokens, width)."""

    def __init__(self, channels: int, spatial: tuple[int, ...], patch: int, width: int) -> None:
        super().__init__()
        if len(spatial) not in (1, 2):
            raise ValueError(f"patches are cut from one or two spatial dimensions; got {spatial}")
        self.spatial = tuple(spatial)
        self.patch = patch
        self.grid = tuple(math.ceil(size / patch) for size in spatial)
        conv = nn.Conv2d if len(spatial) == 2 else nn.Conv1d
        self.project = conv(channels, width, kernel_size=patch, stride=patch)
        self.positions = nn.Parameter(torch.zeros(math.prod(self.grid), width))
        nn.init.normal_(self.positions, std=0.02)
        kind = "patches" if len(spatial) == 2 else "segments"
        self.description = {"tokens": kind, "patch": patch, "n_tokens": math.prod(self.grid)}

    def forward(self, x: Tensor) -> Masked:
        if tuple(x.shape[2:]) != self.spatial:
            built = ", ".join(map(str, self.spatial))
            raise ValueError(f"this transformer was built for inputs shaped (N, C, {built}); got {tuple(x.shape)}")
        overhang = [g * self.patch - size for g, size in zip(self.grid, self.spatial)]
        if any(overhang):  # F.pad takes the last dimension first
            x = F.pad(x, [p for amount in reversed(overhang) for p in (0, amount)])
        return all_real(self.project(x).flatten(2).transpose(1, 2) + self.positions)


class ColumnEmbedding(nn.Module):
    """(N, F) -> Masked (N, F, width): column j becomes x_j * weight_j + bias_j."""

    def __init__(self, n_columns: int, width: int) -> None:
        super().__init__()
        bound = width ** -0.5  # FT-Transformer's uniform(-1/sqrt(d), 1/sqrt(d)) for both
        self.weight = nn.Parameter(torch.empty(n_columns, width).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n_columns, width).uniform_(-bound, bound))
        self.description = {"tokens": "columns", "n_tokens": n_columns}

    def forward(self, x: Tensor) -> Masked:
        if x.dim() != 2 or x.shape[1] != self.weight.shape[0]:
            raise ValueError(f"this transformer was built for rows of {self.weight.shape[0]} columns; "
                             f"got {tuple(x.shape)}")
        return all_real(x.unsqueeze(-1) * self.weight + self.bias)
