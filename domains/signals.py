"""1-D signals: MNIST-1D, or any fixed-length sequences from .npy/.npz arrays or a CSV.

Samples are stored standardised, shaped (channels, length); views are random crops
stretched back to full length, circular shifts, amplitude scaling, additive noise and,
optionally, a masked time window, each drawn per sample. Neighbouring time steps are
correlated, so CutMix (a time window from another signal) is offered beside MixUp.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from bench.core.errors import UserError
from bench.core.rng import Rng

from . import signal_augment as aug
from .base import DataRequest, Domain, DomainData, Split
from .hf_source import DESCRIPTION as HF_DESCRIPTION, hf_options
from .kit import Standardiser, content_fingerprint, encode_labels, split_seed, stratified_split
from .kit.flags import FILE_FLAGS
from bench.core.options import Option
from .signal_sources import MNIST1D_DEFAULT_SAMPLES, SignalArrays, array_files, csv_signals, hf_signals, mnist1d_arrays


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

    flags = (
        Option("num_samples", int, MNIST1D_DEFAULT_SAMPLES, "MNIST-1D: sequences to generate, 80% train / 20% test"),
        *FILE_FLAGS,
        Option("labels", help="arrays: the labels (.npy) of --data X.npy"),
        Option("test_labels", help="arrays: the labels (.npy) of --test-data X.npy"),
        Option("channels", int, 1, "csv: channels per row (values run channel after channel)"),
        Option("layout", str, "ncl", "arrays: 3-D arrays are (N, channels, length) or (N, length, channels)",
               choices=("ncl", "nlc")),
        Option("standardize", bool, True, "arrays/csv: keep the values as stored (default: per-channel z-scores "
               "fitted on the training split)", flag="--no-standardize"),
        Option("crop", float, 0.7, "views keep a random window of at least this fraction of the length, stretched "
               "back", valid=lambda v: 0 < v <= 1, valid_text="(0, 1]"),
        Option("shift", float, 0.2, "views shift circularly by up to this fraction of the length",
               valid=lambda v: 0 <= v < 1, valid_text="[0, 1)"),
        Option("scaling", float, 0.2, "views scale amplitude by U(1-s, 1+s)", valid=lambda v: 0 <= v < 1,
               valid_text="[0, 1)"),
        Option("jitter", float, 0.05, "std of noise added to views (z-score units)", valid=lambda v: v >= 0,
               valid_text="[0, inf)"),
        Option("time_mask", float, 0.0, "views zero a random window of up to this fraction of the length (0: off)",
               valid=lambda v: 0 <= v < 1, valid_text="[0, 1)"),
        *hf_options("signal"),
    )

    def defaults(self, dataset: str) -> dict[str, Any]:
        return {"batch_size": 256, "epochs": 30, "temperature": 0.2, "optimizer": "adamw", "lr": 1e-3,
                "weight_decay": 1e-4}

    def read(self, dataset: str, path: str | None, test: bool) -> SignalArrays:
        """One user file of the csv or arrays dataset: the training file (--data) or the test file (--test-data)."""
        o = self.options
        if dataset == "csv":
            return csv_signals(path, o["label"], o["header"], o["channels"])
        labels, flag = (o["test_labels"], "--test-data") if test else (o["labels"], "--data")
        return array_files(path, labels, o["layout"], flag)

    def arrays(self, request: DataRequest) -> SignalArrays:
        """The source's arrays, with a test split: its own, --test-data, or a seeded stratified fraction."""
        o = self.options
        if request.dataset == "mnist1d":
            return mnist1d_arrays(o["num_samples"], request.root)
        if request.dataset == "hf":
            arrays, self.hf_name = hf_signals(request.path, o, request.seed)
            return arrays
        arrays = self.read(request.dataset, request.path, test=False)
        if o["test_data"] and arrays.x_test is None:
            test = self.read(request.dataset, o["test_data"], test=True)
            return SignalArrays(arrays.x, arrays.y, test.x, test.y, {**arrays.info, "test_data": o["test_data"]})
        if arrays.x_test is not None:
            return arrays
        rows, test_rows, rule = stratified_split(arrays.y, o["test_size"], split_seed(o, request.seed))
        return SignalArrays(arrays.x[rows], arrays.y[rows], arrays.x[test_rows], arrays.y[test_rows],
                            {**arrays.info, "test_split": rule,
                             "data_fingerprint": content_fingerprint(arrays.x, arrays.y)})  # before the seeded split

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
        if request.dataset != "mnist1d" and self.options["standardize"]:
            scale = Standardiser.fit(x, axes=(0, 2))  # per channel, on the training split
            x, x_test = scale(x), scale(x_test)
        labels = encode_labels(arrays.y, arrays.y_test)
        info = {**arrays.info, **({"dropped_test_rows_unseen_label": labels.dropped} if labels.dropped else {})}
        return DomainData(
            dataset=getattr(self, "hf_name", None) if request.dataset == "hf" else request.dataset,
            train=Split(torch.as_tensor(x), torch.as_tensor(labels.train)),
            test=Split(torch.as_tensor(x_test[labels.keep]), torch.as_tensor(labels.test)),
            n_classes=len(labels.class_names), input_shape=tuple(x.shape[1:]), class_names=labels.class_names, info=info,
        )

    def augment(self, x: Tensor, rng: Rng) -> Tensor:
        g, length, o = rng.torch, x.shape[-1], self.options
        x = aug.crop_resize(x.float(), o["crop"], g)
        x = aug.shift(x, int(round(o["shift"] * length)), g)
        x = aug.scale(x, o["scaling"], g)
        x = aug.jitter(x, o["jitter"], g)
        return aug.time_mask(x, o["time_mask"], g)
