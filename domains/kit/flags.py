"""The flags of a file-reading adapter, with one meaning in every domain that offers them.

The tabular and signals domains both list ``FILE_FLAGS``; an adapter of your own can too.
Values arrive in ``self.options`` as ``label``, ``header``, ``test_data`` and ``test_size``.
"""

from __future__ import annotations

from bench.core.options import Option

FILE_FLAGS = (
    Option("label", help="the label column of a table: a name, or a 0-based position (-1: the last); "
                         "default: the column named 'label'"),
    Option("header", bool, True, "the table has no header row: its columns are named 0, 1, ... (for --label)",
           flag="--no-header"),
    Option("test_data", help="a second file, read like --data (same kind, same label column), as the test split"),
    Option("test_size", float, 0.2, "the test fraction held out when neither the data nor --test-data gives a "
           "test split: the same fraction of every class that has 2+ rows, drawn with the run's --seed "
           "(--dataset hf: with --split-seed)",
           valid=lambda f: 0 < f < 1, valid_text="(0, 1)"),
)
