"""Rows of docs/fidelity.md marked "same", each against a re-implementation of the official lines it cites
(kibok90/imix: builder.py Builder.forward, main_pretext.py main_worker / TwoCropsTransform, models/resnet.py)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torchvision
from torch import nn
from torch.nn import functional as F

from bench.training.resolve import resolve
from bench.core.rng import Rng
from bench.training.mixing import Mix
from bench.training.optimisation import build_optimizer
from bench.training.trainer import make_views
from encoders import build_encoder
from train_helpers import build, tiny_config


def test_npair_loss_is_builder_forward_with_one_pass_over_both_views():
    # builder.py, method npair, mix_layer 0: im_q mixed; q = encoder_q(cat([im_q, im_k])); q, k = q[:bsz], q[bsz:]
    # after normalize; logits = q.mm(k.t()) / temp; loss = (lam CE(labels) + (1 - lam) CE(labels_aux)).mean()
    cfg = tiny_config(method="simclr", imix=True)
    method = build(cfg, (64,), n_train=128).train()
    official = copy.deepcopy(method)
    g = torch.Generator().manual_seed(8)
    im_q, im_k = torch.randn(12, 64, generator=g), torch.randn(12, 64, generator=g)
    randind, lam = torch.randperm(12, generator=g), 0.5 + 0.5 * torch.rand(12, generator=g)
    mixed = lam[:, None] * im_q + (1 - lam[:, None]) * im_q[randind]

    both = F.normalize(official.projector(official.backbone(torch.cat([mixed, im_k]))), dim=1)
    q, k = both[:12], both[12:]
    logits = q.mm(k.t()) / cfg.temperature
    labels = torch.arange(12)
    want = (lam * F.cross_entropy(logits, labels, reduction="none")
            + (1 - lam) * F.cross_entropy(logits, randind, reduction="none")).mean()
    got = method.loss(mixed, im_k, Mix(perm=randind, lam=lam), labels)
    assert got.item() == pytest.approx(want.item(), rel=1e-6)
    want.backward()
    got.backward()
    for ours, theirs in zip(method.parameters(), official.parameters()):
        torch.testing.assert_close(ours.grad, theirs.grad, atol=1e-6, rtol=1e-5)


def test_cifar_split_is_torchvision_train_for_training_and_test_for_testing(tmp_path, monkeypatch):
    # main_pretext.py: datasets.CIFAR10(root, train=True); main_lincls.py evaluates on train=False
    from domains.image_sources import cifar

    class FakeCIFAR10:
        classes = ["a", "b"]

        def __init__(self, root, train=True, download=False):
            n = 6 if train else 3
            self.data = np.full((n, 32, 32, 3), 200 if train else 10, dtype=np.uint8)
            self.targets = [i % 2 for i in range(n)]

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", FakeCIFAR10)
    (tmp_path / "cifar10" / "cifar-10-batches-py").mkdir(parents=True)
    images = cifar("cifar10", str(tmp_path))
    assert (len(images.train), len(images.test)) == (6, 3)
    assert int(images.train.x.max()) == 200 and int(images.test.x.max()) == 10  # not swapped
    assert images.class_names == ["a", "b"]


class _TwoViews:
    needs_key_view = True


def test_no_aug_gives_both_views_the_clean_input():
    # main_pretext.py with --no-aug: TwoCropsTransform(Compose([ToTensor(), normalize])) -> (x, x), clean
    from domains.images import ImageDomain
    from domains.image_augment import to_unit_float

    domain = ImageDomain()
    x = torch.randint(0, 256, (5, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    domain.mean, domain.std = torch.tensor([0.4, 0.5, 0.6]), torch.tensor([0.2, 0.25, 0.3])
    clean = (to_unit_float(x) - domain.mean.view(1, 3, 1, 1)) / domain.std.view(1, 3, 1, 1)
    query, key = make_views(domain, _TwoViews(), x, Rng.from_seed(0), resolve({"domain": "images", "no_aug": True}))
    torch.testing.assert_close(query, clean)
    torch.testing.assert_close(key, clean)


def official_small_resnet50() -> nn.Module:
    """models/resnet.py ResNet(Bottleneck, [3, 4, 6, 3], small=True) without its fc: torchvision's
    ResNet-50 with a 3x3 stride-1 conv1 and no max-pool."""
    model = torchvision.models.resnet50()
    model.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    model.maxpool, model.fc = nn.Identity(), nn.Identity()
    return model


def test_resnet50_is_the_official_small_resnet50():
    ours, theirs = build_encoder("resnet50", (3, 32, 32)), official_small_resnet50()
    assert [p.shape for p in ours.parameters()] == [p.shape for p in theirs.parameters()]
    assert ours.feature_dim == 2048
    theirs.load_state_dict(dict(zip(theirs.state_dict(), ours.state_dict().values())))  # same order, same tensors
    ours.eval()
    theirs.eval()
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(ours(x), theirs(x), atol=1e-5, rtol=1e-4)


def test_optimiser_and_learning_rate_are_main_pretext_ones():
    # main_pretext.py: lr = args.lr * batch_size / 256; SGD(params, lr, momentum=0.9, weight_decay=1e-4)
    cfg = resolve({"batch_size": 512})
    (group,) = build_optimizer(cfg, [nn.Parameter(torch.zeros(2))], batch_size=512).param_groups
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.125 * 512 / 256, 0.9, 1e-4)
    assert (group["nesterov"], group["dampening"]) == (False, 0)


def test_linear_evaluation_view_is_torchvision_random_crop_with_padding_and_flip():
    # main_lincls.py (CIFAR): RandomCrop(32, padding=4), RandomHorizontalFlip(), ToTensor(): zero padding
    from torchvision.transforms import functional as TF

    from domains.image_augment import pad_crop_flip

    x = torch.rand(6, 3, 32, 32, generator=torch.Generator().manual_seed(3))
    got = pad_crop_flip(x, 4, torch.Generator().manual_seed(9))
    draws = torch.Generator().manual_seed(9)  # the same draws: top offsets, left offsets, flip coins
    top, left = torch.randint(0, 9, (6,), generator=draws), torch.randint(0, 9, (6,), generator=draws)
    flip = torch.rand(6, generator=draws) < 0.5
    for i in range(6):
        view = TF.crop(TF.pad(x[i], [4]), int(top[i]), int(left[i]), 32, 32)
        torch.testing.assert_close(got[i], TF.hflip(view) if flip[i] else view, rtol=0, atol=0)
    assert flip.any() and not flip.all()
