"""Does the input pipeline keep up with the model? ``python -m bench.perf``.

Three training loops, same model, method, batch size and i-Mix mixing, measured in
interleaved rounds so that load from other processes on a shared machine hits all three:

  (a) model only: method loss + backward + optimiser step on two fixed, ready views;
  (b) the trainer's step: uint8 batch -> two on-device views (domain.augment) -> i-Mix -> loss;
  (c) the paper code's style: torchvision per-image PIL transforms in DataLoader workers,
      then the same step as (b) on the loaded float views.

It prints samples/s (median over rounds) and the ratios b/a (what augmentation and mixing
cost; 1 = free) and b/c (speed-up over the per-image pipeline), and writes them to JSON.
The images are random uint8 32x32 RGB arrays held in memory, as CIFAR's are in the paper code:
decoding does not enter any of the three. With --compile the backbone is compiled as `bench run
--compile` compiles it; the compiling falls in the warm-up, whose seconds per loop are recorded.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from domains.images import ImageDomain, channel_stats
from encoders import build_encoder

from .config import resolve
from .environment import environment
from .methods import build_method
from .mixing import Mix, get_mixer
from .rng import Rng
from .speed import tune_allocator
from .trainer import autocast, build_optimizer, compiled_backbone, make_views, step_loss


class PilViews(torch.utils.data.Dataset):
    """Two PIL-transformed views per image, like the paper code's TwoCropsTransform over CIFAR10."""

    def __init__(self, images: np.ndarray, mean: list[float], std: list[float]) -> None:
        from torchvision import transforms as T

        self.images = images  # (N, H, W, 3) uint8
        self.transform = T.Compose([
            T.RandomResizedCrop(32, scale=(0.2, 1.0)),
            T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
            T.RandomGrayscale(p=0.2),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize(mean, std),
        ])

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        from PIL import Image

        image = Image.fromarray(self.images[index])
        return self.transform(image), self.transform(image)


def measure(args: argparse.Namespace) -> dict:
    torch.manual_seed(0)
    device = torch.device(args.device)
    generator = torch.Generator().manual_seed(0)
    n_images = args.batch_size * max(8, args.steps + 2)  # a reference round reads steps + 1 batches
    images = torch.randint(0, 256, (n_images, 3, 32, 32), dtype=torch.uint8, generator=generator)
    domain = ImageDomain()
    domain.mean, domain.std = channel_stats(images)
    cfg = resolve({"domain": "images", "method": args.method, "imix": True, "mix": args.mix,
                   "batch_size": args.batch_size, "precision": args.precision,
                   "channels_last": args.channels_last, "device": args.device}, domain.defaults("cifar10"))
    backbone = build_encoder(args.encoder, (3, 32, 32))
    method = build_method(cfg, backbone, backbone.feature_dim, n_classes=10, n_train=n_images).to(device)
    if cfg.channels_last:
        method = method.to(memory_format=torch.channels_last)
    method.train()
    optimizer = build_optimizer(cfg, [p for p in method.parameters() if p.requires_grad])
    rng = Rng.from_seed(0, device)
    mixer = get_mixer(args.mix)
    x_all = images.to(device)
    labels = torch.zeros(args.batch_size, dtype=torch.long, device=device)

    def optimise(loss: Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        method.after_step()

    fixed_query = domain.preprocess(x_all[: args.batch_size])
    fixed_key = domain.preprocess(x_all[args.batch_size: 2 * args.batch_size])
    if cfg.channels_last:
        fixed_query = fixed_query.contiguous(memory_format=torch.channels_last)
        fixed_key = fixed_key.contiguous(memory_format=torch.channels_last)

    def model_only() -> None:
        with autocast(device, cfg.precision):
            loss = method.loss(fixed_query, fixed_key, Mix.identity(args.batch_size, device), labels)
        optimise(loss)

    def trainer_step() -> None:
        index = torch.randint(0, n_images, (args.batch_size,), generator=rng.torch, device=rng.torch.device)
        with autocast(device, cfg.precision):
            query, key = make_views(domain, method, x_all[index.to(device)], rng, cfg)
            loss = step_loss(method, query, key, labels, mixer, cfg.alpha, rng, cfg.symmetric)
        optimise(loss)

    dataset = PilViews(images.permute(0, 2, 3, 1).numpy(), domain.mean.tolist(), domain.std.tolist())
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=True, drop_last=True,
                                         num_workers=args.workers)

    def reference_step(query: Tensor, key: Tensor) -> None:
        query, key = query.to(device), key.to(device)
        if cfg.channels_last:
            query = query.contiguous(memory_format=torch.channels_last)
            key = key.contiguous(memory_format=torch.channels_last)
        with autocast(device, cfg.precision):
            loss = step_loss(method, query, key, labels, mixer, cfg.alpha, rng, cfg.symmetric)
        optimise(loss)

    def reference_round(steps: int) -> float:
        """Fresh workers each round, so they never run (and steal CPU) during loops (a) and (b).

        The first batch is taken untimed, so worker start-up is excluded; the workers' lead of
        up to one batch while it waits favours (c) slightly, making b/c conservative.
        """
        batches = iter(loader)
        reference_step(*next(batches))
        started = time.perf_counter()
        for _ in range(steps):
            reference_step(*next(batches))
        sync()
        seconds = time.perf_counter() - started
        del batches  # shuts the workers down
        return seconds

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def timed(step: Callable[[], None]) -> Callable[[int], float]:
        def round_seconds(steps: int) -> float:
            started = time.perf_counter()
            for _ in range(steps):
                step()
            sync()
            return time.perf_counter() - started
        return round_seconds

    loops = {"a_model": timed(model_only), "b_trainer": timed(trainer_step), "c_reference": reference_round}
    rates: dict[str, list[float]] = {name: [] for name in loops}
    warmup_seconds: dict[str, float] = {}
    with compiled_backbone(method, args.compile):  # as the trainer compiles it: the backbone's forward
        for name, loop in loops.items():  # warm-up: allocator, kernels, the first fork, with --compile the compiling
            warmup_seconds[name] = loop(args.warmup)
        for _ in range(args.rounds):
            for name, loop in loops.items():
                rates[name].append(args.steps * args.batch_size / loop(args.steps))
    median = {name: statistics.median(values) for name, values in rates.items()}
    return {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "settings": {"encoder": args.encoder, "method": args.method, "mix": args.mix,
                     "batch_size": args.batch_size, "precision": args.precision,
                     "channels_last": args.channels_last, "compile": args.compile, "workers": args.workers,
                     "threads": torch.get_num_threads(), "steps": args.steps, "rounds": args.rounds},
        "samples_per_second": median,
        "rounds": rates,
        "warmup_seconds": warmup_seconds,
        "ratio_b_over_a": median["b_trainer"] / median["a_model"],
        "ratio_b_over_c": median["b_trainer"] / median["c_reference"],
        "load_average": list(os.getloadavg()),
        "environment": environment(device),
    }


def report(result: dict) -> str:
    s, rates = result["settings"], result["samples_per_second"]
    lines = [f"{s['encoder']} {s['method']} + i-Mix ({s['mix']}), batch {s['batch_size']}, {s['precision']}"
             f"{', channels_last' if s['channels_last'] else ''}{', compiled' if s.get('compile') else ''}, "
             f"{s['threads']} threads, "
             f"{s['workers']} DataLoader workers; median of {s['rounds']} rounds x {s['steps']} steps",
             f"  (a) model fwd+bwd only           {rates['a_model']:8.0f} samples/s",
             f"  (b) trainer step, on-device views {rates['b_trainer']:8.0f} samples/s",
             f"  (c) PIL transforms + DataLoader  {rates['c_reference']:8.0f} samples/s",
             f"  b/a = {result['ratio_b_over_a']:.2f}   b/c = {result['ratio_b_over_c']:.2f}   "
             f"(load average {result['load_average'][0]:.1f})"]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoder", default="small-cnn")
    parser.add_argument("--method", default="simclr")
    parser.add_argument("--mix", default="cutmix", choices=("mixup", "cutmix"))
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--precision", default="fp32", choices=("fp32", "bf16"))
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--compile", action="store_true",
                        help="torch.compile the backbone as `bench run --compile` does (compiled in the warm-up)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="DataLoader workers of the reference pipeline (default: one per CPU)")
    parser.add_argument("--steps", type=int, default=3, help="steps per round and loop")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", default="results/perf", help="folder for the JSON result")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    tune_allocator()
    if args.threads:
        torch.set_num_threads(args.threads)
    result = measure(args)
    print(report(result))
    s = result["settings"]
    name = (f"{s['encoder']}-{s['method']}-{s['mix']}-bs{s['batch_size']}-{s['precision']}"
            f"{'-cl' if s['channels_last'] else ''}{'-compile' if s['compile'] else ''}-t{s['threads']}.json")
    out = Path(args.out) / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
