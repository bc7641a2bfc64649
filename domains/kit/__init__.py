"""A small kit for adapters that read files: each piece is one idea, with one meaning in every domain.

* ``labelled_table``: a table file split into train and test by the file flags (``kit.flags``),
  from ``read_table`` (CSV, TSV, Parquet), ``label_column`` (by name or position; ``label`` by
  default) and ``drop_missing_labels``; ``read_array`` and ``read_npz`` for NumPy files;
* ``encode_labels``: class indices in sorted label order, fitted on the training split;
* ``stratified_split``: a seeded held-out fraction of every class;
* ``Standardiser``: z-scores with statistics of the training split only;
* ``encode_table``: a mixed table as float vectors (median-imputed z-scores, one-hot categories),
  fitted on the training split only;
* ``cached``: a file built once and written atomically (complete or absent).

The tabular and signals domains are built on it; ``docs/adding-a-domain.md`` shows how to use it.
"""

from __future__ import annotations

from .arrays import read_array, read_npz
from .cache import cached
from .encoding import encode_table
from .labels import EncodedLabels, encode_labels
from .scaling import Standardiser
from .split import stratified_split
from .tables import LabelledTable, drop_missing_labels, label_column, labelled_table, read_table

__all__ = ["EncodedLabels", "LabelledTable", "Standardiser", "cached", "drop_missing_labels", "encode_labels", "encode_table",
           "label_column", "labelled_table", "read_array", "read_npz", "read_table", "stratified_split"]
