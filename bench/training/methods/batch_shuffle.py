"""MoCo's shuffled BatchNorm: the key encoder sees a random share of the global batch.

With BatchNorm, a query and its key computed from the same sub-batch can "cheat" through
the batch statistics. MoCo therefore gathers the key views of all processes, permutes them
with one permutation drawn on rank 0, lets each process encode its slice of the shuffled
batch, and gathers and unshuffles the keys. On one process the permutation stays within the
batch, which leaves BatchNorm's statistics unchanged: there it only costs a gather-free copy.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from bench.training import distributed


@torch.no_grad()
def shuffled(encode: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """``encode(x)`` computed on a random share of the global batch; rows come back in x's order."""
    n = x.shape[0]
    rank = distributed.rank()
    everything = distributed.gather(x)
    perm = distributed.broadcast(torch.randperm(everything.shape[0]).to(x.device))  # rank 0's draw
    mine = perm[rank * n:(rank + 1) * n]
    encoded = distributed.gather(encode(everything[mine]))
    restored = torch.empty_like(encoded)
    restored[perm] = encoded
    return restored[rank * n:(rank + 1) * n]
