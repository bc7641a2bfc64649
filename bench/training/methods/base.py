"""What every pretraining method provides to the trainer, and what it declares about its settings.

A method owns its settings the way a domain owns its flags: its own options (``options``, stored in
the record as ``config.method_options``), its values for shared settings (``defaults``), the shared
settings only it reads (``exclusive``: refused, with the method's words, for every other method), its own refusals
(``check``), what it decides itself once the settings are known (``complete``), and how it is built
from them (``from_config``). Registering it is one line in ``bench/training/methods/__init__.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.core.options import Option
from bench.training.mixing import Mix


@dataclass(frozen=True)
class BuildContext:
    """What a method may need to know about the data when it is built."""

    n_classes: int
    n_train: int
    generator: torch.Generator | None = None


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
    aliases: ClassVar[tuple[str, ...]] = ()
    supports_imix: ClassVar[bool] = True
    needs_key_view: ClassVar[bool] = True
    imix_refusal: ClassVar[str] = ""
    options: ClassVar[tuple[Option, ...]] = ()
    defaults: ClassVar[dict[str, Any]] = {}
    # Shared settings only this method reads -> what they apply to, for the refusal any other method gives
    # when one is set ("{method}" is the method asked for).
    exclusive: ClassVar[dict[str, str]] = {}

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone

    @classmethod
    def check(cls, cfg: RunConfig) -> None:
        """Refuse settings that have no meaning for this method, before any data is loaded."""
        if cfg.imix and not cls.supports_imix:
            raise UserError(f"--imix is not available for --method {cfg.method}: {cls.imix_refusal}")

    @classmethod
    def complete(cls, cfg: RunConfig) -> None:
        """Fill in, on the resolved config, what this method decides itself (so the record stores it)."""

    @classmethod
    def from_config(cls, cfg: RunConfig, backbone: nn.Module, feature_dim: int, context: BuildContext) -> "Method":
        raise NotImplementedError(f"{cls.__name__} must say how it is built from the run's settings")

    @staticmethod
    def head_settings(cfg: RunConfig, feature_dim: int) -> dict[str, Any]:
        """The projection head's settings; its hidden layer is as wide as the backbone's features by
        default, as the official heads (builder.py: dim_mlp = dim_in)."""
        return dict(proj_hidden=cfg.proj_hidden or feature_dim, proj_dim=cfg.proj_dim, proj_head=cfg.proj_head)

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        raise NotImplementedError

    def after_step(self) -> None:
        """Called once after each optimiser step."""

    def between_directions(self) -> None:
        """Called between the two directions of the official symmetric loss (--symmetric): the official
        builder.py updates the EMA encoder before, and the queue after, each direction's keys."""
