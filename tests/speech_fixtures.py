"""Small folders of wav files in the layouts the speech domain reads, written with soundfile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from domains.speech_commands import SC_KEYWORDS


def tone(frequency: float, seconds: float = 0.2, rate: int = 16_000, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), samples, rate, subtype="PCM_16")
    return path


def write_corrupt(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    return path


def class_folder(root: Path, classes: int = 3, per_class: int = 6, seconds: float = 0.5) -> Path:
    """ROOT/<class>/<n>.wav: class c is a tone at 300 * (c + 1) Hz with a little noise."""
    rng = np.random.default_rng(0)
    for c in range(classes):
        for i in range(per_class):
            samples = tone(300 * (c + 1), seconds) + 0.01 * rng.standard_normal(int(seconds * 16_000)).astype(np.float32)
            write_wav(root / f"class{c}" / f"{i}.wav", samples)
    return root


def fsdd_folder(root: Path, speakers: tuple[str, ...] = ("alice", "bob", "carol"), indices: int = 7) -> Path:
    """FSDD naming at 8 kHz: digits 0-2, ``indices`` takes per speaker and digit."""
    for digit in range(3):
        for speaker in speakers:
            for index in range(indices):
                write_wav(root / "recordings" / f"{digit}_{speaker}_{index}.wav",
                          tone(400 + 200 * digit, 0.3, rate=8000), rate=8000)
    return root


def speech_commands_folder(root: Path, unknown_words: tuple[str, ...] = ("bed", "cat", "happy")) -> Path:
    """The v0.01 layout: a folder per word, list files, and _background_noise_.

    Every keyword has clips a (train), b (validation) and c, d (test). Each unknown word has
    clips a-f: b in the validation list, c in the test list, a, d, e, f for training. With the
    three default unknown words: 10 + 12 = 22 training clips, 20 + 3 test clips.
    """
    lines = {"testing_list.txt": [], "validation_list.txt": []}
    for k, word in enumerate(list(SC_KEYWORDS) + list(unknown_words)):
        names = "abcd" if word in SC_KEYWORDS else "abcdef"
        for name in names:
            write_wav(root / word / f"{name}_nohash_0.wav", tone(200 + 50 * k, 0.1))
        lines["validation_list.txt"].append(f"{word}/b_nohash_0.wav")
        lines["testing_list.txt"].append(f"{word}/c_nohash_0.wav")
        if word in SC_KEYWORDS:
            lines["testing_list.txt"].append(f"{word}/d_nohash_0.wav")
    for name, entries in lines.items():
        (root / name).write_text("\n".join(entries) + "\n")
    rng = np.random.default_rng(1)
    write_wav(root / "_background_noise_" / "white_noise.wav", (0.1 * rng.standard_normal(32_000)).astype(np.float32))
    return root
