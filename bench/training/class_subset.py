"""Pretraining on a subset of the classes: the official i-Mix code's ``--class-ratio``.

The official ``folder.ImageFolder`` sorts the class folder names, draws
``round(n_classes * ratio)`` of them with Python's ``random`` seeded with -1, and pretrains
on those classes only; the linear evaluation keeps every class (its ``--eval-class-ratio``
defaults to 1). ``--pretrain-classes R`` does the same draw over the data set's class names.
"""

from __future__ import annotations

import random
from typing import Sequence

import torch

from domains.base import Split


def chosen_classes(names: Sequence[str], ratio: float) -> list[str]:
    """The class names the official code keeps, in sorted order."""
    ordered = sorted(names)
    if ratio >= 1:
        return ordered
    return sorted(random.Random(-1).sample(ordered, max(1, round(len(ordered) * ratio))))


def keep_classes(split: Split, ratio: float, class_names: Sequence[str] | None) -> Split:
    """The rows of ``split`` whose class is among the official draw (labels unchanged)."""
    if ratio >= 1:
        return split
    names = list(class_names) if class_names else [str(int(c)) for c in split.y.unique()]
    index = {name: i for i, name in enumerate(names)} if class_names else {n: int(n) for n in names}
    labels = torch.tensor([index[n] for n in chosen_classes(names, ratio)])
    return split.subset(torch.nonzero(torch.isin(split.y, labels)).squeeze(1))
