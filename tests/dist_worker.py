"""One process of the multi-process tests (started by test_distributed.py, as torchrun would).

Each process computes one training step's loss and gradients on its slice of a fixed global
batch, through the same DDP wrapper the trainer uses, and saves them for the test to compare
with a single process that sees the whole batch. Run with no process group (WORLD_SIZE unset),
``step`` is that single-process reference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.training import distributed
from bench.core.errors import UserError  # noqa: E402
from bench.training.mixing import Mix  # noqa: E402
from bench.core.rng import Rng  # noqa: E402
from bench.training.step_loss import StepLoss  # noqa: E402
from train_helpers import build, tiny_config, train  # noqa: E402

GLOBAL_BATCH, FEATURES = 16, 64
CASES = {  # name: (settings, whether the query view is mixed)
    "simclr+imix": dict(method="simclr", imix=True),
    "ntxent": dict(method="ntxent"),
    "moco+imix+shuffle": dict(method="moco", imix=True, shuffle_bn=True),  # (N+K)-way
    "moco+shuffle": dict(method="moco", shuffle_bn=True),  # the (1+K)-way baseline
    "byol+imix": dict(method="byol", imix=True),
    "simclr+imix@2": dict(method="simclr", imix=True, mix_layer="2"),  # mixed inside the encoder (hidden_mix.py)
    "moco+imix@1": dict(method="moco", imix=True, mix_layer="1"),
}


def fixed_batch(world: int):
    """The global batch, and per process a mixing permutation within its local share."""
    g = torch.Generator().manual_seed(0)
    query, key = torch.randn(GLOBAL_BATCH, FEATURES, generator=g), torch.randn(GLOBAL_BATCH, FEATURES, generator=g)
    local = GLOBAL_BATCH // world
    perms = [torch.randperm(local, generator=g) for _ in range(world)]
    lams = [0.5 + 0.5 * torch.rand(local, generator=g) for _ in range(world)]
    return query, key, perms, lams


def step(name: str, world: int, rank: int) -> dict:
    """Loss (mean over processes) and gradients (as DDP leaves them) of one step."""
    cfg = tiny_config(**CASES[name], sync_bn=True)
    query, key, perms, lams = fixed_batch(2)  # the same mixing pairs, split in two or held by one
    if world == 1:  # one process: the two local permutations as one block-diagonal permutation
        half = GLOBAL_BATCH // 2
        perm, lam = torch.cat([perms[0], perms[1] + half]), torch.cat(lams)
    else:
        perm, lam = perms[rank], lams[rank]
        share = slice(rank * GLOBAL_BATCH // world, (rank + 1) * GLOBAL_BATCH // world)
        query, key = query[share], key[share]

    def mixer(x, alpha, rng):
        w = lam[:, None]
        return w * x + (1 - w) * x[perm], Mix(perm=perm, lam=lam)

    method = build(cfg, (FEATURES,), n_train=128)
    model = distributed.wrap(StepLoss(method, mixer if cfg.imix else None, cfg, Rng.from_seed(0)))
    loss = model(query, key, torch.zeros(len(query), dtype=torch.long))
    loss.backward()
    method.after_step()
    out = {"loss": float(distributed.mean_over_processes(loss.detach())),
           "grads": {n: p.grad.clone() for n, p in method.named_parameters() if p.grad is not None}}
    if cfg.method == "moco":
        out["queue"] = method.queue.keys.clone()
    return out


def grouped_npair_step(world: int, rank: int) -> dict:
    """N-pair i-Mix with --npair-group 8: one process holding the 16 samples as two groups, or two
    processes of 8 with the official local logits (nothing gathered, BatchNorm per process)."""
    cfg = tiny_config(method="simclr", imix=True, npair_group=GLOBAL_BATCH // 2)
    query, key, perms, lams = fixed_batch(2)
    if world > 1:
        share = slice(rank * GLOBAL_BATCH // world, (rank + 1) * GLOBAL_BATCH // world)
        query, key, perms, lams = query[share], key[share], perms[rank:rank + 1], lams[rank:rank + 1]
    calls = iter(zip(perms, lams))  # one process: the first group takes the first pairs, the second the next

    def mixer(x, alpha, rng):
        perm, lam = next(calls)
        w = lam[:, None]
        return w * x + (1 - w) * x[perm], Mix(perm=perm, lam=lam)

    method = build(cfg, (FEATURES,), n_train=128)
    model = distributed.wrap(StepLoss(method, mixer, cfg, Rng.from_seed(0)))
    loss = model(query, key, torch.zeros(len(query), dtype=torch.long))
    loss.backward()
    return {"loss": float(distributed.mean_over_processes(loss.detach())),
            "grads": {n: p.grad.clone() for n, p in method.named_parameters() if p.grad is not None}}


def main(out_dir: str) -> None:
    distributed.init_from_env("cpu")
    world, rank = distributed.world_size(), distributed.rank()
    results = {name: step(name, world, rank) for name in CASES}
    results["grouped npair"] = grouped_npair_step(world, rank)
    try:
        distributed.local_batch_size(15)
    except UserError as error:
        results["odd batch"] = str(error)
    # the trainer's own path: shards, loss averaging, a checkpoint with every process's generators
    cfg = tiny_config(method="moco", imix=True, epochs=2, sync_bn=True, checkpoint_dir=out_dir, checkpoint_every=1)
    _, stats = train(cfg)
    results["train losses"] = stats.epoch_losses
    torch.save(results, Path(out_dir) / f"rank{rank}.pt")
    distributed.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
