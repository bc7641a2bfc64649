"""Build the three local Hugging Face datasets of results/hf/README.md from ../shared/data.

Each is built in the same row order and with the same class order as the path it is compared
with (an image folder, FSDD's index split, Letter's last-4,000-rows split), so `--dataset hf`
sees exactly the samples the folder/CSV path sees:

* cifar10-subset/        an image-folder tree of the first PER_CLASS_TRAIN / PER_CLASS_TEST images
                         of every class (symbolic links), for `--dataset imagefolder`;
* cifar10-hf/            the same images as a save_to_disk DatasetDict (Image + ClassLabel);
* fsdd-hf/               FSDD's 3,000 wav files as a DatasetDict (Audio + ClassLabel), recordings 0-4 in test;
* letter-hf/             UCI Letter as a DatasetDict of 16 int columns + the Letter string, last 4,000 rows test.

Usage: python results/hf/build_datasets.py [OUT]   (default /tmp/imix-hf-bench; the data: $IMIX_BENCH_SHARED_DATA,
else ../shared/data beside the repository)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import datasets as hf
import pandas as pd

SHARED = Path(os.environ.get("IMIX_BENCH_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
PER_CLASS_TRAIN, PER_CLASS_TEST = 200, 100


def media_rows(files: list[Path]) -> list[dict]:
    return [{"bytes": f.read_bytes(), "path": f.name} for f in files]


def media_dataset(files: list[Path], labels: list[int], names: list[str], kind) -> hf.Dataset:
    """Bytes stored as they are (no re-encoding), then cast to the Image/Audio feature."""
    raw = hf.Features({"media": {"bytes": hf.Value("binary"), "path": hf.Value("string")},
                       "label": hf.ClassLabel(names=names)})
    return hf.Dataset.from_dict({"media": media_rows(files), "label": labels}, features=raw).cast_column("media", kind)


def cifar(out: Path) -> None:
    source = SHARED / "cifar10"
    classes = sorted(p.name for p in (source / "train").iterdir() if p.is_dir())
    parts = {}
    for split, count in (("train", PER_CLASS_TRAIN), ("test", PER_CLASS_TEST)):
        files, labels = [], []
        for c, name in enumerate(classes):
            chosen = sorted((source / split / name).iterdir())[:count]
            target = out / "cifar10-subset" / split / name
            target.mkdir(parents=True, exist_ok=True)
            for f in chosen:
                link = target / f.name
                if not link.exists():
                    os.symlink(f, link)
            files += chosen
            labels += [c] * len(chosen)
        # the image folder's order: sorted by "<class>/<file>"
        order = sorted(range(len(files)), key=lambda i: f"{classes[labels[i]]}/{files[i].name}")
        parts[split] = media_dataset([files[i] for i in order], [labels[i] for i in order], classes, hf.Image())
    hf.DatasetDict(parts).rename_column("media", "img").save_to_disk(str(out / "cifar10-hf"))


def fsdd(out: Path) -> None:
    files = sorted((SHARED / "fsdd" / "recordings").glob("*.wav"))
    parts = {}
    for split, test in (("train", False), ("test", True)):
        chosen = [f for f in files if (int(f.stem.split("_")[2]) <= 4) == test]
        parts[split] = media_dataset(chosen, [int(f.stem[0]) for f in chosen], [str(d) for d in range(10)],
                                     hf.Audio(sampling_rate=8000))
    hf.DatasetDict(parts).rename_column("media", "audio").save_to_disk(str(out / "fsdd-hf"))


def letter(out: Path) -> None:
    frame = pd.read_csv(SHARED / "letter" / "letter-recognition.csv")
    hf.DatasetDict({"train": hf.Dataset.from_pandas(frame.iloc[:-4000], preserve_index=False),
                    "test": hf.Dataset.from_pandas(frame.iloc[-4000:], preserve_index=False)}
                   ).save_to_disk(str(out / "letter-hf"))


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/imix-hf-bench")
    hf.disable_progress_bars()
    for build in (cifar, fsdd, letter):
        build(out)
        print(f"built {build.__name__} under {out}")
