"""Exponential moving averages of a network, for MoCo's key encoder and BYOL's target."""

from __future__ import annotations

import copy

import torch
from torch import nn


def frozen_copy(module: nn.Module) -> nn.Module:
    """A copy that starts equal to ``module`` and never receives gradients."""
    clone = copy.deepcopy(module)
    for parameter in clone.parameters():
        parameter.requires_grad_(False)
    return clone


@torch.no_grad()
def ema_update(target: nn.Module, online: nn.Module, momentum: float) -> None:
    """theta_target <- m * theta_target + (1 - m) * theta_online; buffers are copied.

    Buffers (BatchNorm running statistics) are copied rather than averaged: the target's
    BatchNorm runs in training mode, so only the probe-time statistics depend on them.
    """
    for t, o in zip(target.parameters(), online.parameters()):
        t.mul_(momentum).add_(o.detach(), alpha=1.0 - momentum)
    for t, o in zip(target.buffers(), online.buffers()):
        t.copy_(o)
