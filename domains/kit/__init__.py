"""A small kit for adapters that read files: each piece is one idea, with one meaning in every domain.

* ``labelled_table``: a table file split into train and test by the file flags (``kit.flags``),
  from ``read_table`` (CSV, TSV, Parquet) and ``split_table``, the one rule of every table whichever
  loader read it (``drop_row_index``, ``label_column`` by name or position, ``drop_missing_labels``,
  the split); ``read_array`` and ``read_npz`` for NumPy files;
* ``encode_labels``: class indices in sorted label order, fitted on the training split;
* ``stratified_split``: a seeded held-out fraction of every class (seeded by ``split_seed``);
* ``Standardiser``: z-scores with statistics of the training split only;
* ``encode_table``: a mixed table as float vectors (median-imputed z-scores, one-hot categories),
  fitted on the training split only;
* ``cached``: a file built once and written atomically (complete or absent);
* ``content_fingerprint``: the digest of a data set every record stores (``data_fingerprint``).

The tabular and signals domains are built on it; ``docs/adding-a-domain.md`` shows how to use it.
"""

from __future__ import annotations

from .arrays import read_array, read_npz
from .cache import cached
from .encoding import encode_table
from .fingerprint import content_fingerprint
from .labels import EncodedLabels, encode_labels
from .scaling import Standardiser
from .split import split_seed, stratified_split
from .tables import (CSV_READ, LabelledTable, drop_missing_labels, drop_row_index, label_column, labelled_table,
                     read_table, split_table)

__all__ = ["CSV_READ", "EncodedLabels", "LabelledTable", "Standardiser", "cached", "content_fingerprint", "drop_missing_labels", "drop_row_index",
           "encode_labels", "encode_table", "label_column", "labelled_table", "read_array", "read_npz", "read_table",
           "split_seed", "split_table", "stratified_split"]
