"""--probe official: main_lincls.py's schedule and grid, the lr chosen without test labels."""

from __future__ import annotations

import pytest
import torch

from bench.evaluation import probe_official
from bench.evaluation.probe import PROBE_FUNCTIONS
from domains.image_augment import pad_crop_flip


def blobs(n: int, d: int = 8, k: int = 3, spread: float = 4.0, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k
    x = torch.randn(n, d, generator=g)
    x[torch.arange(n), y] += spread
    return x, y


@pytest.mark.parametrize("epoch, factor", [(0, 1.0), (79, 1.0), (80, 0.2), (89, 0.2), (90, 0.04), (94, 0.04),
                                           (95, 0.008), (99, 0.008)])
def test_step_schedule_multiplies_by_0_2_at_80_90_95(epoch, factor):
    assert probe_official.learning_rate(10.0, epoch) == pytest.approx(10.0 * factor)


def test_lr_grid_scales_linearly_with_the_batch():
    assert probe_official.lr_grid(256) == (1, 3, 5, 10, 30, 50, 70)
    assert probe_official.lr_grid(512) == (2, 6, 10, 20, 60, 100, 140)
    assert probe_official.lr_grid(128)[0] == 0.5


def test_heads_follow_the_schedule_exactly():
    """One step per epoch on one fixed batch: the weights move by lr(epoch) x momentum buffer."""
    x, y = blobs(4, d=2, k=2)
    w, b = probe_official.train_heads(lambda i, g: x[i], y, torch.arange(4), 2, 2, (1.0,), seed=0,
                                      epochs=3, batch_size=4)
    # a hand-run of the same three steps with the official SGD (momentum 0.9, no weight decay)
    g = torch.Generator().manual_seed(0)
    weight = 0.01 * torch.randn(2, 2, generator=g)
    bias = torch.zeros(2)
    vw, vb = torch.zeros(2, 2), torch.zeros(2)
    for _ in range(3):
        order = torch.randperm(4, generator=g)
        xb, yb = x[order], y[order]
        err = ((xb @ weight + bias).softmax(1) - torch.nn.functional.one_hot(yb, 2)) / 4
        vw = 0.9 * vw + xb.T @ err
        vb = 0.9 * vb + err.sum(0)
        weight, bias = weight - vw, bias - vb
    assert torch.allclose(w[0], weight, atol=1e-6) and torch.allclose(b[0], bias, atol=1e-6)


def test_learns_and_records_the_protocol():
    x, y = blobs(300)
    xt, yt = blobs(150, seed=1)
    result = probe_official.official_probe(x, y, xt, yt, epochs=10)
    assert result.accuracy > 0.95
    record = result.to_dict()
    assert set(result.validation_accuracy) == {"1", "3", "5", "10", "30", "50", "70"}
    assert record["milestones"] == [80, 90, 95] and record["lr_decay"] == 0.2 and record["weight_decay"] == 0.0
    assert record["lr"] in probe_official.lr_grid() and record["batch_size"] == 256 and "c" not in record


def test_the_chosen_lr_never_depends_on_test_labels():
    x, y = blobs(200, spread=1.5)
    xt, yt = blobs(100, spread=1.5, seed=1)
    garbage = torch.randint(0, 3, yt.shape, generator=torch.Generator().manual_seed(5))
    a = probe_official.official_probe(x, y, xt, yt, epochs=5)
    b = probe_official.official_probe(x, y, xt, garbage, epochs=5)
    assert a.lr == b.lr and a.validation_accuracy == b.validation_accuracy
    assert a.accuracy != b.accuracy  # the test labels are used, once, for the final score


def test_registered_and_uses_the_train_view_when_given():
    x, y = blobs(60)
    calls = []

    def view(index, generator):
        calls.append(len(index))
        return x[index] + 0.01 * torch.randn(len(index), x.shape[1], generator=generator)

    result = PROBE_FUNCTIONS["official"](x, y, x, y, seed=0, view=view, epochs=2, batch_size=16)
    # fit part 48 -> 3 batches (drop_last) x 2 epochs; all 60 -> 3 batches x 2 epochs
    assert calls == [16] * 12 and 0 <= result.accuracy <= 1


def test_pad_crop_flip_keeps_size_and_pixels():
    x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).view(2, 3, 8, 8) + 1
    out = pad_crop_flip(x, 1, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    for n in range(2):  # every non-padding value comes from the same image
        values = set(out[n][out[n] > 0].tolist())
        assert values <= set(x[n].flatten().tolist())
        assert len(values) >= 3 * 7 * 7  # at most one padded row and column are lost
