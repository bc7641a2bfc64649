"""Checks an adapter passes before it trains, so a broken one fails with a message naming it.

Two moments: when its class is imported (``check_adapter_class``: the class attributes and
flags of the contract), and once its data is loaded (``check_adapter``: the splits, then
``preprocess`` and ``augment`` on a batch of four samples). Both list every problem found.
"""

from __future__ import annotations

import argparse
import random
import traceback
from typing import Any, Callable, Collection, Mapping

import numpy as np
import torch
from torch import Tensor

from bench.core.errors import UserError
from bench.core.rng import Rng

from .base import Domain, DomainData, Split
from bench.core.options import Option

GUIDE = "docs/adding-a-domain.md"
CHECK_BATCH = 4
INTEGER_IDS = (torch.int64, torch.int32)  # token ids: model inputs of a domain with input_mixable = False
CHECK_SEED = 0  # the views are checked with their own generator; training's stream is untouched


def adapter_label(domain: Domain | type[Domain]) -> str:
    cls = domain if isinstance(domain, type) else type(domain)
    return f"domain adapter {getattr(cls, 'name', '?')!r} ({cls.__module__}:{cls.__qualname__})"


def _fail(label: str, problems: list[str]) -> None:
    if problems:
        listed = "".join(f"\n  - {p}" for p in problems)
        raise UserError(f"{label} does not fulfil the adapter contract:{listed}\nSee {GUIDE}.")


def _describe(value: Any) -> str:
    return f"the class {value.__name__}" if isinstance(value, type) else f"a {type(value).__name__}"


def class_problems(cls: type[Domain], mixers: Collection[str] | None = None) -> list[str]:
    """What is missing or mistyped among the class attributes the contract requires.

    ``mixers``: the mixer names the host implements (the bench passes its own), else any names.
    """
    from encoders import ENCODERS

    problems = []
    for attribute in ("name", "summary", "default_encoder"):
        value = getattr(cls, attribute, None)
        if not isinstance(value, str) or not value:
            problems.append(f"class attribute `{attribute}` must be a non-empty string; it is "
                            f"{'missing' if value is None else repr(value)}")
    datasets = getattr(cls, "datasets", None)
    if not isinstance(datasets, dict) or not datasets or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in datasets.items()):
        problems.append("class attribute `datasets` must be a non-empty dict of dataset name -> "
                        "one-line description (the first is the default)")
    encoder = getattr(cls, "default_encoder", None)
    if isinstance(encoder, str) and encoder and encoder not in ENCODERS:
        problems.append(f"default_encoder {encoder!r} is not a registered encoder (registered: "
                        f"{', '.join(sorted(ENCODERS))}); register your own with "
                        "encoders.register_encoder in the adapter's module")
    known, mixers = mixers, getattr(cls, "mixers", ())
    unknown = [m for m in mixers if not isinstance(m, str) or known is not None and m not in known] \
        if isinstance(mixers, (tuple, list)) else [mixers]
    if unknown or not mixers:
        problems.append(f"class attribute `mixers` must be a non-empty tuple of "
                        f"{', '.join(known) if known is not None else 'mixer names'}; got {mixers!r}")
    if not isinstance(getattr(cls, "input_mixable", True), bool):
        problems.append(f"class attribute `input_mixable` must be True or False; got {cls.input_mixable!r}")
    elif not cls.input_mixable and isinstance(mixers, (tuple, list)) and "cutmix" in mixers:
        problems.append("mixers offer cutmix, which pastes raw inputs together, but input_mixable is False; "
                        "offer ('mixup',), which i-Mix applies to the embedded inputs")
    flags = getattr(cls, "flags", ())
    if not isinstance(flags, (tuple, list)) or not all(isinstance(f, Option) for f in flags):
        problems.append(f"class attribute `flags` must be a tuple of domains.Option; got {flags!r}")
    if cls.load is Domain.load:
        problems.append("it does not define load(self, request) -> DomainData")
    return problems


def flag_problems(cls: type[Domain], run_arguments: Callable[[argparse.ArgumentParser], None] | None = None
                  ) -> list[str]:
    """Flags from ``add_arguments`` that are malformed or clash with the run command's own, which
    ``run_arguments`` adds to a parser (the bench passes its own, so domains/ never imports the CLI)."""
    parser = argparse.ArgumentParser(add_help=False)
    if run_arguments is not None:
        run_arguments(parser)
    try:
        cls.add_arguments(parser.add_argument_group("adapter"))
    except Exception as error:
        return [f"add_arguments failed: {type(error).__name__}: {error} (the run command's own flags "
                "are listed by `python -m bench run --help`; choose other names)"]
    return []


def check_adapter_class(cls: Any, label: str, mixers: Collection[str] | None = None,
                        run_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> None:
    """Raise UserError, naming ``label``, unless ``cls`` is a complete Domain subclass.

    The host's own rules come as arguments: the mixer names it implements and the function adding
    its run flags (``bench.adapters.check_adapter_class`` passes the bench's).
    """
    if not (isinstance(cls, type) and issubclass(cls, Domain)):
        raise UserError(f"{label} is {_describe(cls)}, not a subclass of domains.Domain. "
                        f"An adapter is a class `class MyDomain(Domain): ...`; see {GUIDE}.")
    problems = class_problems(cls, mixers)
    _fail(label, problems or flag_problems(cls, run_arguments))


def _split_problems(name: str, split: Any, n_classes: Any) -> list[str]:
    if not isinstance(split, Split):
        return [f"DomainData.{name} is {_describe(split)}, not a Split(x, y)"]
    x, y = split.x, split.y
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        return [f"{name}.x and {name}.y must be torch tensors; got {_describe(x)} and {_describe(y)}"]
    problems = []
    if y.dim() != 1 or y.dtype != torch.long:
        problems.append(f"{name}.y must be a 1-D torch.long tensor of class indices; it is shaped "
                        f"{tuple(y.shape)} with dtype {y.dtype} (use y.long())")
    elif len(y) == 0:
        problems.append(f"{name} is empty")
    elif isinstance(n_classes, int) and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        problems.append(f"{name}.y holds labels {int(y.min())}..{int(y.max())}, outside 0..{n_classes - 1} "
                        f"(n_classes is {n_classes})")
    if x.dim() == 0 or x.shape[0] != y.shape[0]:
        problems.append(f"{name}.x holds {x.shape[0] if x.dim() else 0} samples but {name}.y "
                        f"{y.shape[0] if y.dim() else 0} labels")
    return problems


def data_problems(data: Any) -> list[str]:
    """What is wrong with the splits, labels and shapes ``load`` returned."""
    if not isinstance(data, DomainData):
        return [f"load() returned {_describe(data)}, not a DomainData"]
    problems = []
    if not isinstance(data.n_classes, int) or data.n_classes < 2:
        problems.append(f"n_classes must be an integer of at least 2; got {data.n_classes!r}")
    shape = data.input_shape
    if not isinstance(shape, (tuple, list)) or not shape or not all(isinstance(s, int) and s > 0 for s in shape):
        problems.append(f"input_shape must be a tuple of positive ints, the shape of ONE model input; got {shape!r}")
    problems += _split_problems("train", data.train, data.n_classes)
    problems += _split_problems("test", data.test, data.n_classes)
    if not problems and data.train.x.shape[1:] != data.test.x.shape[1:]:
        problems.append(f"train samples are shaped {tuple(data.train.x.shape[1:])} but test samples "
                        f"{tuple(data.test.x.shape[1:])}")
    if data.class_names is not None and len(data.class_names) != data.n_classes:
        problems.append(f"class_names has {len(data.class_names)} names for {data.n_classes} classes")
    return problems


def _where(error: BaseException) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"{frame.filename}:{frame.lineno}"


def view_problems(domain: Domain, data: DomainData, device: torch.device,
                  mixer_dims: Mapping[str, int] | None = None) -> list[str]:
    """Run ``preprocess`` and ``augment`` on a few stored samples and compare with ``input_shape``."""
    x = data.train.x[:CHECK_BATCH].to(device)
    n, expected = x.shape[0], tuple(data.input_shape)
    rng = Rng.from_seed(CHECK_SEED, device)
    problems = []
    views = {"preprocess(x)": lambda: domain.preprocess(x), "augment(x, rng)": lambda: domain.augment(x, rng)}
    for what, make in views.items():
        try:
            view = make()
        except UserError:
            raise
        except Exception as error:
            problems.append(f"{what} raised {type(error).__name__}: {error} (at {_where(error)}) on a batch of "
                            f"{n} stored samples shaped {tuple(x.shape)}")
            continue
        if not isinstance(view, Tensor):
            problems.append(f"{what} returned {_describe(view)}, not a tensor")
        elif view.shape[0] != n:
            problems.append(f"{what} returned {view.shape[0]} samples for a batch of {n}; "
                            "it must make one view per sample")
        elif tuple(view.shape[1:]) != expected:
            problems.append(f"{what} returned samples shaped {tuple(view.shape[1:])}, but load() declared "
                            f"input_shape {expected}; one of the two is wrong")
        elif not view.is_floating_point() and (domain.input_mixable or view.dtype not in INTEGER_IDS):
            problems.append(f"{what} returned dtype {view.dtype}; model inputs must be floating point"
                            + ("" if domain.input_mixable else " or integer ids (torch.long or torch.int32)"))
        elif view.device != x.device:
            problems.append(f"{what} moved the batch from {x.device} to {view.device}; "
                            "views stay on the batch's device")
        elif not bool(torch.isfinite(view).all()):
            problems.append(f"{what} returned NaN or infinite values")
    if not problems:
        problems += global_generator_problems(domain, x)
    for name in domain.mixers:  # the host says how many dimensions a sample needs for each of its mixers
        needed = (mixer_dims or {}).get(name, 1)
        if len(expected) < needed:
            problems.append(f"mixers offer {name}, which needs inputs shaped (channels, length, ...); "
                            f"input_shape is {expected}")
    return problems


def global_generator_problems(domain: Domain, x: Tensor) -> list[str]:
    """Views must come from the ``rng`` they are given: a view drawn from torch's, numpy's or
    Python's global generator shares its stream with weight initialisation, is not restored on
    resume, and is the same on every process under torchrun. Two calls with the same ``rng`` but
    different global seeds must agree. The global state is restored, so training is unchanged."""
    saved = (torch.get_rng_state(), np.random.get_state(), random.getstate(),
             torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None)
    try:
        views = []
        for global_seed in (1, 2):
            torch.manual_seed(global_seed)
            np.random.seed(global_seed)
            random.seed(global_seed)
            views.append(domain.augment(x, Rng.from_seed(CHECK_SEED, x.device)))
    finally:
        torch.set_rng_state(saved[0])
        np.random.set_state(saved[1])
        random.setstate(saved[2])
        if saved[3] is not None:
            torch.cuda.set_rng_state_all(saved[3])
    # a tolerance, not equality: some GPU kernels sum in a varying order
    if torch.allclose(views[0], views[1], rtol=1e-4, atol=1e-4):
        return []
    return ["augment(x, rng) gave other views for the same rng once the global random seed changed: it draws "
            "from torch's, numpy's or Python's global generator; draw from rng.torch (generator=rng.torch) or "
            "rng.numpy instead"]


def check_adapter(domain: Domain, data: DomainData, device: torch.device,
                  mixer_dims: Mapping[str, int] | None = None) -> None:
    """Raise UserError naming the adapter if its data or views break the contract.

    ``mixer_dims``: the least number of dimensions of one sample each of the host's mixers needs.
    """
    label = adapter_label(domain)
    _fail(label, data_problems(data))
    _fail(label, view_problems(domain, data, device, mixer_dims))
