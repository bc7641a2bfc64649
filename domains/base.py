"""The contract a modality adapter fulfils. A new domain is one subclass of ``Domain``.

An adapter knows its data and its augmentations and nothing about losses:

* ``datasets``: the names it offers, each with a one-line description;
* ``load``: the train and test splits as tensors, with labels, class count and input shape;
  anything it must fit (scaling, vocabularies) is fitted on the training split only;
* ``preprocess``: the clean, model-ready view of a batch (used for evaluation);
* ``augment``: a random view of a batch, drawn per sample on the batch's device.

Where raw inputs cannot be mixed (token ids), a domain declares ``input_mixable = False``: its
model inputs may then be integers, and i-Mix mixes inside the encoder instead (after its
embedding step, ``encoders/staged.py``), never the inputs themselves.

Stored samples may differ from model inputs (uint8 images, raw waveforms): ``preprocess``
and ``augment`` turn a batch of stored samples into model inputs of ``input_shape``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import Tensor

from bench.core.rng import Rng

from bench.core.options import Option, fill, unique


# The training settings a domain should choose for its data in ``defaults(dataset)``; those it leaves
# out are the bench's own (bench/core/config.py: SGD, lr 0.125 at batch 256, batch 256, 100 epochs,
# temperature 0.2, weight decay 1e-4), tuned for nothing in particular. A run says which it inherited.
TRAINING_SETTINGS = ("optimizer", "lr", "batch_size", "epochs", "temperature", "weight_decay")


@dataclass
class Split:
    """Stored samples and their integer class labels.

    ``x``: a CPU tensor of N stored samples, of any numeric dtype: float32 for ready-made vectors and
    signals, or a compact one (uint8 images, int16 audio) that ``preprocess`` turns into float model
    inputs, which keeps large sets small in memory. ``y``: a 1-D ``torch.long`` tensor of class
    indices ``0..n_classes-1``, one per sample.
    """

    x: Tensor
    y: Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def subset(self, index: Tensor) -> "Split":
        return Split(self.x[index], self.y[index])


@dataclass
class DomainData:
    dataset: str
    train: Split
    test: Split
    n_classes: int
    input_shape: tuple[int, ...]  # of one model input, after preprocess/augment
    class_names: list[str] | None = None
    info: dict[str, Any] = field(default_factory=dict)  # provenance, stored in the record


@dataclass
class DataRequest:
    """What the user asked for; passed to ``Domain.load``."""

    dataset: str
    path: str | None  # --data: a local file or folder
    root: str  # --data-root: where downloads and caches live
    seed: int  # the run's seed, for splits the dataset does not fix itself


class Domain:
    """Base class of modality adapters; see the module docstring for the contract."""

    name: ClassVar[str]
    summary: ClassVar[str]
    datasets: ClassVar[dict[str, str]]  # name -> one-line description; the first is the default
    default_encoder: ClassVar[str]
    # The mixers this domain opts in to: mixers that need no opt-in (MixUp) are offered everywhere;
    # add "cutmix" where neighbouring values are correlated (bench/training/mixing.py MixerSpec).
    mixers: ClassVar[tuple[str, ...]] = ("mixup",)
    raw_probe: ClassVar[bool] = False  # also probe the raw inputs (cheap for small vectors); see raw_features
    # False where two inputs cannot be averaged into a third (token ids, categories as codes): views may
    # then be integer tensors, and i-Mix, InputMix and CutMix never touch the inputs; i-Mix mixes the
    # encoder's hidden state after block 1 (the embedding) instead. See docs/adding-a-domain.md.
    input_mixable: ClassVar[bool] = True
    # True where the official linear evaluation trains on a random view (CIFAR: crop + flip);
    # then `--probe official` runs the backbone on linear_eval_view every batch.
    linear_eval_augments: ClassVar[bool] = False
    # This domain's own settings, each declared once (bench/core/options.py); their values arrive in
    # self.options. The first declaration of a name wins.
    flags: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, **options: Any) -> None:
        """``self.options``: every declared flag's value, at its default unless given (a misspelt name is
        refused). An adapter that adds flags by overriding ``add_arguments`` gets ``options`` as given."""
        if type(self).add_arguments.__func__ is Domain.add_arguments.__func__:
            options = fill(self.declared(), options, getattr(self, "name", type(self).__name__))
        self.options = options

    @classmethod
    def declared(cls) -> dict[str, Option]:
        """This domain's own settings by name."""
        return unique(cls.flags)

    @classmethod
    def add_arguments(cls, group: argparse._ArgumentGroup) -> None:
        """Add this domain's own command-line flags (shown by ``bench run --domain X --help``): by default
        those declared in ``flags``. Overriding it (argparse's ``group.add_argument``) still works."""
        for option in cls.declared().values():
            option.add_to(group)

    @property
    def default_dataset(self) -> str:
        return next(iter(self.datasets))

    def defaults(self, dataset: str) -> dict[str, Any]:
        """Run settings that suit this domain and dataset, as ``{RunConfig field: value}``; flags override them.

        Declare at least the ``TRAINING_SETTINGS``: any left out are inherited from the bench (SGD,
        lr 0.125 at batch 256, 100 epochs, temperature 0.2), and a run names the ones it inherited.
        """
        return {}

    @classmethod
    def option_defaults(cls, dataset: str) -> dict[str, Any]:
        """Values for this domain's own flags (those left at None) that suit a dataset.

        Filled in before the adapter is built, so the record stores the value used; a flag
        given on the command line wins.
        """
        return {}

    def load(self, request: DataRequest) -> DomainData:
        raise NotImplementedError

    def preprocess(self, x: Tensor) -> Tensor:
        return x.float()

    def augment(self, x: Tensor, rng: Rng) -> Tensor:
        return self.preprocess(x)

    def drop_inputs(self, x: Tensor, rng: Rng) -> Tensor:
        """Input dropout on a model-ready view (the tabular --inputdrop). Not augmentation: with --no-aug
        the trainer still applies it to the clean views, as the official code does. None by default."""
        return x

    def raw_features(self, data: DomainData) -> tuple[Tensor, Tensor] | None:
        """Train and test features of the raw-input reference probe (``raw_probe``), one row per sample of
        ``data.train`` and ``data.test``; None (the default): the flattened clean views. A domain whose inputs
        are no features by themselves (token ids) returns its own, e.g. TF-IDF vectors of the texts."""
        return None

    def linear_eval_view(self, x: Tensor, generator: torch.Generator) -> Tensor:
        """The train-time view of the official linear evaluation; the clean view unless overridden."""
        return self.preprocess(x)
