"""Tiny input files and helpers shared by the bad-input tests (tests/test_bad_inputs.py, tests/test_kept_outputs.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from speech_fixtures import class_folder, write_corrupt


TAB = ["--epochs", "1", "--batch-size", "16", "--width", "16", "--proj-dim", "8", "--proj-hidden", "16",
       "--quiet", "--no-raw-probe"]
IMG = ["--domain", "images", "--dataset", "imagefolder", "--image-size", "8", "--epochs", "1", "--batch-size", "4",
       "--width", "0.125", "--proj-dim", "8", "--proj-hidden", "16", "--queue-size", "8", "--quiet"]
RECORD = {"domain": "tabular", "dataset": "toy", "method": "simclr", "imix": False, "mix": None, "seed": 0,
          "config": {"epochs": 3, "data_ratio": 1.0}, "probe": {"accuracy": 0.9}, "knn": {"accuracy": 0.8},
          "loss_curve": [1.0], "monitor": []}


class Planted:
    """A pickle that creates a marker file when unpickled: the proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def write_csv(path: Path, rows: list[str], header: str = "a,b,label") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def two_class_rows(n: int = 40, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{rng.normal() + (i % 2):.3f},{rng.normal():.3f},{'xy'[i % 2]}" for i in range(n)]


def image_folder(root: Path, classes: tuple[str, ...] = ("cat", "dog"), per_class: int = 4) -> Path:
    from PIL import Image

    for split in ("train", "test"):
        for c, name in enumerate(classes):
            (root / split / name).mkdir(parents=True, exist_ok=True)
            for i in range(per_class):
                Image.new("RGB", (8, 8), (60 * c + 10 * i, 100, 200 - 40 * c)).save(root / split / name / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """Every input file the cases read, written once."""
    d = tmp_path_factory.mktemp("inputs")
    write_csv(d / "ok.csv", two_class_rows())
    write_csv(d / "header_only.csv", [])
    write_csv(d / "no_labels.csv", ["1,2,", "3,4,", "5,6,"])
    write_csv(d / "unseen.csv", two_class_rows(20) + ["0.1,0.2,z"] * 4)
    write_csv(d / "missing_labels.csv", two_class_rows() + ["0.5,0.5,"] * 3)
    write_csv(d / "indexed.csv", [f"{i + 1},{r}" for i, r in enumerate(two_class_rows())], header=",a,b,label")
    (d / "latin1.csv").write_bytes("a,b,label\n1,2,\xe9t\xe9\n3,4,\x80\n".encode("latin-1") + b"\xff\xfe\x00\n")
    (d / "a_folder").mkdir()
    (d / "a_file").write_text("not a folder\n")
    image_folder(d / "images")
    image_folder(d / "one_class", classes=("cat",))
    broken = image_folder(d / "broken_image")
    (broken / "train" / "cat" / "9.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
    (d / "no_test").mkdir()
    image_folder(d / "no_test_src")
    (d / "no_test_src" / "train").rename(d / "no_test" / "train")
    audio = class_folder(d / "audio", classes=2, per_class=2, seconds=0.2)
    for i in range(6):
        write_corrupt(audio / "class0" / f"bad{i}.wav")
    (d / "junk.jsonl").write_bytes(b'\xff\xfe not utf-8\n{"n": 1}\n' + b"[" * 50_000 + b"]" * 50_000 + b"\n")
    configs = {
        "bad.toml": "[settings\nepochs = 1\n",
        "bad.yaml": "settings: [epochs: 1\n",
        "grid.ini": "[settings]\nepochs = 1\n",
        "misspelt_false.toml": "[settings]\nraw_prob = false\n",
        "misspelt_number.toml": "[settings]\nepoch = 1\n",
        "axis.toml": "[settings]\nseed = 3\n",
        "section.toml": "[setting]\nepochs = 1\n",
    }
    for name, text in configs.items():
        (d / name).write_text(text)
    return d
