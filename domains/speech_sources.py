"""Where labelled speech clips come from: FSDD, any audio folder, eSpeak, Hugging Face (Speech
Commands: ``speech_commands``).

Every source returns a ``ClipSet``: int16 waveforms of equal length at 16 kHz (int16 halves
the memory of float32; 65k Speech Commands clips are 2 GB as float32), labels, class names,
provenance, and background-noise recordings where the dataset ships them.
"""

from __future__ import annotations

import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.core.atomic import atomic_write
from bench.core.errors import UserError
from bench.core.log import logger

from .audio_io import SAMPLE_RATE, audio_files, read_clips, to_int16
from .download import fetch


@dataclass
class ClipSet:
    train_x: torch.Tensor  # (N, samples) int16
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    class_names: list[str]
    info: dict[str, Any] = field(default_factory=dict)
    noise: list[torch.Tensor] = field(default_factory=list)  # float32 16 kHz recordings


def decode(paths: list[Path], labels: list[int], seconds: float, what: str) -> tuple[torch.Tensor, torch.Tensor, list[Path]]:
    clips = read_clips(paths, seconds, what)
    y = torch.as_tensor([labels[i] for i in clips.kept], dtype=torch.long)
    return clips.waveforms, y, clips.skipped


# ---------------------------------------------------------------- FSDD

FSDD_URL = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz"
FSDD_NAME = re.compile(r"^(\d)_([A-Za-z]+)_(\d+)$")


def fsdd_folder(path: str | None, root: str) -> Path:
    """--data (the recordings/ folder or its parent), else a copy under --data-root, else download."""
    if path is not None:
        folder = Path(path).expanduser()
        if (folder / "recordings").is_dir():
            folder = folder / "recordings"
        if not folder.is_dir():
            raise UserError(f"--data {path} is not a folder. Point it at FSDD's recordings/ folder "
                            "(files named {digit}_{speaker}_{index}.wav).")
        return folder
    extracted = Path(root) / "fsdd" / "free-spoken-digit-dataset-1.0.10" / "recordings"
    if not extracted.is_dir():
        archive = fetch(FSDD_URL, Path(root) / "fsdd" / "fsdd-v1.0.10.tar.gz",
                        flag_hint="pass --data PATH to a folder of FSDD recordings")
        with tarfile.open(archive) as tar:
            tar.extractall(archive.parent, filter="data")
    return extracted


def fsdd(path: str | None, root: str, split: str, test_speakers: list[str] | None) -> ClipSet:
    """Digits 0-9; 'index' split: takes 0-4 of every speaker and digit are the test set (the
    convention); 'speaker' split: whole speakers held out (by default the last third by name)."""
    folder = fsdd_folder(path, root)
    entries = []
    for file in audio_files(folder):
        match = FSDD_NAME.match(file.stem)
        if match is None:
            logger.warning("skipping %s: not named {digit}_{speaker}_{index}", file)
            continue
        entries.append((file, int(match[1]), match[2], int(match[3])))
    if not entries:
        raise UserError(f"no FSDD recordings ({{digit}}_{{speaker}}_{{index}}.wav) in {folder}.")
    speakers = sorted({speaker for _, _, speaker, _ in entries})
    if split == "speaker":
        held_out = test_speakers or speakers[-max(1, round(len(speakers) / 3)):]
        unknown = sorted(set(held_out) - set(speakers))
        if unknown:
            raise UserError(f"--test-speakers {', '.join(unknown)} not found; speakers in {folder}: {', '.join(speakers)}.")
        if len(held_out) == len(speakers):
            raise UserError("--test-speakers names every speaker; leave at least one for training.")
        is_test = [speaker in held_out for _, _, speaker, _ in entries]
        described = f"speakers {', '.join(held_out)} held out"
    else:
        is_test = [index <= 4 for _, _, _, index in entries]
        described = "recording indices 0-4 of every speaker and digit in test"
    parts = {}
    for test in (False, True):
        chosen = [e for e, t in zip(entries, is_test) if t == test]
        parts[test] = decode([e[0] for e in chosen], [e[1] for e in chosen], 1.0, "FSDD recordings")
    skipped = parts[False][2] + parts[True][2]
    return ClipSet(
        parts[False][0], parts[False][1], parts[True][0], parts[True][1], [str(d) for d in range(10)],
        info={"source": str(folder), "split": split, "test_split": described, "speakers": speakers,
              "skipped_files": [str(p) for p in skipped]},
    )


# ---------------------------------------------------------------- audio folder


def audiofolder(path: str | None, seconds: float, test_size: float, split_seed: int) -> ClipSet:
    """Class subfolders of audio files: ROOT/train/<class>/ and ROOT/test/<class>/, or ROOT/<class>/
    with a seeded stratified test split."""
    if path is None:
        raise UserError("--dataset audiofolder needs --data ROOT, a folder with one subfolder of audio "
                        "files per class (or ROOT/train/<class> and ROOT/test/<class>).")
    root = Path(path).expanduser()
    if not root.is_dir():
        raise UserError(f"--data {path} is not a folder.")

    def classes_of(folder: Path) -> list[str]:
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and audio_files(p))

    if (root / "train").is_dir() and (root / "test").is_dir():
        class_names = classes_of(root / "train")
        listing = {test: [(f, c) for c, name in enumerate(class_names)
                          for f in (audio_files(root / part / name) if (root / part / name).is_dir() else [])]
                   for test, part in ((False, "train"), (True, "test"))}
        extra = sorted(set(classes_of(root / "test")) - set(class_names))
        if extra:
            raise UserError(f"{root / 'test'} has classes with no training folder: {', '.join(extra)}.")
        described = "train/ and test/ folders"
    else:
        class_names = classes_of(root)
        files = [(f, c) for c, name in enumerate(class_names) for f in audio_files(root / name)]
        rng = np.random.default_rng(split_seed)
        test_flags = np.zeros(len(files), dtype=bool)
        labels = np.array([c for _, c in files])
        for c in range(len(class_names)):  # stratified: the same fraction of every class
            members = np.flatnonzero(labels == c)
            n_test = int(round(len(members) * test_size)) if len(members) > 1 else 0
            test_flags[rng.permutation(members)[:n_test]] = True
        listing = {test: [f for f, flag in zip(files, test_flags) if flag == test] for test in (False, True)}
        described = f"seeded stratified {test_size:g} test fraction (split seed {split_seed})"
    if len(class_names) < 2:
        raise UserError(f"{root} needs at least two class subfolders of audio files "
                        f"(found {len(class_names)}: {', '.join(class_names) or 'none'}).")
    if not listing[True]:
        raise UserError(f"{root} gives an empty test split; add files or raise --test-size.")
    parts = {t: decode([f for f, _ in listing[t]], [c for _, c in listing[t]], seconds, "audio files")
             for t in (False, True)}
    return ClipSet(parts[False][0], parts[False][1], parts[True][0], parts[True][1], class_names,
                   info={"source": str(root), "test_split": described,
                         "skipped_files": [str(p) for p in parts[False][2] + parts[True][2]]})


# ---------------------------------------------------------------- eSpeak keywords

SYNTH_PER_WORD = 200
SYNTH_CACHE_VERSION = 1  # bump when the plan or the rendering changes


def espeak_keywords(root: str) -> ClipSet:
    """The embedded set (see speech_synth): rendered once, then read from a cache under --data-root."""
    import hashlib

    from . import speech_synth as synth

    cache = Path(root) / "speech" / f"espeak-keywords-v{SYNTH_CACHE_VERSION}-{SYNTH_PER_WORD}.pt"
    stored = _read_synth_cache(cache) if cache.is_file() else None
    if stored is None:
        import torchaudio.functional as AF

        from .audio_io import loudest_window

        plan = synth.utterances(SYNTH_PER_WORD)
        clips, rate = synth.synthesise(plan)
        waves = torch.from_numpy(np.stack([loudest_window(c, rate) for c in clips]))
        waves = to_int16(AF.resample(waves, rate, SAMPLE_RATE)[:, :SAMPLE_RATE])
        labels = torch.as_tensor([synth.WORDS.index(u.word) for u in plan])
        is_test = torch.as_tensor([u.test for u in plan])
        with atomic_write(cache) as file:  # a cache is complete or absent, never half-written
            torch.save({"x": waves, "y": labels, "test": is_test, "voices": [u.voice for u in plan]}, file)
        logger.info("synthesised %d eSpeak NG clips, cached at %s", len(plan), cache)
        stored = torch.load(cache, weights_only=True)
    digest = hashlib.sha256(cache.read_bytes()).hexdigest()[:16]
    test = stored["test"]
    return ClipSet(
        stored["x"][~test], stored["y"][~test], stored["x"][test], stored["y"][test], list(synth.WORDS),
        info={"source": f"eSpeak NG via espeakng-loader, cached at {cache}", "cache_sha256": digest,
              "test_split": f"voice variants held out (every {synth.TEST_EVERY}th of {len(synth.VARIANTS)})"},
    )


def _read_synth_cache(cache: Path) -> dict | None:
    """The cached clips, or None (with a warning) when the file is damaged: they are rendered again.

    ``weights_only`` keeps a crafted file from running code.
    """
    try:
        stored = torch.load(cache, weights_only=True)
        x, y, test = stored["x"], stored["y"], stored["test"]
        ok = (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and isinstance(test, torch.Tensor)
              and test.dtype == torch.bool and len(x) == len(y) == len(test))
    except Exception as error:  # truncated, not a torch file, foreign objects, missing keys
        logger.warning("the eSpeak cache %s cannot be read (%s); rendering the clips again", cache, type(error).__name__)
        return None
    if not ok:
        logger.warning("the eSpeak cache %s is not a cache of this version; rendering the clips again", cache)
        return None
    return stored


# ---------------------------------------------------------------- Hugging Face datasets


def hf_clips(source: str | None, options: dict[str, Any], seconds: float, seed: int = 0) -> ClipSet:
    """A Hugging Face audio dataset: the encoded bytes of every row, read with soundfile and
    resampled to 16 kHz like files on disk (datasets' own audio decoding is not used)."""
    from . import hf_source as hf

    splits = hf.open_hf(source, options)
    column = hf.guess_column(splits.train, "Audio", options.get("audio_column"), "--audio-column")
    label = hf.guess_label(splits.train, options.get("label"))
    splits = hf.with_test(splits, label, options, seed)
    y_train, y_test, class_names = hf.label_arrays(splits.train, splits.test, label)
    parts = {}
    for part, dataset, labels in (("train", splits.train, y_train), ("test", splits.test, y_test)):
        files = [hf.NamedBytes(hf.file_bytes(data, path), path or f"{part} row {row}")
                 for row, (data, path) in enumerate(hf.encoded_files(dataset, column, "Audio"))]
        parts[part] = decode(files, labels.tolist(), seconds, f"{splits.name} clips")
    return ClipSet(parts["train"][0], parts["train"][1], parts["test"][0], parts["test"][1], class_names,
                   info={**splits.info, "dataset_name": splits.name, "audio_column": column, "label_column": label,
                         "skipped_files": [str(p) for p in parts["train"][2] + parts["test"][2]]})
