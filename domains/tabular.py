"""Tabular vectors: the domain where augmentation is hardest and i-Mix matters most.

No augmentation is needed: the two views are the same standardised row, optionally with
input dropout (``--inputdrop``), and i-Mix supplies the training signal. CutMix is not
offered: neighbouring columns of a table are not correlated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from bench.core.errors import UserError
from bench.core.rng import Rng

from .base import DataRequest, Domain, DomainData, Split
from .hf_source import DESCRIPTION as HF_DESCRIPTION, hf_options
from .kit import Standardiser, encode_table, labelled_table, stratified_split
from .kit.flags import FILE_FLAGS
from bench.core.options import Option
from .table_sources import HIGGS_SUBSETS, covtype_table, hf_table, higgs_table

EMBEDDED_SPLIT_SEED = 0  # fixed, so every run seed of the embedded set sees the same split


def digits_table() -> DomainData:
    """UCI Optical Recognition of Handwritten Digits, as bundled with scikit-learn."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    train, test, _ = stratified_split(y, 0.25, EMBEDDED_SPLIT_SEED)
    scale = Standardiser.fit(x[train])  # eps: the corner pixels are constant
    as_split = lambda rows: Split(torch.tensor(scale(x[rows]), dtype=torch.float32), torch.tensor(y[rows]))
    return DomainData(
        dataset="digits", train=as_split(train), test=as_split(test),
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

    flags = (*FILE_FLAGS,
             Option("test_last", int, help="csv: the last N rows as the test split (instead of --test-size)"),
             Option("higgs_features", str, "all", "HIGGS: the 21 low-level features or all 28", choices=("low", "all")),
             Option("inputdrop", float, help="probability of zeroing each input of a view, as the official code's "
                    "--inputdrop (CoverType: only its 10 continuous columns; default: 0.2 on digits, else 0)",
                    valid=lambda p: 0 <= p < 1, valid_text="[0, 1)"),
             *hf_options("features"))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.inputdrop = self.options["inputdrop"] or 0.0
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
            (table, hf_name), passthrough = hf_table(request.path, o, request.seed), []
        elif request.dataset in HIGGS_SUBSETS:
            table = higgs_table(request.dataset, request.path, request.root, o["higgs_features"])
            passthrough = []
        else:
            if request.path is None:
                raise UserError("--dataset csv needs --data PATH (a CSV or Parquet file) and --label COLUMN.")
            table = labelled_table(request.path, o, request.seed)
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
        return self.drop_inputs(x.float(), rng)  # tables have no augmentation but input dropout

    def drop_inputs(self, x: Tensor, rng: Rng) -> Tensor:
        if self.inputdrop == 0:
            return x
        n = x.shape[1] if self.drop_columns is None else self.drop_columns
        keep = torch.rand((x.shape[0], n), generator=rng.torch, device=rng.torch.device).to(x.device) >= self.inputdrop
        if n == x.shape[1]:
            return x * keep
        return torch.cat([x[:, :n] * keep, x[:, n:]], dim=1)
