"""Tabular vectors: the domain where augmentation is hardest and i-Mix matters most.

No augmentation is needed: the two views are the same standardised row, optionally with
input dropout (``--inputdrop``), and i-Mix supplies the training signal. CutMix is not
offered: neighbouring columns of a table are not correlated.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from bench.errors import UserError
from bench.rng import Rng

from .base import DataRequest, Domain, DomainData, Split
from .table_encoding import encode_table
from .hf_source import DESCRIPTION as HF_DESCRIPTION, add_hf_arguments
from .table_sources import HIGGS_SUBSETS, covtype_table, csv_table, hf_table, higgs_table

EMBEDDED_SPLIT_SEED = 0  # fixed, so every run seed of the embedded set sees the same split


def digits_table() -> DomainData:
    """UCI Optical Recognition of Handwritten Digits, as bundled with scikit-learn."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=EMBEDDED_SPLIT_SEED, stratify=y
    )
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6  # corner pixels are constant
    as_split = lambda a, b: Split(torch.tensor((a - mean) / std, dtype=torch.float32), torch.tensor(b))
    return DomainData(
        dataset="digits", train=as_split(x_train, y_train), test=as_split(x_test, y_test),
        n_classes=10, input_shape=(64,), class_names=[str(i) for i in range(10)],
        info={"source": "sklearn.datasets.load_digits",
              "test_split": f"stratified 25% (seed {EMBEDDED_SPLIT_SEED})"},
    )


class TabularDomain(Domain):
    name = "tabular"
    summary = "vectors from tables; no augmentation needed; MLP encoders"
    datasets = {
        "digits": "embedded: UCI optical digits (64 pixel-count features, 1,797 rows, 10 classes), "
                  "bundled with scikit-learn; no download",
        "covtype": "Forest CoverType, the paper's split: first 15,120 rows train, ~566k test "
                   "(download, or --data covtype.data.gz)",
        "higgs": "UCI HIGGS, 10.5M train / last 500k test (download, or --data HIGGS.csv.gz)",
        "higgs100k": "HIGGS with the official 100k-row training subset (numpy RandomState(1))",
        "higgs1m": "HIGGS with a 1M-row training subset drawn the same way (the official code's "
                   "higgs1M trains on all rows: use higgs)",
        "csv": "any CSV/Parquet table: --data PATH --label COLUMN [--test-data PATH | --test-last N]",
        "hf": HF_DESCRIPTION + "; --label, --feature-columns (default: every scalar column)",
    }
    default_encoder = "mlp"
    mixers = ("mixup",)
    raw_probe = True

    @classmethod
    def add_arguments(cls, group: argparse._ArgumentGroup) -> None:
        group.add_argument("--label", help="label column of a csv table: a name, or a 0-based position")
        group.add_argument("--no-header", dest="header", action="store_false",
                           help="the csv table has no header row; columns are named 0, 1, ...")
        group.add_argument("--test-data", help="a second table to use as the test split")
        group.add_argument("--test-last", type=int, help="use the last N rows as the test split")
        group.add_argument("--test-size", type=float, default=0.2,
                           help="seeded stratified test fraction when neither of the above is given")
        group.add_argument("--higgs-features", choices=("low", "all"), default="all",
                           help="HIGGS: the 21 low-level features or all 28")
        group.add_argument("--inputdrop", type=float, default=None,
                           help="probability of zeroing each input of a view, as the official code's "
                                "--inputdrop (CoverType: only its 10 continuous columns)")
        add_hf_arguments(group, ("features",))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.inputdrop = float(options.get("inputdrop") or 0.0)
        if not 0 <= self.inputdrop < 1:
            raise UserError(f"--inputdrop must be in [0, 1), got {self.inputdrop}")
        self.drop_columns: int | None = None  # None: every column; CoverType: the first 10

    def defaults(self, dataset: str) -> dict[str, Any]:
        # The official tabular settings (run.sh): batch 512, temperature 0.1. Smaller tables get
        # smaller batches so an epoch still has a few steps.
        # The embedded digits: temperature 0.5 and input dropout 0.2 (option_defaults), chosen on a
        # validation split so that the main command's pretraining beats the untrained encoder and
        # the raw-input probe (results/main-command/).
        small = dataset == "digits"
        return {"temperature": 0.5 if small else 0.1, "batch_size": 256 if small else 512,
                "epochs": 100 if small else 50}

    @classmethod
    def option_defaults(cls, dataset: str) -> dict[str, Any]:
        return {"inputdrop": 0.2 if dataset == "digits" else 0.0}

    def load(self, request: DataRequest) -> DomainData:
        o = self.options
        if request.dataset == "digits":
            return digits_table()
        if request.dataset == "covtype":
            table, passthrough = covtype_table(request.path, request.root), list(range(10, 54))
        elif request.dataset == "hf":
            (table, hf_name), passthrough = hf_table(request.path, o), []
        elif request.dataset in HIGGS_SUBSETS:
            table = higgs_table(request.dataset, request.path, request.root, o.get("higgs_features", "all"))
            passthrough = []
        else:
            table = csv_table(
                request.path, o.get("label"), header=o.get("header", True), test_path=o.get("test_data"),
                test_size=o.get("test_size", 0.2), test_last=o.get("test_last"), seed=request.seed,
            )
            passthrough = []
        encoded = encode_table(table, passthrough)
        if request.dataset == "covtype":
            # Columns come out continuous (10), wilderness (4), soil (40): the official encoder's
            # input groups, and its input dropout touches only the continuous ones.
            encoded.info["feature_groups"] = [10, 4, 40]
            self.drop_columns = 10
        # Records of different tables must not be pooled in one table row: name them by file.
        name = f"csv:{Path(request.path).name.split('.')[0]}" if request.dataset == "csv" else request.dataset
        name = hf_name if request.dataset == "hf" else name
        return DomainData(
            dataset=name, train=encoded.train, test=encoded.test,
            n_classes=len(encoded.class_names), input_shape=(encoded.train.x.shape[1],),
            class_names=encoded.class_names, info=encoded.info,
        )

    def augment(self, x: Tensor, rng: Rng) -> Tensor:
        x = x.float()
        if self.inputdrop == 0:
            return x
        n = x.shape[1] if self.drop_columns is None else self.drop_columns
        keep = torch.rand((x.shape[0], n), generator=rng.torch, device=rng.torch.device).to(x.device) >= self.inputdrop
        if n == x.shape[1]:
            return x * keep
        return torch.cat([x[:, :n] * keep, x[:, n:]], dim=1)
