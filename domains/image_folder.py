"""An image-folder tree (torchvision's ImageFolder layout) decoded once into a uint8 cache.

``root/{train,test}/<class>/<image>``. Decoding 60,000 small JPEG files takes a while;
the decoded tensors are stored under the data root, named by a fingerprint of the tree
(relative paths, sizes and modification times of every image, and the target size), so a
later run loads them in about a second and any added, removed or rewritten file makes
the fingerprint, and so the cache file, a new one.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from bench.core.atomic import atomic_write
from bench.core.errors import UserError
from bench.core.log import logger

from .base import Split

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm")
CACHE_VERSION = 1  # bump when the decoded layout changes
SPLITS = ("train", "test")


@dataclass
class FolderImages:
    train: Split
    test: Split
    class_names: list[str]
    cache_file: Path
    from_cache: bool


def list_images(split_dir: Path) -> list[tuple[str, str, os.stat_result]]:
    """(class name, relative path, stat) of every image under split_dir/<class>/, sorted."""
    found = []
    for class_dir in sorted(p for p in split_dir.iterdir() if p.is_dir()):
        for entry in os.scandir(class_dir):
            if entry.is_file() and entry.name.lower().endswith(IMAGE_EXTENSIONS):
                found.append((class_dir.name, f"{class_dir.name}/{entry.name}", entry.stat()))
    found.sort(key=lambda item: item[1])
    return found


def fingerprint(listing: dict[str, list[tuple[str, str, os.stat_result]]], size: int) -> str:
    digest = hashlib.sha256(f"v{CACHE_VERSION} size={size}\n".encode())
    for split, files in listing.items():
        for _, relative, stat in files:
            digest.update(f"{split}/{relative}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def decode_image(path: Path, size: int) -> Tensor:
    """One image as (3, size, size) uint8: RGB; resized (shorter side) and centre-cropped if needed."""
    return decode_image_bytes(path.read_bytes(), size, str(path))


def decode_image_bytes(data: bytes, size: int, name: str) -> Tensor:
    """``decode_image`` for the encoded bytes of a file (``name`` only labels errors)."""
    import io

    from torchvision.io import ImageReadMode, decode_image as tv_decode
    from torchvision.transforms.v2 import functional as TF

    try:
        image = tv_decode(torch.frombuffer(bytearray(data), dtype=torch.uint8), mode=ImageReadMode.RGB)
    except RuntimeError:  # formats torchvision.io cannot decode (BMP, TIFF, PPM): PIL
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as pil:
                image = TF.pil_to_tensor(pil.convert("RGB"))
        except OSError as error:  # PIL's UnidentifiedImageError is an OSError
            raise UserError(f"cannot decode {name} as an image ({error}). Remove or replace the file; "
                            "nothing was cached, so the next run decodes the folder again.") from None
    if image.shape[-2:] != (size, size):
        image = TF.center_crop(TF.resize(image, size, antialias=True), [size, size])
    return image


def decode_split(split_dir: Path, files: list[tuple[str, str, os.stat_result]], classes: list[str],
                 size: int) -> Split:
    index = {name: i for i, name in enumerate(classes)}
    x = torch.empty((len(files), 3, size, size), dtype=torch.uint8)
    for row, (_, relative, _) in enumerate(files):
        x[row] = decode_image(split_dir / relative, size)
    y = torch.tensor([index[class_name] for class_name, _, _ in files], dtype=torch.long)
    return Split(x, y)


def _check_layout(root: Path) -> None:
    if not root.is_dir():
        raise UserError(f"--data {root} is not a folder. Give a folder holding train/ and test/, each with "
                        "one subfolder of images per class (torchvision's ImageFolder layout).")
    missing = [s for s in SPLITS if not (root / s).is_dir()]
    if missing:
        raise UserError(f"{root} has no {' or '.join(s + '/' for s in missing)} subfolder. The imagefolder "
                        "dataset needs root/train/<class>/*.jpg and root/test/<class>/*.jpg.")


def _write_atomically(payload: dict, destination: Path) -> None:
    with atomic_write(destination) as file:
        torch.save(payload, file)


def load_image_folder(root: str | Path, cache_dir: str | Path, size: int = 32) -> FolderImages:
    """The folder's train and test splits as uint8 (N, 3, size, size), from the cache when current."""
    root = Path(root).expanduser().resolve()
    _check_layout(root)
    listing = {split: list_images(root / split) for split in SPLITS}
    classes = sorted({class_name for class_name, _, _ in listing["train"]})
    if len(classes) == 1:
        raise UserError(f"{root / 'train'} holds one class ({classes[0]}); a classifier and its probe need at "
                        "least two. Add a subfolder of images per class under train/ and test/.")
    if not listing["train"]:
        raise UserError(f"{root / 'train'} holds no images ({', '.join(IMAGE_EXTENSIONS)}) in class subfolders.")
    if not listing["test"]:
        raise UserError(f"{root / 'test'} holds no images ({', '.join(IMAGE_EXTENSIONS)}) in class subfolders.")
    unknown = sorted({c for c, _, _ in listing["test"]} - set(classes))
    if unknown:
        raise UserError(f"{root / 'test'} has classes with no training images: {', '.join(unknown)}. "
                        "Every test class needs a folder of the same name under train/.")
    key = fingerprint(listing, size)
    cache_file = Path(cache_dir).expanduser() / "imagefolder" / f"{root.name}-{size}px-{key}.pt"
    if cache_file.exists():
        cached = _read_cache(cache_file, classes, size)
        if cached is not None:
            return cached
    n_files = sum(len(files) for files in listing.values())
    logger.info("decoding %d images from %s once; later runs read %s", n_files, root, cache_file)
    train = decode_split(root / "train", listing["train"], classes, size)
    test = decode_split(root / "test", listing["test"], classes, size)
    payload = {"train_x": train.x, "train_y": train.y, "test_x": test.x, "test_y": test.y,
               "classes": classes, "source": str(root), "fingerprint": key}
    _write_atomically(payload, cache_file)
    return FolderImages(train, test, classes, cache_file, from_cache=False)


def _read_cache(cache_file: Path, classes: list[str], size: int) -> FolderImages | None:
    """The cached splits, or None (with a warning) when the file is damaged or not a cache of this folder.

    ``weights_only`` keeps a crafted file from running code; anything unexpected means decode again.
    """
    try:
        payload = torch.load(cache_file, weights_only=True)
        splits = [Split(payload[f"{s}_x"], payload[f"{s}_y"]) for s in SPLITS]
        ok = list(payload["classes"]) == classes and all(
            isinstance(s.x, Tensor) and s.x.dtype == torch.uint8 and tuple(s.x.shape[1:]) == (3, size, size)
            and isinstance(s.y, Tensor) and len(s.y) == len(s.x) for s in splits)
    except Exception as error:  # truncated, not a torch file, foreign objects, missing keys
        logger.warning("the image cache %s cannot be read (%s: %s); decoding the folder again",
                       cache_file, type(error).__name__, str(error).splitlines()[0] if str(error) else "")
        return None
    if not ok:
        logger.warning("the image cache %s does not hold this folder's images; decoding the folder again", cache_file)
        return None
    return FolderImages(splits[0], splits[1], classes, cache_file, from_cache=True)
