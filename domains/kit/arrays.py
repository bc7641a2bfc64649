"""Reading NumPy files: a single array (.npy) or named arrays (.npz), never pickled objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.core.errors import UserError


def read_array(path: str | Path, flag: str = "--data") -> np.ndarray:
    """The array in a .npy file (``flag`` names the file in errors)."""
    if not Path(path).is_file():
        raise UserError(f"{flag} {path}: no such file.")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:  # not a .npy, or an object array that would need pickle
        raise UserError(f"{flag} {path} is not a NumPy array file: {error}") from None


def read_npz(path: str | Path, required: tuple[str, ...], optional_pairs: tuple[tuple[str, str], ...] = (),
             flag: str = "--data") -> dict[str, np.ndarray]:
    """The arrays of an .npz: every name in ``required``; of each optional pair, both or neither."""
    if not Path(path).is_file():
        raise UserError(f"{flag} {path}: no such file.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError) as error:
        raise UserError(f"{flag} {path} is not a NumPy .npz archive: {error}") from None
    missing = [k for k in required if k not in arrays]
    unpaired = [pair for pair in optional_pairs if (pair[0] in arrays) != (pair[1] in arrays)]
    if missing or unpaired:
        wanted = " and ".join(required) + "".join(f" (and optionally {a} and {b})" for a, b in optional_pairs)
        raise UserError(f"{path} must hold arrays named {wanted}; it holds {', '.join(sorted(arrays)) or 'nothing'}.")
    return arrays
