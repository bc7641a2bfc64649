"""What every pretraining method provides to the trainer."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor, nn

from bench.training.mixing import Mix


class Method(nn.Module):
    """A backbone plus whatever a method trains around it (heads, EMA copies, queues).

    The trainer calls ``loss`` on the (possibly mixed) query view and the clean key view,
    steps the optimiser, then calls ``after_step`` (EMA updates, queue pushes). With --mix-layer
    above 0 the query is mixed inside ``backbone`` instead, which fills in ``mix`` when it runs:
    read ``mix`` after calling the backbone (bench/training/hidden_mix.py).
    ``backbone`` is what gets evaluated once pretraining ends.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    supports_imix: ClassVar[bool] = True
    needs_key_view: ClassVar[bool] = True
    imix_refusal: ClassVar[str] = ""

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        raise NotImplementedError

    def after_step(self) -> None:
        """Called once after each optimiser step."""
