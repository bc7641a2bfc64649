"""What the shared transformer would cost in this grid: its training speed against each domain's own encoder.

For each data set of the grid, at its input shape and batch size (results/regime/regime.toml's), both
encoders train on random inputs (forward and backward of two views, as SimCLR's one pass over the 2N
views), in interleaved rounds so that load from other processes hits both alike. It prints samples/s
and the ratio, and the grid's with-views arms at that ratio, from the wall time of results/repro's runs.

    OMP_NUM_THREADS=1 python results/agnostic/transformer_cost.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from encoders import build_encoder  # noqa: E402

# data set: input shape, batch size, the domain's encoder and its options in regime.toml (text: text.toml)
GRID = {
    "letter": ((16,), 512, "mlp", {}, None),
    "mnist1d": ((1, 40), 256, "cnn1d", {}, None),
    "cifar10": ((3, 32, 32), 256, "small-cnn", {"stem_stride": 2}, None),
    "fsdd-speaker": ((1, 32, 32), 128, "small-cnn", {"stem_stride": 2}, None),
    "text": ((24,), 256, "text-transformer", {}, {"vocab_size": 8000}),
}


def samples_per_second(model: torch.nn.Module, x: torch.Tensor, steps: int) -> float:
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01)
    start = time.perf_counter()
    for _ in range(steps):
        optimiser.zero_grad(set_to_none=True)
        model(x).square().mean().backward()
        optimiser.step()
    return steps * x.shape[0] / 2 / (time.perf_counter() - start)  # pairs: two views per sample


def measure(rounds: int, steps: int) -> dict[str, dict[str, float]]:
    out = {}
    for name, (shape, batch, own, options, hints) in GRID.items():
        torch.manual_seed(0)
        models = {own: build_encoder(own, shape, options, hints),
                  "transformer": build_encoder("transformer", shape, {}, hints)}
        x = torch.randint(1, 8000, (2 * batch, *shape)) if hints else torch.randn(2 * batch, *shape)
        speeds: dict[str, list[float]] = {k: [] for k in models}
        for model in models.values():
            samples_per_second(model, x, 1)  # warm-up
        for _ in range(rounds):
            for key, model in models.items():
                speeds[key].append(samples_per_second(model, x, steps))
        own_speed, transformer = (statistics.median(speeds[k]) for k in models)
        out[name] = {"encoder": own, "own": own_speed, "transformer": transformer, "ratio": own_speed / transformer}
    return out


def repro_hours(records: Path) -> dict[str, float]:
    """Per data set, the wall hours of one SimCLR-or-MoCo run of results/repro (the mean)."""
    by_domain = {"tabular": "letter", "signals": "mnist1d", "images": "cifar10", "speech": "fsdd-speaker"}
    hours: dict[str, list[float]] = {}
    for line in records.read_text().splitlines():
        r = json.loads(line)
        if r["method"] in ("simclr", "moco"):
            hours.setdefault(by_domain[r["domain"]], []).append(r["wall_seconds"] / 3600)
    return {k: statistics.fmean(v) for k, v in hours.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = measure(args.rounds, args.steps)
    hours = repro_hours(ROOT / "results/repro/table1.jsonl")
    print(f"{'data set':14} {'own encoder':18} {'pairs/s':>9} {'transformer':>12} {'ratio':>6}  one run at the ratio")
    for name, r in results.items():
        one = hours.get(name)
        scaled = f"{one * r['ratio']:.2f} h (own {one:.2f} h)" if one else "-"
        print(f"{name:14} {r['encoder']:18} {r['own']:9.0f} {r['transformer']:12.0f} {r['ratio']:6.1f}  {scaled}")


if __name__ == "__main__":
    main()
