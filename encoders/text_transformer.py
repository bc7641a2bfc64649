"""A small transformer for token sequences, sized for a CPU: the text domain's default encoder.

Blocks (``encoders.staged``): 1 is the embedding (token + position, with the padding mask),
2..depth+1 the pre-norm transformer layers; the last also normalises and takes the mean over
the real tokens. So ``--mix-layer 1`` mixes the embedded tokens and k+1 mixes after layer k.
Padding never reaches the features: attention ignores it (``src_key_padding_mask``) and the mean
skips it. No dropout: the views and i-Mix are the regularisers under test.
"""

from __future__ import annotations

import functools

from torch import Tensor, nn

from .staged import Hidden, Masked
from .text_embedding import TokenEmbedding, check_ids, masked_mean, run_blocks


class TextTransformer(nn.Module):
    def __init__(self, vocab_size: int, max_length: int, width: int = 128, depth: int = 2, heads: int = 0,
                 ff_factor: int = 2) -> None:
        super().__init__()
        heads = heads or max(1, width // 32)
        if width % heads:
            raise ValueError(f"width {width} is not divisible by {heads} attention heads")
        self.max_length = max_length
        self.embedding = TokenEmbedding(vocab_size, max_length, width)
        layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=ff_factor * width, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        # enable_nested_tensor=False: the nested fast path would drop padded positions and change shapes
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.feature_dim = width
        self.mix_layers = depth  # after the embedding (1) ... after layer depth-1 (depth)

    def _embed(self, ids: Tensor) -> Masked:
        check_ids(ids, self.max_length)
        return self.embedding(ids)

    def _layer(self, index: int, h: Masked) -> Hidden:
        values = self.encoder.layers[index](h.values, src_key_padding_mask=~h.mask)
        if index == len(self.encoder.layers) - 1:
            return masked_mean(Masked(self.norm(values), h.mask))
        return Masked(values, h.mask)

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        # bound methods, made per call: a list kept on the module would survive deepcopy (MoCo's
        # key encoder) still pointing at the original's layers
        layers = [functools.partial(self._layer, i) for i in range(len(self.encoder.layers))]
        return run_blocks([self._embed, *layers], x, start, end)

    def forward(self, ids: Tensor) -> Tensor:
        return self.forward_partial(ids, 0)
