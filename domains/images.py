"""Images: CIFAR-10/100, any image folder, and an embedded digits set; CutMix is offered.

Images are stored as uint8 (50,000 CIFAR images take 150 MB) and become normalised float
only per batch, on the training device: ``augment`` runs the paper's CIFAR view recipe on
the whole batch (domains/image_augment.py), ``preprocess`` only scales and normalises.
Normalisation statistics are the per-channel mean and std of the training split.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from bench.core.errors import UserError
from bench.core.rng import Rng

from .base import DataRequest, Domain, DomainData, Split
from .image_augment import ViewRecipe, pad_crop_flip, random_views, to_unit_float
from .image_folder import load_image_folder
from .hf_source import DESCRIPTION as HF_DESCRIPTION, hf_options
from .image_sources import CIFAR, ImageSet, cifar, digits, hf_images
from .kit import content_fingerprint
from bench.core.options import Option


def channel_stats(x: Tensor, chunk: int = 4096) -> tuple[Tensor, Tensor]:
    """Per-channel mean and std of uint8 images in [0, 1] units, in chunks to bound memory."""
    total = torch.zeros(x.shape[1], dtype=torch.float64)
    squares = torch.zeros_like(total)
    for part in x.split(chunk):
        values = to_unit_float(part).double()
        total += values.sum(dim=(0, 2, 3))
        squares += values.square().sum(dim=(0, 2, 3))
    count = x.shape[0] * x.shape[2] * x.shape[3]
    mean = total / count
    std = (squares / count - mean.square()).clamp_min(1e-12).sqrt()
    return mean.float(), std.float()


def keep_class_fraction(split: Split, ratio: float, seed: int) -> Split:
    """A seeded fraction of each class's samples (at least one per class), in original order."""
    if ratio >= 1:
        return split
    generator = torch.Generator().manual_seed(seed)
    keep = []
    for label in split.y.unique():
        rows = torch.nonzero(split.y == label).squeeze(1)
        count = max(1, round(len(rows) * ratio))
        keep.append(rows[torch.randperm(len(rows), generator=generator)[:count]])
    return split.subset(torch.cat(keep).sort().values)


class ImageDomain(Domain):
    name = "images"
    summary = "RGB images; crop/colour/flip views made per batch on the device; CNN encoders"
    datasets = {
        "digits": "embedded: scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes) upsampled "
                  "to 32x32 grey-as-RGB; 25% stratified test split; no download",
        "cifar10": "CIFAR-10, 50k train / 10k test, 32x32 (torchvision download into --data-root)",
        "cifar100": "CIFAR-100, 50k train / 10k test, 100 classes (torchvision download into --data-root)",
        "imagefolder": "any --data PATH with train/<class>/* and test/<class>/* images; decoded once and "
                       "cached under --data-root (e.g. --data ../shared/data/cifar10)",
        "hf": HF_DESCRIPTION + "; --image-column, --label (e.g. --data uoft-cs/cifar10)",
    }
    default_encoder = "small-cnn"
    mixers = ("mixup", "cutmix")
    linear_eval_augments = True  # the official linear evaluation pads, crops and flips (main_lincls.py)

    # Named --class-ratio before; that name stays as an alias (and the stored key stays
    # class_ratio, so earlier records and config files still match). The official code's
    # --class-ratio drops whole classes instead: that is --pretrain-classes.
    flags = (
        Option("class_ratio", float, 1.0, "keep a seeded fraction of each class's training images (stratified; "
               "the probe trains on the same images; the test split stays whole). Not the official "
               "--class-ratio: that is --pretrain-classes", flag="--per-class-ratio", aliases=("--class-ratio",),
               valid=lambda r: 0 < r <= 1, valid_text="(0, 1]"),
        Option("image_size", int, 32, "side of the square views; imagefolder images are resized and centre-cropped "
               "to it once, when decoded", valid=lambda s: s >= 8, valid_text="[8, inf) pixels"),
        *hf_options("image"),
    )

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.class_ratio, self.image_size = self.options["class_ratio"], self.options["image_size"]
        self.recipe = ViewRecipe(size=self.image_size)
        self.mean: Tensor | None = None
        self.std: Tensor | None = None

    def defaults(self, dataset: str) -> dict[str, Any]:
        # The official CIFAR settings (run.sh and main_pretext.py's defaults: batch 256, lr 0.125
        # at 256, temperature 0.2, weight decay 1e-4, the RunConfig default); far fewer epochs
        # than its 1000-4000, which are beyond a CPU.
        if dataset == "digits":
            return {"temperature": 0.2, "batch_size": 128, "epochs": 30}
        return {"temperature": 0.2, "batch_size": 256, "epochs": 100}

    def load(self, request: DataRequest) -> DomainData:
        images = self._source(request)
        train = keep_class_fraction(images.train, self.class_ratio, request.seed)
        self.mean, self.std = channel_stats(train.x)
        info = dict(images.info)
        if self.class_ratio < 1 and "data_fingerprint" not in info:  # a seeded subset: digest what it was drawn from
            info["data_fingerprint"] = content_fingerprint(images.train.x, images.train.y, images.test.x, images.test.y)
        name = info.pop("dataset_name", request.dataset)
        info.update({"normalisation": {"mean": [round(v, 4) for v in self.mean.tolist()],
                                       "std": [round(v, 4) for v in self.std.tolist()]},
                     "class_ratio": self.class_ratio,
                     "augmentation": "RandomResizedCrop(scale 0.2-1) + flip, ColorJitter(0.4,0.4,0.4,0.1) "
                                     "p=0.8, grayscale p=0.2; batched on device"})
        return DomainData(dataset=name, train=train, test=images.test,
                          n_classes=len(images.class_names), input_shape=(3, self.image_size, self.image_size),
                          class_names=images.class_names, info=info)

    def _source(self, request: DataRequest) -> ImageSet:
        if request.dataset == "digits":
            return digits(self.image_size)
        if request.dataset in CIFAR:
            self._check_native_size(request.dataset)
            return cifar(request.dataset, request.root)
        if request.dataset == "hf":
            images, name = hf_images(request.path, self.options, request.root, self.image_size, request.seed)
            images.info["dataset_name"] = name
            return images
        if not request.path:
            raise UserError("--dataset imagefolder needs --data PATH: a folder with train/<class>/ and "
                            "test/<class>/ image folders, e.g. --data ../shared/data/cifar10.")
        folder = load_image_folder(request.path, request.root, self.image_size)
        return ImageSet(folder.train, folder.test, folder.class_names,
                        {"source": f"image folder {request.path}", "cache": str(folder.cache_file),
                         "from_cache": folder.from_cache})

    def _check_native_size(self, dataset: str) -> None:
        if self.image_size != 32:
            raise UserError(f"{dataset} images are 32x32; --image-size {self.image_size} is only for "
                            "imagefolder data. Drop --image-size.")

    def _normalise(self, x: Tensor) -> Tensor:
        if self.mean is None or self.std is None:
            raise RuntimeError("ImageDomain.load must run before preprocess/augment (it fits the normalisation)")
        mean = self.mean.to(x.device).view(1, -1, 1, 1)
        std = self.std.to(x.device).view(1, -1, 1, 1)
        return (x - mean) / std

    def preprocess(self, x: Tensor) -> Tensor:
        return self._normalise(to_unit_float(x))

    def augment(self, x: Tensor, rng: Rng) -> Tensor:
        return self._normalise(random_views(x, self.recipe, rng.torch))

    def linear_eval_view(self, x: Tensor, generator: torch.Generator) -> Tensor:
        # torchvision RandomCrop(32, padding=4) + RandomHorizontalFlip: padding is 1/8 of the side
        return self._normalise(pad_crop_flip(to_unit_float(x), max(1, x.shape[-1] // 8), generator))
