"""--sync-bn: BatchNorm statistics over the global batch, as one process with the whole batch sees them.

On CUDA this is PyTorch's SyncBatchNorm. PyTorch's version refuses CPU tensors, so on the CPU
(Gloo) ``GlobalBatchNorm`` does the same with two autograd-aware all-reduces: the per-channel
sums and sums of squares of all processes. On one process nothing changes (a note says so).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from bench.training import distributed
from bench.core.log import logger


class GlobalBatchNorm(nn.modules.batchnorm._BatchNorm):
    """BatchNorm over all processes' samples; plain BatchNorm on one process or in eval mode."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2-D input (N, C, ...), got {input.dim()}-D")

    def forward(self, input: Tensor) -> Tensor:
        if not self.training or distributed.world_size() == 1:
            return super().forward(input)
        dims = [0] + list(range(2, input.dim()))
        x = input.float()
        count = torch.tensor([x.numel() / x.shape[1]], device=x.device, dtype=x.dtype)
        local = torch.cat([x.sum(dims), (x * x).sum(dims), count])
        total = distributed.all_reduce_sum_with_grad(local)
        c = x.shape[1]
        n = total[2 * c]
        mean = total[:c] / n
        var = (total[c:2 * c] / n - mean * mean).clamp_min(0)
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                m = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                self.running_mean.mul_(1 - m).add_(mean.detach(), alpha=m)
                self.running_var.mul_(1 - m).add_(var.detach() * n / (n - 1).clamp_min(1), alpha=m)
        shape = [1, c] + [1] * (input.dim() - 2)
        y = (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y.to(input.dtype)


def convert_global_batchnorm(module: nn.Module) -> nn.Module:
    """Every BatchNorm layer replaced by a GlobalBatchNorm with the same parameters and buffers."""
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(module, GlobalBatchNorm):
        converted = GlobalBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                    module.track_running_stats)
        if module.affine:  # the same Parameter objects: frozen EMA copies stay frozen
            converted.weight, converted.bias = module.weight, module.bias
        if module.track_running_stats:
            converted.running_mean, converted.running_var = module.running_mean, module.running_var
            converted.num_batches_tracked = module.num_batches_tracked
        converted.train(module.training)
        return converted
    for name, child in module.named_children():
        module.add_module(name, convert_global_batchnorm(child))
    return module


def convert_sync_batchnorm(module: nn.Module, device: torch.device) -> nn.Module:
    """The module with synchronised BatchNorm for ``device``: SyncBatchNorm on CUDA, GlobalBatchNorm elsewhere."""
    if distributed.world_size() == 1:
        logger.info("--sync-bn: one process sees the whole batch already; BatchNorm is unchanged")
        return module
    if device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    return convert_global_batchnorm(module)
