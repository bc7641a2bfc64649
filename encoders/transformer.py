"""One transformer body for every modality: a per-domain embedding, then the same pre-norm layers.

DABS (Tamkin et al., 2021) compares domains with one architecture, so that a modality's result
does not hide behind a hand-picked encoder: each domain only turns its input into a sequence of
tokens (image or spectrogram patches, signal segments, one token per table column, text tokens;
encoders/token_embeddings.py) and the body is shared. Here the body is the text domain's: pre-norm
layers, GELU, feed-forward twice the width, no dropout (the views and the mixing are the
regularisers under test), a final LayerNorm and the mean over the real tokens.

Blocks (encoders/staged.py): 1 is the embedding, 2..depth+1 the layers, the last also normalising
and pooling; so mix layer 1 is the embedded tokens (DABS's e-Mix point) and k+1 is after layer k.
"""

from __future__ import annotations

import functools

from torch import Tensor, nn

from .staged import Hidden, Masked
from .text_embedding import masked_mean, run_blocks


class Transformer(nn.Module):
    """``embedding`` maps a batch of inputs to ``Masked`` tokens of ``width`` values each."""

    def __init__(self, embedding: nn.Module, width: int = 128, depth: int = 2, heads: int = 0,
                 ff_factor: int = 2) -> None:
        super().__init__()
        heads = heads or max(1, width // 32)
        if width % heads:
            raise ValueError(f"width {width} is not divisible by {heads} attention heads")
        self.embedding = embedding
        layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=ff_factor * width, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        # enable_nested_tensor=False: the nested fast path would drop padded positions and change shapes
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.feature_dim = width
        self.mix_layers = depth  # after the embedding (1) ... after layer depth-1 (depth)

    @property
    def architecture(self) -> dict:
        """What the record says about this encoder beyond its options: the tokens and the body."""
        layer = self.encoder.layers[0]
        return {**getattr(self.embedding, "description", {}), "width": self.feature_dim,
                "depth": len(self.encoder.layers), "heads": layer.self_attn.num_heads}

    def _layer(self, index: int, h: Masked) -> Hidden:
        values = self.encoder.layers[index](h.values, src_key_padding_mask=~h.mask)
        if index == len(self.encoder.layers) - 1:
            return masked_mean(Masked(self.norm(values), h.mask))
        return Masked(values, h.mask)

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        # bound methods, made per call: a list kept on the module would survive deepcopy (MoCo's
        # key encoder) still pointing at the original's layers
        layers = [functools.partial(self._layer, i) for i in range(len(self.encoder.layers))]
        return run_blocks([self.embedding, *layers], x, start, end)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_partial(x, 0)
