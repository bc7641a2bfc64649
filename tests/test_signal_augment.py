"""The signal views, checked on small hand-computed examples."""

from __future__ import annotations

import pytest
import torch

from bench.core.rng import Rng
from domains import signal_augment as aug
from domains.signals import SignalsDomain


def generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_sample_at_interpolates_linearly_between_neighbours():
    x = torch.tensor([[[0.0, 10.0, 20.0, 30.0]]])
    assert aug.sample_at(x, torch.tensor([[0.5, 2.25, 3.0]])).tolist() == [[[5.0, 22.5, 30.0]]]


def test_crop_resize_of_the_whole_signal_is_the_identity():
    x = torch.randn(3, 2, 11)
    assert aug.crop_resize(x, 1.0, generator()) is x
    stretched = aug.crop_resize(x, 0.5, generator())
    assert stretched.shape == x.shape and not torch.allclose(stretched, x)


def test_crop_resize_stays_inside_the_signal_range_of_a_ramp():
    ramp = torch.arange(21.0).expand(64, 1, 21)
    out = aug.crop_resize(ramp, 0.5, generator())
    span = out[:, 0, -1] - out[:, 0, 0]  # a kept window of 10..20 steps, stretched back
    assert bool(((span >= 10 - 1e-4) & (span <= 20 + 1e-4)).all())
    assert bool((out[:, 0, 1:] >= out[:, 0, :-1]).all())  # still increasing: no reversal


def test_shift_is_a_per_sample_circular_roll():
    x = torch.arange(5.0).expand(200, 2, 5)
    out = aug.shift(x, 2, generator())
    for sample in out:
        steps = int((5 - sample[0, 0]) % 5)  # x[t - s] at t = 0
        assert sample.tolist() == torch.roll(x[0], steps, dims=-1).tolist()
    firsts = set(out[:, 0, 0].tolist())
    assert firsts == {0.0, 1.0, 2.0, 3.0, 4.0}  # shifts -2..2 all drawn


def test_scale_jitter_and_time_mask_stay_in_their_ranges():
    x = torch.ones(500, 1, 20)
    factors = aug.scale(x, 0.2, generator())[:, 0, 0]
    assert 0.8 <= float(factors.min()) and float(factors.max()) <= 1.2 and float(factors.std()) > 0.05
    noise = aug.jitter(x, 0.1, generator()) - x
    assert float(noise.std()) == pytest.approx(0.1, rel=0.05)
    masked = aug.time_mask(x, 0.25, generator())
    zeros = (masked[:, 0] == 0).sum(1)
    assert int(zeros.max()) <= 5 and int(zeros.max()) >= 4  # up to a quarter of 20 steps
    runs = [(row == 0).nonzero().flatten() for row in masked[:, 0]]
    assert all(len(r) == 0 or int(r[-1] - r[0]) == len(r) - 1 for r in runs)  # one window each


def test_augment_is_per_sample_seeded_and_keeps_the_shape():
    domain = SignalsDomain(time_mask=0.1)
    x = torch.randn(1, 3, 50).expand(8, 3, 50)
    first = domain.augment(x, Rng.from_seed(4))
    assert first.shape == (8, 3, 50)
    assert not torch.allclose(first[0], first[1])  # each sample draws its own view
    assert torch.equal(first, domain.augment(x, Rng.from_seed(4)))
