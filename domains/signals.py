"""1-D signals: MNIST-1D, or any fixed-length sequences from .npy/.npz arrays or a CSV.

Samples are stored standardised, shaped (channels, length); views are random crops
stretched back to full length, circular shifts, amplitude scaling, additive noise and,
optionally, a masked time window, each drawn per sample. Neighbouring time steps are
correlated, so CutMix (a time window from another signal) is offered beside MixUp.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import torch
from torch import Tensor

from bench.errors import UserError
from bench.rng import Rng

from . import signal_augment as aug
from .base import DataRequest, Domain, DomainData, Split
from .hf_source import DESCRIPTION as HF_DESCRIPTION, add_hf_arguments
from .signal_sources import MNIST1D_DEFAULT_SAMPLES, SignalArrays, array_files, csv_signals, hf_signals, mnist1d_arrays


def encode_labels(train: np.ndarray, test: np.ndarray) -> tuple[Tensor, Tensor, list[str]]:
    """Class indices in sorted order of the training labels; a test label unseen in training is an error."""
    classes = np.unique(train)
    unseen = np.setdiff1d(np.unique(test), classes)
    if len(unseen):
        raise UserError(f"the test split holds labels the training split lacks: {unseen[:5].tolist()}.")
    code = lambda y: torch.as_tensor(np.searchsorted(classes, y), dtype=torch.long)
    return code(train), code(test), [str(c) for c in classes]


def split_off_test(arrays: SignalArrays, fraction: float, seed: int) -> SignalArrays:
    """A seeded, stratified test split for sources that do not fix one."""
    from sklearn.model_selection import train_test_split

    if not 0 < fraction < 1:
        raise UserError(f"--test-size must be in (0, 1), got {fraction}.")
    x, x_test, y, y_test = train_test_split(arrays.x, arrays.y, test_size=fraction, random_state=seed,
                                            stratify=arrays.y)
    info = {**arrays.info, "test_split": f"stratified {fraction:g} (seed {seed})"}
    return SignalArrays(x, y, x_test, y_test, info)


def standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zero mean, unit variance per channel, with statistics of the training split only."""
    mean = train.mean(axis=(0, 2), keepdims=True)
    std = train.std(axis=(0, 2), keepdims=True) + 1e-6
    return (train - mean) / std, (test - mean) / std


class SignalsDomain(Domain):
    name = "signals"
    summary = "1-D signals (channels, length); crop/shift/scale/jitter views; 1-D CNN"
    datasets = {
        "mnist1d": f"MNIST-1D (Greydanus 2020), generated offline by the mnist1d package: length 40, "
                   f"10 classes, 4,000 train / 1,000 test (--num-samples, default {MNIST1D_DEFAULT_SAMPLES})",
        "arrays": "your signals: --data FILE.npz (arrays x, y[, x_test, y_test]) or --data X.npy --labels Y.npy; "
                  "(N, length) or (N, channels, length)",
        "csv": "your signals: --data FILE.csv, one row per sequence, --label COLUMN, --channels K",
        "hf": HF_DESCRIPTION + "; --signal-column (a list column), --label",
    }
    default_encoder = "cnn1d"
    mixers = ("mixup", "cutmix")
    raw_probe = True

    @classmethod
    def add_arguments(cls, group: argparse._ArgumentGroup) -> None:
        group.add_argument("--num-samples", type=int, default=MNIST1D_DEFAULT_SAMPLES,
                           help="MNIST-1D: sequences to generate, 80%% train / 20%% test")
        group.add_argument("--labels", help="arrays: the labels (.npy) of --data X.npy")
        group.add_argument("--label", help="csv: label column, a name or a 0-based position (default 'label')")
        group.add_argument("--no-header", dest="header", action="store_false", help="csv: no header row")
        group.add_argument("--channels", type=int, default=1,
                           help="csv: channels per row (values run channel after channel)")
        group.add_argument("--layout", choices=("ncl", "nlc"), default="ncl",
                           help="arrays: 3-D arrays are (N, channels, length) or (N, length, channels)")
        group.add_argument("--test-data", help="arrays/csv: a second file of the same kind as the test split")
        group.add_argument("--test-labels", help="arrays: the labels (.npy) of --test-data X.npy")
        group.add_argument("--test-size", type=float, default=0.2,
                           help="arrays/csv: seeded stratified test fraction when the data has no test split")
        group.add_argument("--no-standardize", dest="standardize", action="store_false",
                           help="arrays/csv: keep the values as stored (default: per-channel z-scores)")
        group.add_argument("--crop", type=float, default=0.7,
                           help="views keep a random window of at least this fraction of the length, stretched back")
        group.add_argument("--shift", type=float, default=0.2,
                           help="views shift circularly by up to this fraction of the length")
        group.add_argument("--scaling", type=float, default=0.2, help="views scale amplitude by U(1-s, 1+s)")
        group.add_argument("--jitter", type=float, default=0.05, help="std of noise added to views (z-score units)")
        group.add_argument("--time-mask", type=float, default=0.0,
                           help="views zero a random window of up to this fraction of the length (0: off)")
        add_hf_arguments(group, ("signal",))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.crop = float(options.get("crop", 0.7))
        self.shift = float(options.get("shift", 0.2))
        self.scaling = float(options.get("scaling", 0.2))
        self.jitter = float(options.get("jitter", 0.05))
        self.time_mask = float(options.get("time_mask", 0.0))
        ranges = {"--crop": (self.crop, 0 < self.crop <= 1, "(0, 1]"),
                  "--shift": (self.shift, 0 <= self.shift < 1, "[0, 1)"),
                  "--scaling": (self.scaling, 0 <= self.scaling < 1, "[0, 1)"),
                  "--jitter": (self.jitter, self.jitter >= 0, "[0, inf)"),
                  "--time-mask": (self.time_mask, 0 <= self.time_mask < 1, "[0, 1)")}
        for flag, (value, ok, valid) in ranges.items():
            if not ok:
                raise UserError(f"{flag} must be in {valid}, got {value:g}; "
                                "see `python -m bench run --domain signals --help`.")

    def defaults(self, dataset: str) -> dict[str, Any]:
        return {"batch_size": 256, "epochs": 30, "temperature": 0.2, "optimizer": "adamw", "lr": 1e-3,
                "weight_decay": 1e-4}

    def read(self, dataset: str, path: str | None, test: bool) -> SignalArrays:
        """One user file of the csv or arrays dataset: the training file (--data) or the test file (--test-data)."""
        o = self.options
        if dataset == "csv":
            return csv_signals(path, o.get("label"), o.get("header", True), o.get("channels", 1))
        labels, flag = (o.get("test_labels"), "--test-data") if test else (o.get("labels"), "--data")
        return array_files(path, labels, o.get("layout", "ncl"), flag)

    def arrays(self, request: DataRequest) -> SignalArrays:
        """The source's arrays, with a test split: its own, --test-data, or a seeded fraction."""
        o = self.options
        if request.dataset == "mnist1d":
            return mnist1d_arrays(o.get("num_samples", MNIST1D_DEFAULT_SAMPLES), request.root)
        if request.dataset == "hf":
            arrays, self.hf_name = hf_signals(request.path, o)
            return arrays
        arrays = self.read(request.dataset, request.path, test=False)
        if o.get("test_data") and arrays.x_test is None:
            test = self.read(request.dataset, o["test_data"], test=True)
            arrays = SignalArrays(arrays.x, arrays.y, test.x, test.y, {**arrays.info, "test_data": o["test_data"]})
        return arrays if arrays.x_test is not None else split_off_test(arrays, o.get("test_size", 0.2), request.seed)

    def load(self, request: DataRequest) -> DomainData:
        arrays = self.arrays(request)
        if arrays.x.shape[1:] != arrays.x_test.shape[1:]:
            raise UserError(f"train signals are shaped {arrays.x.shape[1:]} but test signals "
                            f"{arrays.x_test.shape[1:]}; both need the same channels and length.")
        for what, x in (("train", arrays.x), ("test", arrays.x_test)):
            if not np.isfinite(x).all():
                raise UserError(f"the {what} signals hold {int((~np.isfinite(x)).sum())} NaN or infinite values; "
                                "fill or drop them first.")
        x, x_test = arrays.x, arrays.x_test
        if request.dataset != "mnist1d" and self.options.get("standardize", True):
            x, x_test = standardise(x, x_test)
        y, y_test, class_names = encode_labels(arrays.y, arrays.y_test)
        return DomainData(
            dataset=getattr(self, "hf_name", None) if request.dataset == "hf" else request.dataset,
            train=Split(torch.as_tensor(x), y), test=Split(torch.as_tensor(x_test), y_test),
            n_classes=len(class_names), input_shape=tuple(x.shape[1:]), class_names=class_names, info=arrays.info,
        )

    def augment(self, x: Tensor, rng: Rng) -> Tensor:
        g, length = rng.torch, x.shape[-1]
        x = aug.crop_resize(x.float(), self.crop, g)
        x = aug.shift(x, int(round(self.shift * length)), g)
        x = aug.scale(x, self.scaling, g)
        x = aug.jitter(x, self.jitter, g)
        return aug.time_mask(x, self.time_mask, g)
