"""A small transformer for token sequences, sized for a CPU: the text domain's default encoder.

It is ``--encoder transformer`` (encoders/transformer.py) on token ids: blocks (``encoders.staged``)
1 is the embedding (token + position, with the padding mask), 2..depth+1 the pre-norm transformer
layers; the last also normalises and takes the mean over the real tokens. So ``--mix-layer 1``
mixes the embedded tokens and k+1 mixes after layer k. Padding never reaches the features:
attention ignores it (``src_key_padding_mask``) and the mean skips it.
"""

from __future__ import annotations

from .text_embedding import TokenEmbedding
from .transformer import Transformer


class TextTransformer(Transformer):
    def __init__(self, vocab_size: int, max_length: int, width: int = 128, depth: int = 2, heads: int = 0,
                 ff_factor: int = 2) -> None:
        super().__init__(TokenEmbedding(vocab_size, max_length, width), width, depth, heads, ff_factor)
