"""Text views (domains/text_augment.py): each keeps the layout (real tokens first, then padding) and draws per row."""

from __future__ import annotations

import torch

from domains import text_augment as aug
from domains.text import TextDomain
from domains.tokenize import MASK_ID

# rows of 8, 3 and 1 real tokens (ids 10.., 20.., 30), padding 0
X = torch.tensor([[10, 11, 12, 13, 14, 15, 16, 17, 0, 0], [20, 21, 22, 0, 0, 0, 0, 0, 0, 0],
                  [30, 0, 0, 0, 0, 0, 0, 0, 0, 0]])


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def real(row: torch.Tensor) -> list[int]:
    return [t for t in row.tolist() if t != 0]


def assert_layout(view: torch.Tensor) -> None:
    """Real tokens form a non-empty prefix of every row."""
    is_real = view != 0
    assert is_real[:, 0].all()
    assert (is_real[:, 1:] <= is_real[:, :-1]).all()  # never a real token after padding


def test_compact_moves_kept_tokens_to_the_front_in_order():
    keep = torch.tensor([[False, True, False, True, True, False, False, True, False, False]] + [[True] + [False] * 9] * 2)
    assert aug.compact(X, keep).tolist()[0] == [11, 13, 14, 17, 0, 0, 0, 0, 0, 0]


def test_crop_keeps_one_contiguous_run_of_at_least_the_fraction():
    for seed in range(30):
        view = aug.crop(X, 0.5, gen(seed))
        assert_layout(view)
        for row, original in zip(view, X):
            kept, whole = real(row), real(original)
            assert len(kept) >= -(-len(whole) // 2)  # ceil(0.5 * length)
            start = whole.index(kept[0])
            assert whole[start:start + len(kept)] == kept


def test_delete_drops_about_the_rate_and_never_empties_a_row():
    x = torch.arange(1, 101).repeat(200, 1)
    view = aug.delete(x, 0.3, gen())
    assert_layout(view)
    kept = (view != 0).sum().item() / x.numel()
    assert abs(kept - 0.7) < 0.01
    assert all(real(r) == sorted(real(r)) for r in view[:5])  # order is kept
    assert real(aug.delete(X, 0.999, gen())[2]) == [30]


def test_local_shuffle_permutes_real_tokens_and_moves_none_further_than_the_distance():
    x = torch.arange(1, 31).repeat(50, 1)
    x[:, 20:] = 0
    view = aug.local_shuffle(x, 3, gen())
    assert_layout(view)
    assert (view[:, 20:] == 0).all()
    assert all(sorted(real(r)) == list(range(1, 21)) for r in view)
    moved = (view[:, :20] - torch.arange(1, 21)).abs()  # token t started at position t - 1
    assert moved.max() <= 3 and moved.max() >= 1


def test_masking_replaces_real_tokens_only_at_about_the_rate():
    x = torch.arange(3, 103).repeat(200, 1)
    x[:, 80:] = 0
    view = aug.mask_tokens(x, 0.2, gen())
    assert (view[:, 80:] == 0).all()
    rate = (view[:, :80] == MASK_ID).float().mean().item()
    assert abs(rate - 0.2) < 0.01
    unmasked = view != MASK_ID
    assert (view[unmasked] == x[unmasked]).all()


def test_zero_rates_give_the_sequence_back_and_the_rng_decides_the_view():
    off = aug.TextViews(crop=1.0, delete=0.0, shuffle=0, mask=0.0)
    assert torch.equal(aug.text_view(X, off, gen()), X)
    views = aug.TextViews()
    torch.manual_seed(1)
    a = aug.text_view(X, views, gen(5))
    torch.manual_seed(2)
    assert torch.equal(aug.text_view(X, views, gen(5)), a)  # the global seed plays no part
    assert not all(torch.equal(aug.text_view(X, views, gen(s)), a) for s in range(6, 10))


def test_the_domain_clean_view_is_the_stored_sequence_and_flags_reach_the_views():
    domain = TextDomain(crop=1.0, delete_rate=0.0, shuffle_distance=0, mask_rate=0.5)
    assert torch.equal(domain.preprocess(X), X) and domain.preprocess(X).dtype == torch.long  # what --no-aug feeds
    from bench.core.rng import Rng

    view = domain.augment(X, Rng.from_seed(0))
    assert ((view == X) | (view == MASK_ID)).all() and (view == MASK_ID).any()
