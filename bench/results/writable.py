"""Where a run writes, checked before it trains, and a fallback so a finished run is never lost.

A results file or checkpoint folder that cannot be written used to be found out only after
training and evaluation (or at the first checkpoint), losing the run. ``check_outputs`` tries
both before anything is trained; ``save_record`` puts a record it cannot append beside the
results file (or under the data root) and says where.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.core.errors import UserError
from bench.results.append import append_record


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _make_folder(folder: Path, flag: str, path: Path) -> None:
    """Create ``folder`` (and its parents) or raise UserError naming ``flag``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UserError(f"{flag} {path}: {folder} is a file, not a folder. Choose a path whose folders "
                        "are folders.") from None
    except OSError as error:
        raise UserError(f"{flag} {path}: cannot create the folder {folder} ({_reason(error)}). Choose a "
                        "writable location.") from None


def check_results_file(path: str | Path) -> None:
    """Raise UserError unless a record can be appended to ``path``; leaves an absent file absent."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"--results {path} is a folder; give a file inside it, e.g. --results {path / 'runs.jsonl'}.")
    _make_folder(path.parent, "--results", path)
    try:
        if path.exists():  # opened for appending, nothing written
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
        else:  # never create and remove the file itself: another run may be appending to it meanwhile
            fd, probe = tempfile.mkstemp(prefix=f".{path.name}.write-check.", dir=path.parent)
            os.close(fd)
            os.unlink(probe)
    except OSError as error:
        raise UserError(f"--results {path} cannot be written ({_reason(error)}); the run would be lost after "
                        "training. Pass a writable --results PATH.") from None


def check_checkpoint_folder(folder: str | Path) -> None:
    """Raise UserError unless a checkpoint can be written into ``folder`` (created if missing)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--checkpoint-dir {folder} is a file, not a folder. Pass a folder.")
    _make_folder(folder, "--checkpoint-dir", folder)
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise UserError(f"--checkpoint-dir {folder} cannot be written ({_reason(error)}). Pass a writable "
                        "folder, or leave --checkpoint-dir out.") from None


def check_outputs(results: str | Path, checkpoint_dir: str | Path | None) -> None:
    """Before training: the record and the checkpoints will have somewhere to go."""
    check_results_file(results)
    if checkpoint_dir is not None:
        check_checkpoint_folder(checkpoint_dir)


def fallback_paths(results: str | Path, data_root: str | Path) -> list[Path]:
    """Where a record goes when ``results`` cannot take it: beside it, else under the data root."""
    results = Path(results)
    return [results.with_name(results.name + ".unsaved.jsonl"), Path(data_root) / "unsaved-records.jsonl"]


def save_record(results: str | Path, record: dict[str, Any], data_root: str | Path) -> None:
    """Append ``record`` to ``results``; failing that, to a fallback file, then raise UserError saying where."""
    try:
        append_record(results, record)
        return
    except OSError as error:
        failure = f"{type(error).__name__}: {_reason(error)}"
    for fallback in fallback_paths(results, data_root):
        try:
            append_record(fallback, record)
        except OSError:
            continue
        raise UserError(
            f"the record could not be appended to {results} ({failure}); it was saved to {fallback} instead. "
            f"Once {results} can be written, move it there: cat {fallback} >> {results}")
    raise UserError(f"the record could not be written to {results} ({failure}) nor to a fallback file; here it "
                    f"is, one JSON line:\n{json.dumps(record, sort_keys=True)}")
