"""--pretrain-classes draws classes as the official --class-ratio (folder.py: random.seed(-1))."""

from __future__ import annotations

import random

import torch

from bench.training.class_subset import chosen_classes, keep_classes
from domains.base import Split


def test_the_draw_is_the_official_one_and_keeps_whole_classes():
    names = [f"n{i:02d}" for i in range(10)]
    random.seed(-1)  # what folder.ImageFolder._find_classes does with class_ratio 0.3
    official = sorted(random.sample(sorted(names), round(10 * 0.3)))
    assert chosen_classes(names, 0.3) == official and len(official) == 3
    split = Split(torch.zeros(40, 2), torch.arange(40) % 10)
    kept = keep_classes(split, 0.3, names)
    assert sorted(set(kept.y.tolist())) == [names.index(n) for n in official]
    assert len(kept) == 12  # all 4 rows of each of the 3 classes
    assert keep_classes(split, 1.0, names) is split
