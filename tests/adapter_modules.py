"""Adapters written the way a user writes one: source text of a module outside the package."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

TOY = '''
import torch
from domains import Domain, DomainData, Split


class ToyDomain(Domain):
    name = "toy"
    summary = "two Gaussian blobs in 8-D"
    datasets = {"blobs": "96 train / 32 test points, 2 classes"}
    default_encoder = "mlp"

    def load(self, request):
        g = torch.Generator().manual_seed(0)

        def split(n):
            y = torch.arange(n) % 2
            return Split(torch.randn(n, 8, generator=g) + 3.0 * y[:, None], y)

        return DomainData(request.dataset, split(96), split(32), n_classes=2, input_shape=(8,))

    def augment(self, x, rng):
        return x + 0.1 * torch.randn(x.shape, generator=rng.torch, device=rng.torch.device)


class FloatLabels(ToyDomain):
    def load(self, request):
        data = super().load(request)
        data.train.y = data.train.y.float()
        return data


class LabelOutOfRange(ToyDomain):
    def load(self, request):
        data = super().load(request)
        data.test.y[0] = 7
        return data


class TooFewLabels(ToyDomain):
    def load(self, request):
        data = super().load(request)
        data.train.y = data.train.y[:90]
        return data


class WrongInputShape(ToyDomain):
    def load(self, request):
        data = super().load(request)
        data.input_shape = (1, 8)
        return data


class AugmentCrops(ToyDomain):
    def augment(self, x, rng):
        return x[:, :4]


class AugmentUsesGlobalGenerator(ToyDomain):
    def augment(self, x, rng):
        return x + torch.randn(x.shape, device=x.device)  # no generator=rng.torch


class AugmentDropsSamples(ToyDomain):
    def augment(self, x, rng):
        return x[1:]


class AugmentRaises(ToyDomain):
    def augment(self, x, rng):
        return x @ torch.ones(3, 3)


class CutMixOnVectors(ToyDomain):
    mixers = ("mixup", "cutmix")


class UnknownEncoder(ToyDomain):
    default_encoder = "transformer-xl"


class ClashingFlag(ToyDomain):
    @classmethod
    def add_arguments(cls, group):
        group.add_argument("--epochs", type=int)


class Incomplete(Domain):
    name = "incomplete"


class NotADomain:
    name = "plain"
'''

IMPORT_FAILS = '''
import torch
import a_package_that_is_not_installed  # noqa: F401
'''


def write_module(folder: Path, source: str) -> str:
    """Write ``source`` as a fresh module in ``folder`` (which must be on sys.path); its name."""
    name = f"user_adapter_{uuid.uuid4().hex[:12]}"
    (folder / f"{name}.py").write_text(source)
    sys.modules.pop(name, None)
    return name
