"""Process-wide settings that make CPU training faster without changing any result."""

from __future__ import annotations

import ctypes
import os
import sys

# glibc mallopt parameter numbers (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_ENV = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def tune_allocator() -> bool:
    """Stop glibc from returning every large tensor's memory to the OS and mapping it again.

    By default glibc serves tensors above a few hundred KiB with fresh mmap calls and trims
    the heap eagerly, so every training step pays page faults for its activations; on a small
    CPU that was up to a third of the step time. Setting the same knobs as the
    MALLOC_*_ environment variables, from inside the process, keeps freed memory for reuse.
    Returns whether the settings were applied (glibc on Linux only; user settings win).
    """
    if not sys.platform.startswith("linux") or any(name in os.environ for name in _ENV):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    applied = libc.mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)  # glibc's maximum on 64-bit
    applied &= libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    applied &= libc.mallopt(_M_TOP_PAD, 256 * 1024 * 1024)
    return bool(applied)
