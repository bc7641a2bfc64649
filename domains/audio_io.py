"""Reading audio clips into fixed-length 16 kHz waveforms.

Files are read with soundfile (torchaudio 2.9 has no wav backend of its own) and resampled
with torchaudio.functional.resample. Clips are fitted to the target duration at their own
sample rate first, so that every clip of one rate is resampled in a single batched call
instead of one call per clip.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Sequence

import numpy as np
import torch
import torchaudio.functional as AF

from bench.core.errors import UserError
from bench.core.log import logger

SAMPLE_RATE = 16_000
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".aiff", ".aif")
MAX_UNREADABLE_FRACTION = 0.5  # beyond this a data set is broken, not merely untidy
INT16_SCALE = 32768.0


def read_mono(path: Path | BinaryIO) -> tuple[np.ndarray, int]:
    """The file's samples as float32 in [-1, 1] (channels averaged) and its sample rate; ``path`` may
    also be an open binary file (the encoded bytes of a Hugging Face Audio row)."""
    import soundfile

    samples, rate = soundfile.read(path if hasattr(path, "read") else str(path), dtype="float32", always_2d=True)
    return samples.mean(axis=1), int(rate)


def loudest_window(samples: np.ndarray, length: int) -> np.ndarray:
    """Exactly ``length`` samples: zero-padded evenly on both sides, or, for a longer clip,
    the window with the most energy (a fixed cut could drop the spoken word of a long take)."""
    if len(samples) <= length:
        before = (length - len(samples)) // 2
        return np.pad(samples, (before, length - len(samples) - before))
    energy = np.concatenate([[0.0], np.cumsum(samples.astype(np.float64) ** 2)])
    start = int(np.argmax(energy[length:] - energy[:-length]))
    return samples[start:start + length]


@dataclass
class DecodedClips:
    """Clips that could be read, as int16 waveforms (N, duration * 16 kHz), and which were kept."""

    waveforms: torch.Tensor
    kept: list[int]  # positions in the requested path list
    skipped: list[Path]


def to_int16(waveforms: torch.Tensor) -> torch.Tensor:
    return (waveforms * INT16_SCALE).round().clamp(-32768, 32767).to(torch.int16)


def read_clips(paths: Sequence[Path], seconds: float = 1.0, what: str = "audio files") -> DecodedClips:
    """Read, fit to ``seconds`` and resample every clip to 16 kHz.

    An unreadable file is skipped with a warning naming it; when more than half the files
    are unreadable the data itself is wrong and a UserError says so.
    """
    by_rate: dict[int, list[tuple[int, np.ndarray]]] = defaultdict(list)
    skipped: list[Path] = []
    for position, path in enumerate(paths):
        try:
            samples, rate = read_mono(path)
            if samples.size == 0:
                raise ValueError("no samples")
        except Exception as error:  # soundfile raises RuntimeError/LibsndfileError/ValueError
            skipped.append(path if hasattr(path, "read") else Path(path))
            logger.warning("skipping unreadable audio file %s (%s)", path, error)
            continue
        by_rate[rate].append((position, loudest_window(samples, int(round(seconds * rate)))))
    if paths and len(skipped) > MAX_UNREADABLE_FRACTION * len(paths):
        shown = ", ".join(str(p) for p in skipped[:3])
        raise UserError(
            f"{len(skipped)} of {len(paths)} {what} could not be read as audio (for instance {shown}). "
            "Check that the folder holds wav/flac/ogg files and that they are not truncated; "
            "re-extract the archive if they came from one."
        )
    kept: list[int] = []
    chunks: list[torch.Tensor] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torchaudio's deprecation notices
        for rate, items in sorted(by_rate.items()):
            batch = torch.from_numpy(np.stack([samples for _, samples in items]))
            if rate != SAMPLE_RATE:
                batch = AF.resample(batch, rate, SAMPLE_RATE)
            chunks.append(to_int16(batch[:, : int(round(seconds * SAMPLE_RATE))]))
            kept.extend(position for position, _ in items)
    length = int(round(seconds * SAMPLE_RATE))
    waveforms = torch.cat(chunks) if chunks else torch.zeros(0, length, dtype=torch.int16)
    order = torch.as_tensor(np.argsort(kept, kind="stable"), dtype=torch.long)
    return DecodedClips(waveforms[order], sorted(kept), skipped)


def read_long(paths: Sequence[Path]) -> list[torch.Tensor]:
    """Whole recordings (background noise) as float32 16 kHz tensors; unreadable ones skipped."""
    recordings = []
    for path in paths:
        try:
            samples, rate = read_mono(path)
        except Exception as error:
            logger.warning("skipping unreadable noise file %s (%s)", path, error)
            continue
        wave = torch.from_numpy(samples)
        if rate != SAMPLE_RATE:
            wave = AF.resample(wave, rate, SAMPLE_RATE)
        if wave.numel() >= SAMPLE_RATE:
            recordings.append(wave)
    return recordings


def audio_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
