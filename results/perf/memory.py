"""Memory of MoCo's queue and of the probe's feature cache: tensor sizes and measured peak RSS.

python results/perf/memory.py queue K      one MoCo step loop with a queue of K keys (dim 128, batch 256)
python results/perf/memory.py features N   the backbone features of N images (dim 512), as the probe caches them
Each prints one JSON line; run each in a fresh process so ru_maxrss is its own.
"""

from __future__ import annotations

import json
import resource
import sys

import torch

from bench.training.resolve import resolve
from bench.training.methods import build_method
from bench.training.mixing import get_mixer
from bench.core.rng import Rng
from bench.training.trainer import StepLoss


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def queue(k: int) -> dict:
    torch.manual_seed(0)
    cfg = resolve({"method": "moco", "imix": True, "queue_size": k, "proj_dim": 128, "batch_size": 256})
    backbone = torch.nn.Sequential(torch.nn.Linear(64, 512), torch.nn.BatchNorm1d(512), torch.nn.ReLU())
    method = build_method(cfg, backbone, 512, n_classes=10, n_train=k + 10 * 256)
    step = StepLoss(method, get_mixer("mixup"), cfg, Rng.from_seed(0))
    optimizer = torch.optim.SGD([p for p in method.parameters() if p.requires_grad], lr=0.1)
    before = peak_mib()
    for _ in range(5):
        x = torch.randn(256, 64)
        loss = step(x, x + 0.1 * torch.randn_like(x), torch.zeros(256, dtype=torch.long))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        method.after_step()
    return {"kind": "moco_queue", "K": k, "dim": 128, "batch": 256,
            "queue_mib": method.queue.keys.numel() * 4 / 2**20,
            "logits_mib_per_step": 256 * (256 + k) * 4 / 2**20,
            "peak_rss_mib": round(peak_mib(), 1), "peak_rss_growth_mib": round(peak_mib() - before, 1)}


def features(n: int) -> dict:
    from bench.evaluation.probe import extract_features
    from domains.images import ImageDomain, channel_stats

    torch.manual_seed(0)
    domain = ImageDomain()
    backbone = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 512))
    before = peak_mib()
    images = torch.empty((n, 3, 32, 32), dtype=torch.uint8).random_(0, 256)  # no int64 intermediate
    domain.mean, domain.std = channel_stats(images)
    with torch.no_grad():
        cache = extract_features(backbone, domain, images, torch.device("cpu"))
    return {"kind": "feature_cache", "N": n, "dim": 512, "images_mib": images.numel() / 2**20,
            "features_mib": cache.numel() * 4 / 2**20, "peak_rss_mib": round(peak_mib(), 1),
            "peak_rss_growth_mib": round(peak_mib() - before, 1)}


if __name__ == "__main__":
    what, size = sys.argv[1], int(sys.argv[2])
    print(json.dumps(queue(size) if what == "queue" else features(size)))
