"""Turning a raw table into float vectors, fitted on the training split only.

Numeric columns: missing values get the training median, then z-scores. Categorical
columns (anything non-numeric): one-hot codes with missing as its own category; a
category first seen in the test split encodes as all zeros. scikit-learn does the work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..base import Split
from .labels import encode_labels
from .tables import LabelledTable


@dataclass
class EncodedTable:
    train: Split
    test: Split
    class_names: list[str]
    feature_names: list[str]
    info: dict


def encode_table(table: LabelledTable, passthrough: list | None = None) -> EncodedTable:
    """``passthrough`` columns (e.g. CoverType's binary indicators) are kept as they are."""
    # Text column names throughout: scikit-learn reads integer names as positions.
    label = str(table.label)
    train, test = (frame.rename(columns=str) for frame in (table.train, table.test))
    x_train, x_test = train.drop(columns=[label]), test.drop(columns=[label])
    labels = encode_labels(train[label], test[label])
    y_train, y_test, class_names, keep = labels.train, labels.test, labels.class_names, labels.keep
    x_test = x_test[keep]
    passthrough = [str(c) for c in passthrough or []]
    rest = [c for c in x_train.columns if c not in passthrough]
    numeric = [c for c in rest if pd.api.types.is_numeric_dtype(x_train[c])]
    categorical = [c for c in rest if c not in numeric]
    transformer = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
            ("passthrough", "passthrough", passthrough),
        ],
        sparse_threshold=0.0,
    )
    if categorical:  # missing is a category of its own; codes are compared as text
        x_train, x_test = x_train.copy(), x_test.copy()
        for column in categorical:
            x_train[column] = x_train[column].fillna("<missing>").astype(str)
            x_test[column] = x_test[column].fillna("<missing>").astype(str)
    train_values = transformer.fit_transform(x_train).astype(np.float32)
    test_values = transformer.transform(x_test).astype(np.float32)
    info = dict(table.info, **({"dropped_test_rows_unseen_label": int((~keep).sum())} if not keep.all() else {}),
                numeric_columns=len(numeric), categorical_columns=len(categorical),
                passthrough_columns=len(passthrough), features=train_values.shape[1])
    return EncodedTable(
        Split(torch.tensor(train_values), torch.tensor(y_train)),
        Split(torch.tensor(test_values), torch.tensor(y_test)),
        class_names,
        [str(n) for n in transformer.get_feature_names_out()],
        info,
    )
