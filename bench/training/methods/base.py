"""What every pretraining method provides to the trainer."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor, nn

from bench.training.mixing import Mix


class Method(nn.Module):
    """A backbone plus whatever a method trains around it (heads, EMA copies, queues).

    The trainer calls ``loss`` on the (possibly mixed) query view and the clean key view,
    steps the optimiser, then calls ``after_step`` (EMA updates, queue pushes).
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

    def between_directions(self) -> None:
        """Called between the two directions of the official symmetric loss (--symmetric): the official
        builder.py updates the EMA encoder before, and the queue after, each direction's keys."""
