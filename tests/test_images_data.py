"""Image datasets: folder decoding and its cache, the embedded digits, CIFAR offline, class ratio."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from bench.core.errors import UserError
from domains.base import DataRequest, Split
from domains.image_folder import load_image_folder
from domains.images import ImageDomain, keep_class_fraction


def write_png(path: Path, value: tuple[int, int, int], size: tuple[int, int] = (32, 32)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, value).save(path)


def make_folder(root: Path) -> Path:
    """train: cat (2 PNG + 1 JPEG), dog (1 PNG, 40x48); test: one of each class."""
    write_png(root / "train/cat/a.png", (10, 20, 30))
    write_png(root / "train/cat/b.png", (40, 50, 60))
    Image.new("RGB", (32, 32), (200, 100, 0)).save(root / "train/cat/c.jpg", quality=95)
    write_png(root / "train/dog/a.png", (0, 255, 0), size=(48, 40))  # width 48, height 40: resized
    write_png(root / "test/cat/x.png", (1, 2, 3))
    write_png(root / "test/dog/y.png", (4, 5, 6))
    (root / "train/cat/notes.txt").write_text("not an image")
    return root


def test_image_folder_decodes_labels_and_pixels(tmp_path):
    folder = load_image_folder(make_folder(tmp_path / "pets"), tmp_path / "cache")
    assert folder.class_names == ["cat", "dog"]
    assert folder.train.x.shape == (4, 3, 32, 32) and folder.train.x.dtype == torch.uint8
    assert folder.train.y.tolist() == [0, 0, 0, 1]  # sorted by relative path: cat/a, cat/b, cat/c, dog/a
    assert folder.train.x[0, :, 5, 5].tolist() == [10, 20, 30]  # PNG is lossless
    assert folder.train.x[1, :, 0, 0].tolist() == [40, 50, 60]
    jpeg = folder.train.x[2, :, 16, 16].int()
    assert (jpeg - torch.tensor([200, 100, 0])).abs().max() <= 3  # JPEG: close
    assert folder.train.x[3, :, 16, 16].tolist() == [0, 255, 0]  # resized, then centre-cropped
    assert folder.test.y.tolist() == [0, 1] and folder.test.x[1, :, 0, 0].tolist() == [4, 5, 6]
    assert not folder.from_cache and folder.cache_file.exists()


def test_image_folder_cache_is_reused_and_invalidated_by_a_changed_file(tmp_path):
    root = make_folder(tmp_path / "pets")
    first = load_image_folder(root, tmp_path / "cache")
    again = load_image_folder(root, tmp_path / "cache")
    assert again.from_cache and again.cache_file == first.cache_file
    assert torch.equal(again.train.x, first.train.x) and torch.equal(again.test.y, first.test.y)

    write_png(root / "train/cat/b.png", (99, 98, 97))  # same size on disk: only the mtime differs
    stat = (root / "train/cat/b.png").stat()
    os.utime(root / "train/cat/b.png", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = load_image_folder(root, tmp_path / "cache")
    assert not changed.from_cache and changed.cache_file != first.cache_file
    assert changed.train.x[1, :, 0, 0].tolist() == [99, 98, 97]

    (root / "test/dog/z.png").write_bytes((root / "test/dog/y.png").read_bytes())  # an added file
    added = load_image_folder(root, tmp_path / "cache")
    assert not added.from_cache and len(added.test) == 3
    assert not list((tmp_path / "cache").rglob("*.part"))  # atomic writes leave no partial files


def test_image_folder_layout_errors_say_what_is_expected(tmp_path):
    (tmp_path / "only_train/train/cat").mkdir(parents=True)
    with pytest.raises(UserError, match="test/"):
        load_image_folder(tmp_path / "only_train", tmp_path / "cache")
    with pytest.raises(UserError, match="not a folder"):
        load_image_folder(tmp_path / "missing", tmp_path / "cache")
    root = make_folder(tmp_path / "extra")
    write_png(root / "test/bird/q.png", (0, 0, 0))
    with pytest.raises(UserError, match="bird"):
        load_image_folder(root, tmp_path / "cache")


def test_an_undecodable_file_is_named(tmp_path):
    root = make_folder(tmp_path / "pets")
    (root / "train/dog/broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(UserError, match="broken.jpg"):
        load_image_folder(root, tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").rglob("*.pt"))


def test_shared_cifar10_slice_loads_as_an_image_folder(shared_data, tmp_path):
    source = shared_data / "cifar10"
    slice_root = tmp_path / "cifar10"
    for split, per_class in (("train", 3), ("test", 1)):
        for class_dir in sorted((source / split).iterdir()):
            target = slice_root / split / class_dir.name
            target.mkdir(parents=True)
            for image in sorted(class_dir.iterdir())[:per_class]:
                shutil.copy2(image, target / image.name)
    domain = ImageDomain()
    data = domain.load(DataRequest("imagefolder", str(slice_root), str(tmp_path / "cache"), seed=0))
    assert data.class_names[:3] == ["airplane", "automobile", "bird"] and data.n_classes == 10
    assert data.train.x.shape == (30, 3, 32, 32) and data.test.x.shape == (10, 3, 32, 32)
    assert torch.equal(data.train.y.bincount(), torch.full((10,), 3))
    first = np.array(Image.open(sorted((source / "train/airplane").iterdir())[0]).convert("RGB"))
    assert torch.equal(data.train.x[0], torch.from_numpy(first).permute(2, 0, 1))
    normalised = domain.preprocess(data.train.x)
    assert normalised.mean((0, 2, 3)).abs().max() < 1e-4  # statistics fitted on this training split
    assert (normalised.std((0, 2, 3)) - 1).abs().max() < 1e-2


def test_embedded_digits_need_no_download(tmp_path):
    data = ImageDomain().load(DataRequest("digits", None, str(tmp_path), seed=0))
    assert data.train.x.shape == (1347, 3, 32, 32) and data.test.x.shape == (450, 3, 32, 32)
    assert data.train.x.dtype == torch.uint8 and int(data.train.x.max()) == 255
    assert torch.equal(data.train.x[:, 0], data.train.x[:, 2])  # grey as RGB
    assert data.n_classes == 10 and data.input_shape == (3, 32, 32)


def test_cifar10_offline_says_which_archive_to_place_where(tmp_path):
    started = time.perf_counter()
    with pytest.raises(UserError) as raised:
        ImageDomain().load(DataRequest("cifar10", None, str(tmp_path / "root"), seed=0))
    message = str(raised.value)
    assert "cifar-10-python.tar.gz" in message and str(tmp_path / "root" / "cifar10") in message
    assert "--dataset imagefolder" in message
    assert time.perf_counter() - started < 60  # fails instead of hanging


def test_class_ratio_keeps_a_seeded_fraction_of_every_class():
    y = torch.tensor([0] * 10 + [1] * 4 + [2] * 1)
    split = Split(torch.arange(15), y)
    kept = keep_class_fraction(split, 0.5, seed=0)
    assert kept.y.bincount().tolist() == [5, 2, 1]  # rare classes keep at least one sample
    assert torch.equal(kept.x, kept.x.sort().values)  # original order
    assert torch.equal(keep_class_fraction(split, 0.5, seed=0).x, kept.x)
    assert not torch.equal(keep_class_fraction(split, 0.5, seed=1).x, kept.x)


def test_bad_domain_options_are_refused():
    for ratio in (0, 1.5):
        with pytest.raises(UserError, match="class-ratio"):
            ImageDomain(class_ratio=ratio)
    with pytest.raises(UserError, match="image-size"):
        ImageDomain(image_size=2)
