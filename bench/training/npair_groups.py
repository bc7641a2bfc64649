"""N-pair within groups of the official per-GPU size (--npair-group).

The official N-pair runs (run.sh: CIFAR and Speech Commands on 2 GPUs, batch 256) never gather
across GPUs: each GPU contrasts its 128 queries with its own 128 keys, draws i-Mix partners among
them, and its BatchNorm sees its own 256 views; DDP then averages the gradients. On one process,
splitting the batch into groups and averaging the groups' losses gives the same loss and gradients
(tests/test_distributed.py checks it against two processes).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from bench.core.errors import UserError


def grouped_step_loss(group: int | None, query: Tensor, key: Tensor | None, labels: Tensor,
                      loss_of: Callable[[Tensor, Tensor | None, Tensor], Tensor]) -> Tensor:
    """The mean of ``loss_of`` over groups of ``group`` samples (the whole batch when ``group`` is None):
    each group is mixed, encoded and contrasted on its own."""
    if group is None or group >= query.shape[0]:
        return loss_of(query, key, labels)
    keys = key.split(group) if key is not None else [None] * len(query.split(group))
    parts = [loss_of(q, k, y) for q, k, y in zip(query.split(group), keys, labels.split(group))]
    return torch.stack(parts).mean()


def check_group(group: int | None, local: int) -> None:
    """--npair-group must split each process's batch into whole groups."""
    if group is not None and group < local and local % group:
        divisors = [d for d in range(2, local) if local % d == 0]
        raise UserError(f"--npair-group {group} does not split the per-process batch of {local} samples into whole "
                        f"groups; pass a divisor of {local} (e.g. {', '.join(map(str, divisors[-3:])) or local}), or "
                        "change --batch-size.")
