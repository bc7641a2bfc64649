"""Reading result records: the robust JSON-lines reader and the ``--where`` filter.

Every reader of results (table, plot, report, suite, the Python API) goes through here, so a
torn line, bytes that are not UTF-8 or a JSON value that is not a record are skipped the same
way everywhere, with one note. How records group into arms is ``bench/results/arms.py``, what the rows
are called ``bench/results/labels.py``; writing them is ``bench/results/append.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from bench.results.labels import dataset_name, record_kind, tell_data_apart
from bench.core.errors import UserError
from bench.core.log import logger

# What every reader (table, plot, suite) relies on; a line without them is not a record.
RECORD_FIELDS = ("domain", "dataset", "method", "imix", "seed", "config", "probe", "knn")


def is_record(value: Any) -> bool:
    """A JSON value with the fields of a result record, its accuracies numbers."""
    if not isinstance(value, dict) or not all(name in value for name in RECORD_FIELDS):
        return False
    accuracies = [value[m].get("accuracy") if isinstance(value[m], dict) else None for m in ("probe", "knn")]
    return (isinstance(value["config"], dict) and all(isinstance(v, str) for v in (value["domain"], value["dataset"],
            value["method"])) and all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in accuracies))


def iter_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every complete record in the file; lines that are not records are skipped with a warning.

    Not records: torn or non-JSON lines, bytes that are not UTF-8, JSON values without the record fields.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"no result records at {path}. Run `python -m bench run ...` first, or pass --results PATH.")
    if path.is_dir():
        raise UserError(f"--results {path} is a folder; give the JSON-lines file inside it.")
    skipped = 0
    try:
        lines = open(path, "rb")
    except OSError as error:
        raise UserError(f"--results {path} cannot be read ({error.strerror or error}).") from None
    with lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                skipped += 1
                continue
            if is_record(record):
                yield record
            else:
                skipped += 1
    if skipped:
        logger.warning("skipped %d unreadable line(s) in %s", skipped, path)


def read_records(path: str | Path, missing_ok: bool = False) -> list[dict[str, Any]]:
    """All complete records; with ``missing_ok`` a file not yet written holds none."""
    if missing_ok and not Path(path).exists():
        return []
    return list(iter_records(path))


def check_where_fields(records: list[dict[str, Any]], where: Sequence[str]) -> None:
    """A --where field that no record has is a typo (`epoch` for `epochs`): name it and the valid fields."""
    fields = {k for r in records for k in r} | {k for r in records if isinstance(r.get("config"), dict)
                                                for k in r["config"]} | {"kind"}
    for clause in where:
        name = clause.partition("=")[0].strip()
        if name and "=" in clause and name not in fields:
            raise UserError(f"--where {clause}: no record has a field {name!r}; valid fields: "
                            f"{', '.join(sorted(fields))}.")


def select(records: Iterable[dict[str, Any]], where: list[str]) -> list[dict[str, Any]]:
    """Records whose field (a record key, or a config key) equals the given value."""
    conditions = []
    for clause in where:
        name, sep, value = clause.partition("=")
        if not sep or not name:
            raise UserError(f"--where {clause!r}: expected FIELD=VALUE, e.g. --where epochs=10.")
        conditions.append((name.strip(), value.strip()))
    return [record for record in records if all(_matches(record, name, value) for name, value in conditions)]


def _matches(record: dict[str, Any], name: str, value: str) -> bool:
    """The record's field (a record key, else a config key) reads as ``value``; kind is same-data where unset."""
    found = record_kind(record) if name == "kind" else record.get(name, record.get("config", {}).get(name))
    text = "" if found is None else str(found).lower() if isinstance(found, bool) else str(found)
    # a row's name (cifar10 (5k)) selects its records as well as the loader's name does
    return text == value or _same_number(text, value) or (name == "dataset" and dataset_name(record) == value)


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def filter_records(records: list[dict[str, Any]], where: Sequence[str]) -> list[dict[str, Any]]:
    """``--where`` applied: an unknown field is named with the valid ones, then the matching records."""
    check_where_fields(records, where)
    return select(records, list(where))


def selected_records(paths: Sequence[str], where: Sequence[str]) -> list[dict[str, Any]]:
    """The records of every file, narrowed by --where; a UserError when nothing is left."""
    from bench.results.shards import distinct_paths, refuse_duplicate_cells

    by_path = {path: read_records(path) for path in distinct_paths(paths)}
    refuse_duplicate_cells(by_path)  # shards of one grid are joined here; a cell in two files is a mistake
    records = tell_data_apart(r for path_records in by_path.values() for r in path_records)
    if not records:
        raise UserError(f"{' '.join(paths)} holds no finished runs yet.")
    chosen = filter_records(records, where)
    if not chosen:
        raise UserError(f"no record matches --where {' '.join(where)} ({len(records)} records read).")
    return chosen
