"""Multi-process training with torch.distributed, launched by torchrun.

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK; ``init_from_env`` joins the process group
(NCCL for CUDA, Gloo on the CPU). Without those variables every helper here is a no-op that
returns its input unchanged, so a plain ``python -m bench run`` takes exactly the
single-process code path.

Conventions the trainer and the losses rely on:
- ``--batch-size`` is the global batch; each process trains on batch_size / world_size samples.
- Every process draws the same global data order (a generator seeded with --seed) and takes its
  own slice of each global batch; augmentations and mixing use seed + rank.
- Model initialisation uses --seed on every process, so all start equal (DDP checks this too).
"""

from __future__ import annotations

import datetime
import os
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor

from bench.core.errors import UserError


def world_size() -> int:
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def is_main() -> bool:
    """Only the first process writes records and checkpoints and shows progress."""
    return rank() == 0


def launched() -> bool:
    """Whether this process was started by torchrun (or anything else that sets WORLD_SIZE)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_from_env(device: str = "auto") -> None:
    """Join the process group torchrun describes; a no-op for a single process or when joined."""
    if not launched() or dist.is_initialized():
        return
    use_cuda = device != "cpu" and torch.cuda.is_available()
    if use_cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend="nccl" if use_cuda else "gloo", timeout=datetime.timedelta(minutes=30))


def device_for_rank(device: torch.device) -> torch.device:
    """cuda -> cuda:LOCAL_RANK under torchrun; one GPU per process."""
    if device.type == "cuda" and launched() and device.index is None:
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return device


def shutdown() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def local_batch_size(global_batch: int) -> int:
    """The per-process share of the global batch; refuses a batch that does not split evenly."""
    world = world_size()
    if global_batch % world:
        raise UserError(
            f"the batch of {global_batch} samples does not split evenly over {world} processes; --batch-size is "
            f"the global batch, so pass a multiple of {world} (e.g. {global_batch - global_batch % world or world}).")
    return global_batch // world


def gather_with_grad(tensor: Tensor) -> Tensor:
    """All processes' ``tensor`` concatenated along dim 0, in rank order, keeping autograd.

    The backward pass sums each process's gradient for a slice back to the process that owns
    it; with DDP averaging over processes this gives the gradient of the mean global loss.
    """
    if world_size() == 1:
        return tensor
    from torch.distributed.nn.functional import all_gather

    return torch.cat(all_gather(tensor), dim=0)


@torch.no_grad()
def gather(tensor: Tensor) -> Tensor:
    """All processes' ``tensor`` concatenated along dim 0, without gradients (MoCo's keys)."""
    if world_size() == 1:
        return tensor
    parts = [torch.empty_like(tensor) for _ in range(world_size())]
    dist.all_gather(parts, tensor.contiguous())
    return torch.cat(parts, dim=0)


def all_reduce_sum_with_grad(tensor: Tensor) -> Tensor:
    """The sum over processes, keeping autograd (global BatchNorm statistics)."""
    if world_size() == 1:
        return tensor
    from torch.distributed.nn.functional import all_reduce

    return all_reduce(tensor)


def mean_over_processes(value: Tensor) -> Tensor:
    """The mean of a (detached) tensor over processes, e.g. a loss for the log."""
    if world_size() == 1:
        return value
    value = value.detach().clone()
    dist.all_reduce(value)
    return value / world_size()


@torch.no_grad()
def broadcast(tensor: Tensor) -> Tensor:
    """Rank 0's ``tensor`` on every process (in place)."""
    if world_size() > 1:
        dist.broadcast(tensor, src=0)
    return tensor


def gather_objects(obj: Any) -> list[Any]:
    """Every process's ``obj`` (picklable), by rank."""
    if world_size() == 1:
        return [obj]
    out: list[Any] = [None] * world_size()
    dist.all_gather_object(out, obj)
    return out


def broadcast_object(obj: Any) -> Any:
    """Rank 0's ``obj`` on every process."""
    if world_size() == 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier() -> None:
    if world_size() > 1:
        dist.barrier()


def wrap(module: torch.nn.Module) -> torch.nn.Module:
    """DistributedDataParallel over several processes; the module itself on one.

    Buffers are not broadcast each step: MoCo's queue receives the same gathered keys on
    every process, and BatchNorm running statistics matter only for rank 0's evaluation.
    """
    if world_size() == 1:
        return module
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(module, broadcast_buffers=False)
