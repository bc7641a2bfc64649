"""Running an encoder's blocks from ``start`` to ``end``: the part every staged encoder shares.

Blocks are numbered from 1; mix layer k is the state after block k, and 0 is the input
(encoders/staged.py). An encoder lists its blocks in order, the last one being the step to the
features (pooling and flattening, where there is one), and hands the list to ``run_blocks``.
"""

from __future__ import annotations

from typing import Callable, Sequence

from encoders.staged import Hidden

Block = Callable[[Hidden], Hidden]


def run_blocks(blocks: Sequence[Block], x: Hidden, start: int, end: int | None = None) -> Hidden:
    """Blocks ``start + 1`` to ``end`` (``None``: to the last) applied to ``x``, the state after block ``start``."""
    end = len(blocks) if end is None else end
    if not 0 <= start <= end <= len(blocks):
        raise ValueError(f"blocks run from 0 to {len(blocks)} with start <= end; got start={start}, end={end}")
    for block in blocks[start:end]:
        x = block(x)
    return x


def pool_flatten(pool: Callable[[Hidden], Hidden]) -> Block:
    """The last block of a convolutional encoder: global pooling to (N, C)."""
    return lambda x: pool(x).flatten(1)
