"""Learning-rate factors per step: linear warm-up, then cosine decay or step decay."""

from __future__ import annotations

import math


def warmup_cosine(total_steps: int, warmup_steps: int):
    """Learning-rate factor per step: linear warm-up, then cosine decay to zero."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def warmup_step(steps_per_epoch: int, warmup_steps: int, milestones: list[int], decay: float = 0.1):
    """Learning-rate factor per step: linear warm-up, then x``decay`` from each milestone epoch
    on (the official code without --cos: its speech runs decay at epochs 300 and 400)."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        epoch = step // max(1, steps_per_epoch)
        return decay ** sum(epoch >= m for m in milestones)

    return factor
