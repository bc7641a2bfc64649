"""Block 1 of the text encoders: token ids to embedded tokens with their padding mask.

Token sequences arrive as (N, L) integer ids, real tokens first and ``PAD_ID`` after them (the
text domain's tokenizer reserves id 0 for padding). The embedding step is where mixing becomes
possible (``encoders.staged``): its output, ``Masked(values, mask)``, can be averaged; ids cannot.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch
from torch import Tensor, nn

from .staged import Masked

PAD_ID = 0  # the padding id of every tokenizer the text domain fits; its embedding is zero


class TokenEmbedding(nn.Module):
    """Token embeddings plus learned position embeddings (``max_length`` positions)."""

    def __init__(self, vocab_size: int, max_length: int, width: int) -> None:
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, width, padding_idx=PAD_ID)
        self.positions = nn.Parameter(torch.zeros(max_length, width))
        nn.init.normal_(self.tokens.weight, std=width ** -0.5)
        nn.init.normal_(self.positions, std=0.02)
        with torch.no_grad():
            self.tokens.weight[PAD_ID].zero_()
        self.description = {"tokens": "text tokens", "n_tokens": max_length}  # for a transformer's record

    def forward(self, ids: Tensor) -> Masked:
        check_ids(ids, self.positions.shape[0])
        ids = ids.long()
        length = ids.shape[1]
        return Masked(self.tokens(ids) + self.positions[:length], ids != PAD_ID)


def masked_mean(h: Masked) -> Tensor:
    """Mean over the real tokens of each sequence: (N, L, D) -> (N, D)."""
    weight = h.mask.to(h.values.dtype).unsqueeze(-1)
    return (h.values * weight).sum(1) / weight.sum(1).clamp_min(1.0)


def check_ids(ids: Tensor, max_length: int) -> None:
    """A clear error for inputs that are not token ids (instead of an index error deep in torch)."""
    if ids.dim() != 2 or ids.shape[1] > max_length:
        raise ValueError(f"text encoders take token ids shaped (N, L) with L <= {max_length}; got {tuple(ids.shape)}")
    if ids.is_floating_point():
        raise ValueError("text encoders take integer token ids, not floating-point inputs: token ids cannot be "
                         "mixed, only their embeddings (forward_partial after block 1)")


def run_blocks(blocks: Sequence[Callable[[Any], Any]], x: Any, start: int, end: int | None) -> Any:
    """Blocks ``start + 1`` to ``end`` (1-based; ``end=None``: all) of a staged encoder, as encoders.staged says."""
    end = len(blocks) if end is None else end
    if not 0 <= start <= end <= len(blocks):
        raise ValueError(f"forward_partial(x, {start}, {end}): this encoder has blocks 1..{len(blocks)}")
    for block in blocks[start:end]:
        x = block(x)
    return x
