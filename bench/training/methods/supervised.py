"""A supervised reference: the same backbone trained on the real labels.

It answers "how far is self-supervision from using the labels" in the result tables.
With i-Mix on, this is plain MixUp: the real labels are mixed instead of virtual ones.
"""

from __future__ import annotations

from torch import Tensor, nn

from bench.training.mixing import Mix
from bench.training.methods.base import BuildContext, Method
from bench.training.methods.virtual_labels import mixed_cross_entropy


class Supervised(Method):
    name = "supervised"
    summary = "Reference: cross-entropy on the real labels (with --imix: MixUp on labels)"
    needs_key_view = False

    def __init__(self, backbone, feature_dim: int, *, n_classes: int) -> None:
        super().__init__(backbone)
        self.classifier = nn.Linear(feature_dim, n_classes)

    @classmethod
    def from_config(cls, cfg, backbone, feature_dim: int, context: BuildContext) -> "Supervised":
        return cls(backbone, feature_dim, n_classes=context.n_classes)

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        return mixed_cross_entropy(self.classifier(self.backbone(query)), labels, mix)
