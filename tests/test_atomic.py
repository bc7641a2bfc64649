"""The one atomic write every checkpoint, backbone file, cache and download goes through."""

from __future__ import annotations

import os

import numpy as np
import pytest

from bench.core.atomic import atomic_write


def test_the_file_appears_whole_with_ordinary_permissions(tmp_path):
    path = tmp_path / "new" / "folder" / "cache.npy"
    with atomic_write(path) as file:
        np.save(file, np.arange(3))
    assert np.load(path).tolist() == [0, 1, 2]
    assert [p.name for p in path.parent.iterdir()] == ["cache.npy"]
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's private 0600


def test_an_error_while_writing_keeps_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "runs.txt"
    path.write_text("old")
    with pytest.raises(OSError, match="No space"):
        with atomic_write(path, "w") as file:
            file.write("half of the new")
            raise OSError(28, "No space left on device")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["runs.txt"]
