"""Where image datasets come from: torchvision's CIFAR archives and scikit-learn's digits.

Every source returns uint8 (N, 3, H, W) splits; the domain adapter does the rest.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from bench.core.errors import UserError
from bench.core.log import logger

from .base import Split

EMBEDDED_SPLIT_SEED = 0  # fixed, so every run seed sees the same digits split
DOWNLOAD_TIMEOUT_S = 30


@dataclass
class ImageSet:
    train: Split
    test: Split
    class_names: list[str]
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CifarSpec:
    torchvision_class: str
    folder: str  # torchvision's folder name inside the archive
    archive: str
    url: str


CIFAR = {
    "cifar10": CifarSpec("CIFAR10", "cifar-10-batches-py", "cifar-10-python.tar.gz",
                         "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"),
    "cifar100": CifarSpec("CIFAR100", "cifar-100-python", "cifar-100-python.tar.gz",
                          "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"),
}


def _cifar_split(dataset) -> Split:
    x = torch.from_numpy(dataset.data).permute(0, 3, 1, 2).contiguous()  # NHWC uint8 -> NCHW
    return Split(x, torch.tensor(dataset.targets, dtype=torch.long))


def cifar(name: str, data_root: str) -> ImageSet:
    """CIFAR-10/100 through torchvision, downloaded into data_root/<name>/ when missing."""
    import torchvision.datasets

    spec = CIFAR[name]
    root = Path(data_root).expanduser() / name
    cls = getattr(torchvision.datasets, spec.torchvision_class)
    if not (root / spec.folder).is_dir():
        logger.info("downloading %s into %s", spec.archive, root)
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # torchvision's urlopen has no timeout of its own
        try:
            cls(str(root), train=True, download=True)
        except (OSError, RuntimeError) as error:  # URLError and timeouts are OSErrors
            raise UserError(
                f"{name} is not in {root} and could not be downloaded ({error}). On a machine with network "
                f"access, download {spec.url} and place {spec.archive} in {root}/ (the next run unpacks it), "
                f"or unpack it there so that {root / spec.folder} exists; or pass --data-root to a folder "
                "that already holds it. Without the archive, an image folder works: "
                "--dataset imagefolder --data PATH (PATH/train/<class>/*.jpg, PATH/test/<class>/*.jpg)."
            ) from None
        finally:
            socket.setdefaulttimeout(previous)
    train, test = cls(str(root), train=True), cls(str(root), train=False)
    return ImageSet(_cifar_split(train), _cifar_split(test), list(train.classes),
                    {"source": f"torchvision.datasets.{spec.torchvision_class}", "root": str(root)})


def digits(size: int = 32) -> ImageSet:
    """scikit-learn's 8x8 handwritten digits (1,797 images), bilinearly upsampled, grey as RGB."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0  # pixel counts 0..16
    images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    x = (images.clamp(0, 1) * 255).round().to(torch.uint8).expand(-1, 3, -1, -1).contiguous()
    y = torch.tensor(bunch.target, dtype=torch.long)
    train_index, test_index = train_test_split(
        torch.arange(len(y)).numpy(), test_size=0.25, random_state=EMBEDDED_SPLIT_SEED, stratify=y.numpy())
    return ImageSet(Split(x[train_index], y[train_index]), Split(x[test_index], y[test_index]),
                    [str(i) for i in range(10)],
                    {"source": "sklearn.datasets.load_digits, 8x8 upsampled bilinearly",
                     "test_split": f"stratified 25% (seed {EMBEDDED_SPLIT_SEED})"})


def hf_images(source: str | None, options: dict[str, Any], data_root: str, size: int,
              seed: int = 0) -> tuple[ImageSet, str]:
    """A Hugging Face image dataset as uint8 splits (decoded once, then cached like an image folder)
    and its row name (hf:<name>)."""
    from . import hf_source as hf
    from .image_folder import decode_image_bytes, _write_atomically

    splits = hf.open_hf(source, options)
    column = hf.guess_column(splits.train, "Image", options.get("image_column"), "--image-column")
    label = hf.guess_label(splits.train, options.get("label"))
    splits = hf.with_test(splits, label, options, seed)
    y_train, y_test, class_names = hf.label_arrays(splits.train, splits.test, label)
    fingerprints = (splits.train._fingerprint, splits.test._fingerprint)
    cache = Path(data_root).expanduser() / "hf-images" / f"{splits.name.replace('/', '-').replace(':', '-')}-" \
        f"{size}px-{column}-{fingerprints[0][:10]}-{fingerprints[1][:10]}.pt"
    if cache.exists():
        stored = torch.load(cache, weights_only=True)
        x_train, x_test, from_cache = stored["train_x"], stored["test_x"], True
    else:
        def decode(dataset) -> torch.Tensor:
            x = torch.empty((len(dataset), 3, size, size), dtype=torch.uint8)
            for row, (data, path) in enumerate(hf.encoded_files(dataset, column, "Image")):
                x[row] = decode_image_bytes(hf.file_bytes(data, path), size, path or f"row {row}")
            return x

        logger.info("decoding %d images of %s once; later runs read %s", len(splits.train) + len(splits.test),
                    splits.name, cache)
        x_train, x_test, from_cache = decode(splits.train), decode(splits.test), False
        _write_atomically({"train_x": x_train, "test_x": x_test}, cache)
    info = {**splits.info, "image_column": column, "label_column": label, "cache": str(cache),
            "from_cache": from_cache}
    return ImageSet(Split(x_train, torch.as_tensor(y_train)), Split(x_test, torch.as_tensor(y_test)),
                    class_names, info), splits.name
