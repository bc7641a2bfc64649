"""Speech Commands (Warden 2018) as the 12-class keyword task: the official i-Mix protocol or a balanced one.

Split out of ``speech_sources``; returns the same ``ClipSet``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bench.core.errors import UserError
from bench.core.log import logger

from .audio_io import SAMPLE_RATE, audio_files, read_long, to_int16
from .speech_sources import ClipSet, decode

SC_KEYWORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
SC_VERSIONS = ("0.01", "0.02")
SC_SUBSET_SEED = 0  # fixed: every run seed sees the same unknown/silence selection


def speechcommands_folder(path: str | None, root: str, version: str) -> Path:
    """--data, else torchaudio's layout under --data-root (downloading when the network allows)."""
    name = f"speech_commands_v{version}"
    folder = Path(path).expanduser() if path else Path(root) / "SpeechCommands" / name
    if (folder / "testing_list.txt").is_file():
        return folder
    reason = f"--data {path} has no testing_list.txt" if path else ""
    if path is None:
        try:  # torchaudio extracts {root}/{name}.tar.gz if it is there, else downloads it
            from torchaudio.datasets import SPEECHCOMMANDS

            SPEECHCOMMANDS(root, url=name, download=True)
        except Exception as error:  # no network, disk full, a partial archive...
            reason = f"the download failed: {error}"
        if (folder / "testing_list.txt").is_file():
            return folder
    raise UserError(
        f"Speech Commands v{version} not found at {folder} (it needs testing_list.txt, validation_list.txt "
        f"and one folder per word); {reason}. On a machine with network access get "
        f"http://download.tensorflow.org/data/{name}.tar.gz (about {'1.4' if version == '0.01' else '2.3'} GB) "
        f"and put it at {Path(root) / (name + '.tar.gz')} (it is extracted on the next run), or extract it "
        "yourself and pass --data FOLDER."
    )


def silence_clips(noise: list[torch.Tensor], count: int, rng: np.random.Generator) -> torch.Tensor:
    """'Silence' examples: 1 s cut at random from the background recordings, at a random volume."""
    if count == 0 or not noise:
        return torch.zeros(count, SAMPLE_RATE, dtype=torch.int16)
    clips = []
    for _ in range(count):
        recording = noise[int(rng.integers(len(noise)))]
        start = int(rng.integers(recording.numel() - SAMPLE_RATE + 1))
        clips.append(recording[start:start + SAMPLE_RATE] * float(rng.uniform(0.0, 1.0)))
    return to_int16(torch.stack(clips))


SC_PROTOCOLS = ("official", "balanced")
SC_SILENCE_PERCENTAGE = 0.1  # the official SpeechCommandsDataset default


def sc_listing(folder: Path, words: list[str], testing: set[str], validation: set[str]
               ) -> dict[str, tuple[list[tuple[Path, int]], list[Path]]]:
    """Per split, (keyword files with their class, other-word files); validation clips in neither."""
    listing: dict[str, tuple[list[tuple[Path, int]], list[Path]]] = {"train": ([], []), "test": ([], [])}
    for word in words:
        for file in audio_files(folder / word):
            relative = f"{word}/{file.name}"
            part = "test" if relative in testing else None if relative in validation else "train"
            if part is None:
                continue
            known, unknown = listing[part]
            if word in SC_KEYWORDS:
                known.append((file, SC_KEYWORDS.index(word)))
            else:
                unknown.append(file)
    return listing


def official_silence_count(n_train_clips: int, percentage: float = SC_SILENCE_PERCENTAGE) -> int:
    """``int(len(data) * silence_percentage)``: 10% of the training clips of every word (keywords and
    unknown together, before silence is added), truncated, as the official dataset class counts."""
    return int(n_train_clips * percentage)


def speechcommands(path: str | None, root: str, version: str, protocol: str = "official") -> ClipSet:
    """The 12-class keyword protocol on the official validation/testing lists (validation clips are
    left out of both splits): ten keywords, 'unknown' and 'silence'.

    official (the i-Mix code's SpeechCommandsDataset): every non-keyword word is 'unknown', none
    dropped; 'silence' is only in training, as all-zero clips numbering 10% of the training clips;
    the test set is testing_list.txt as it is. balanced: 'unknown' subsampled to the size of an
    average keyword class and as many 'silence' clips cut from _background_noise_, in both splits.
    """
    if protocol not in SC_PROTOCOLS:
        raise UserError(f"--sc-protocol {protocol!r} is not one of {', '.join(SC_PROTOCOLS)}.")
    folder = speechcommands_folder(path, root, version)
    read_list = lambda name: {line.strip() for line in (folder / name).read_text().splitlines() if line.strip()}
    testing, validation = read_list("testing_list.txt"), read_list("validation_list.txt")
    words = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_"))
    missing = [w for w in SC_KEYWORDS if w not in words]
    if missing:
        raise UserError(f"{folder} lacks the keyword folders {', '.join(missing)}; is it Speech Commands?")
    class_names = list(SC_KEYWORDS) + ["_unknown_", "_silence_"]
    unknown_label, silence_label = len(SC_KEYWORDS), len(SC_KEYWORDS) + 1
    noise = read_long(audio_files(folder / "_background_noise_")) if (folder / "_background_noise_").is_dir() else []
    rng = np.random.default_rng(SC_SUBSET_SEED)
    listing = sc_listing(folder, words, testing, validation)
    splits = {}
    counts = {}
    for part in ("train", "test"):
        known, unknown = listing[part]
        per_class = max(1, round(len(known) / len(SC_KEYWORDS)))
        if protocol == "balanced":
            unknown = [unknown[i] for i in sorted(rng.permutation(len(unknown))[:per_class])]
        files = [f for f, _ in known] + unknown
        labels = [c for _, c in known] + [unknown_label] * len(unknown)
        x, y, skipped = decode(files, labels, 1.0, "Speech Commands clips")
        if protocol == "balanced":
            silence = silence_clips(noise, per_class if noise else 0, rng)
        else:  # counted on the clips actually read (the same as the files when none is unreadable)
            silence = torch.zeros(official_silence_count(len(y)) if part == "train" else 0, SAMPLE_RATE,
                                  dtype=torch.int16)
        x = torch.cat([x, silence])
        y = torch.cat([y, torch.full((len(silence),), silence_label, dtype=torch.long)])
        splits[part] = (x, y, skipped)
        counts[part] = {"keywords": int((y < unknown_label).sum()), "unknown": int((y == unknown_label).sum()),
                        "silence": len(silence)}
    if not noise:
        logger.warning("%s has no _background_noise_ recordings: %saugmentation uses synthetic coloured noise",
                       folder, "no 'silence' examples, and " if protocol == "balanced" else "")
    described = ("12 classes: 10 keywords, every other word as unknown, all-zero silence (10% of the "
                 "training clips, training only)" if protocol == "official" else
                 "12 classes: 10 keywords, unknown subsampled and noise-cut silence (one keyword class's "
                 "size each, both splits)")
    return ClipSet(
        splits["train"][0], splits["train"][1], splits["test"][0], splits["test"][1], class_names,
        info={"source": str(folder), "version": version, "sc_protocol": protocol, "protocol": described,
              "test_split": "official testing_list.txt (validation_list.txt clips unused)", "counts": counts,
              "skipped_files": [str(p) for p in splits["train"][2] + splits["test"][2]]},
        noise=noise,
    )
