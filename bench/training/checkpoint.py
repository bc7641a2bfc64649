"""Checkpoint files: written atomically, read back with a clear message when they do not fit.

A checkpoint is written to a temporary file in the same folder, flushed to disk, then renamed
over the old one (``os.replace`` is atomic on POSIX and Windows). A crash or a full disk while
writing therefore leaves the previous checkpoint intact and never a half-written file under
the checkpoint's name.

Each run has its own file, named by the digest of what it measures (``config_key``), so one
``--checkpoint-dir`` serves a whole suite and ``--resume`` can always be passed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from bench.core.atomic import atomic_write, temporary_pattern
from bench.core.errors import UserError

FORMAT = 1


def checkpoint_path(folder: str | Path, key: str) -> Path:
    return Path(folder) / f"run-{key}.pt"


def save_atomic(payload: dict[str, Any], path: Path) -> None:
    """torch.save to a temporary name beside ``path``, fsync, then rename over ``path``."""
    for stale in path.parent.glob(temporary_pattern(path)):  # left by a process killed while writing
        stale.unlink(missing_ok=True)
    with atomic_write(path) as file:
        torch.save(payload, file)


def save_checkpoint(path: Path, key: str, epoch: int, state: dict[str, Any]) -> None:
    save_atomic({"format": FORMAT, "config_key": key, "epoch": epoch, "state": state}, path)


def load_checkpoint(path: Path, key: str) -> dict[str, Any] | None:
    """The payload saved at ``path`` for the run with config digest ``key``; None if there is none.

    Raises UserError for a file that cannot be read or belongs to another run.
    """
    if not path.exists():
        return None
    try:
        # weights_only: the unpickler builds only tensors, numbers, strings, lists and dicts, so a
        # crafted file cannot run code (the checkpoint key is a predictable digest of the settings)
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated, not a torch file, foreign objects, an incompatible version
        raise UserError(
            f"the checkpoint {path} cannot be read ({load_failure(error)}); it is damaged, or holds objects other "
            "than tensors, numbers, strings, lists and dicts, which are never unpickled. Delete it to start "
            "this run from scratch, or drop --resume, or pass another --checkpoint-dir.") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise UserError(f"{path} is not an imix-bench checkpoint of format {FORMAT}. Delete it, drop --resume, "
                        "or pass another --checkpoint-dir.")
    if payload.get("config_key") != key:
        raise UserError(
            f"the checkpoint {path} was written by a run with other settings (config key "
            f"{payload.get('config_key')}, this run's is {key}). Use another --checkpoint-dir or drop --resume.")
    if not isinstance(payload.get("state"), dict) or not isinstance(payload.get("epoch"), int):
        raise broken_state(path, "it has no training state")
    return payload


def broken_state(path: Path, why: str) -> UserError:
    """The message for a checkpoint whose header fits this run but whose state does not."""
    return UserError(f"the checkpoint {path} has this run's header but its training state cannot be restored "
                     f"({why}). Delete it to start this run from scratch, or drop --resume.")


def load_failure(error: Exception) -> str:
    """torch.load's reason in one line, without its advice to load unsafely."""
    text = str(error)
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1].strip().split("\n\n")[0].split(". ")[0]
    return f"{type(error).__name__}: {' '.join(text.split())[:200]}"
