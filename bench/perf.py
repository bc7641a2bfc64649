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

from bench.training.resolve import resolve
from bench.core.environment import environment
from bench.training.methods import build_method
from bench.training.mixing import MIXERS, Mix, get_mixer
from bench.core.rng import Rng
from bench.core.speed import tune_allocator
from bench.training.optimisation import autocast, build_optimizer
from bench.training.step_loss import step_loss
from bench.training.trainer import compiled_backbone, make_views


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


class Loops:
    """The three measured loops over one model: (a) the model alone on fixed batches, (b) the suite's
    trainer step with its on-device views and mixing, (c) torchvision's PIL transforms in DataLoader
    workers feeding the same step (the official code's input path)."""

    def __init__(self, args: argparse.Namespace) -> None:
        torch.manual_seed(0)
        self.args, self.device = args, torch.device(args.device)
        generator = torch.Generator().manual_seed(0)
        self.n_images = args.batch_size * max(8, args.steps + 2)  # a reference round reads steps + 1 batches
        images = torch.randint(0, 256, (self.n_images, 3, 32, 32), dtype=torch.uint8, generator=generator)
        self.domain = ImageDomain()
        self.domain.mean, self.domain.std = channel_stats(images)
        self.cfg = resolve({"domain": "images", "method": args.method, "imix": True, "mix": args.mix,
                            "batch_size": args.batch_size, "precision": args.precision,
                            "channels_last": args.channels_last, "device": args.device},
                           self.domain.defaults("cifar10"))
        backbone = build_encoder(args.encoder, (3, 32, 32))
        method = build_method(self.cfg, backbone, backbone.feature_dim, n_classes=10, n_train=self.n_images)
        self.method = method.to(self.device)
        if self.cfg.channels_last:
            self.method = self.method.to(memory_format=torch.channels_last)
        self.method.train()
        self.optimizer = build_optimizer(self.cfg, [p for p in self.method.parameters() if p.requires_grad])
        self.rng = Rng.from_seed(0, self.device)
        self.mixer = get_mixer(args.mix)
        self.x_all = images.to(self.device)
        self.labels = torch.zeros(args.batch_size, dtype=torch.long, device=self.device)
        self.fixed_query = self.layout(self.domain.preprocess(self.x_all[: args.batch_size]))
        self.fixed_key = self.layout(self.domain.preprocess(self.x_all[args.batch_size: 2 * args.batch_size]))
        dataset = PilViews(images.permute(0, 2, 3, 1).numpy(), self.domain.mean.tolist(), self.domain.std.tolist())
        self.loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=True, drop_last=True,
                                                  num_workers=args.workers)

    def layout(self, x: Tensor) -> Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.cfg.channels_last else x

    def optimise(self, loss: Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.method.after_step()

    def sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def model_only(self) -> None:
        with autocast(self.device, self.cfg.precision):
            loss = self.method.loss(self.fixed_query, self.fixed_key, Mix.identity(self.args.batch_size, self.device),
                                    self.labels)
        self.optimise(loss)

    def trainer_step(self) -> None:
        index = torch.randint(0, self.n_images, (self.args.batch_size,), generator=self.rng.torch,
                              device=self.rng.torch.device)
        with autocast(self.device, self.cfg.precision):
            query, key = make_views(self.domain, self.method, self.x_all[index.to(self.device)], self.rng, self.cfg)
            loss = step_loss(self.method, query, key, self.labels, self.mixer, self.cfg.alpha, self.rng,
                             self.cfg.symmetric)
        self.optimise(loss)

    def reference_step(self, query: Tensor, key: Tensor) -> None:
        query, key = self.layout(query.to(self.device)), self.layout(key.to(self.device))
        with autocast(self.device, self.cfg.precision):
            loss = step_loss(self.method, query, key, self.labels, self.mixer, self.cfg.alpha, self.rng,
                             self.cfg.symmetric)
        self.optimise(loss)

    def reference_round(self, steps: int) -> float:
        """Fresh workers each round, so they never run (and steal CPU) during loops (a) and (b).

        The first batch is taken untimed, so worker start-up is excluded; the workers' lead of
        up to one batch while it waits favours (c) slightly, making b/c conservative.
        """
        batches = iter(self.loader)
        self.reference_step(*next(batches))
        started = time.perf_counter()
        for _ in range(steps):
            self.reference_step(*next(batches))
        self.sync()
        seconds = time.perf_counter() - started
        del batches  # shuts the workers down
        return seconds

    def timed(self, step: Callable[[], None]) -> Callable[[int], float]:
        def round_seconds(steps: int) -> float:
            started = time.perf_counter()
            for _ in range(steps):
                step()
            self.sync()
            return time.perf_counter() - started
        return round_seconds


def measure(args: argparse.Namespace) -> dict:
    """Samples/s of the three loops, interleaved round by round so a change in load hits all three."""
    bench = Loops(args)
    loops = {"a_model": bench.timed(bench.model_only), "b_trainer": bench.timed(bench.trainer_step),
             "c_reference": bench.reference_round}
    rates: dict[str, list[float]] = {name: [] for name in loops}
    warmup_seconds: dict[str, float] = {}
    with compiled_backbone(bench.method, args.compile):  # as the trainer compiles it: the backbone's forward
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
        "environment": environment(bench.device),
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
    parser.add_argument("--mix", default="cutmix", choices=tuple(MIXERS))
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
