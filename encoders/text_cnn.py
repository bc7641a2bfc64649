"""A 1-D CNN over token embeddings: the text domain's cheap second encoder.

Blocks (``encoders.staged``): 1 is the embedding (token + position, with the padding mask),
2..depth+1 residual convolution blocks that keep the length and zero the padded positions, the
last also normalising and taking the mean over the real tokens. About twice as fast as the
transformer of the same width on a CPU, and blind to anything beyond its receptive field.
"""

from __future__ import annotations

import functools

from torch import Tensor, nn

from .staged import Hidden, Masked
from .text_embedding import TokenEmbedding, masked_mean, run_blocks


class ConvBlock(nn.Module):
    """h + GELU(conv(LayerNorm(h))) on real positions; padded positions stay zero."""

    def __init__(self, width: int, kernel_size: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.conv = nn.Conv1d(width, width, kernel_size, padding=kernel_size // 2)
        self.act = nn.GELU()

    def forward(self, h: Masked) -> Masked:
        keep = h.mask.unsqueeze(-1).to(h.values.dtype)
        z = self.norm(h.values) * keep  # padding enters the convolution as zeros
        z = self.act(self.conv(z.transpose(1, 2)).transpose(1, 2))
        return Masked((h.values + z) * keep, h.mask)


class TextCNN(nn.Module):
    def __init__(self, vocab_size: int, max_length: int, width: int = 128, depth: int = 2, kernel_size: int = 5) -> None:
        super().__init__()
        self.embedding = TokenEmbedding(vocab_size, max_length, width)
        self.convs = nn.ModuleList(ConvBlock(width, kernel_size) for _ in range(depth))
        self.norm = nn.LayerNorm(width)
        self.feature_dim = width
        self.mix_layers = depth

    def _conv(self, index: int, h: Masked) -> Hidden:
        out = self.convs[index](h)
        if index == len(self.convs) - 1:
            return masked_mean(Masked(self.norm(out.values), out.mask))
        return out

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        convs = [functools.partial(self._conv, i) for i in range(len(self.convs))]  # per call: see transformer.py
        return run_blocks([self.embedding, *convs], x, start, end)

    def forward(self, ids: Tensor) -> Tensor:
        return self.forward_partial(ids, 0)
