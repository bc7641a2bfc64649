"""A pretrained backbone as a file of its own, for reuse outside the suite (``--save-backbone PATH``).

A checkpoint is for resuming: it holds the optimiser, the queue, the random generators. This
file holds only what a downstream user needs to rebuild the encoder and call ``model(x)``:
the encoder's name and options, the input shape, the weights, and the run's config for
provenance. Everything in it is a tensor or a plain Python value, so ``torch.load(path,
weights_only=True)`` reads it without running any pickled code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from bench.core.atomic import atomic_write
from bench.core.errors import UserError

FORMAT = "imix-bench-backbone"
VERSION = 1


def save_backbone(path: str | Path, backbone: nn.Module, encoder: str, encoder_options: dict[str, Any],
                  input_shape: tuple[int, ...], *, domain: str, dataset: str, config: dict[str, Any],
                  run_id: str | None = None, data: dict[str, Any] | None = None) -> Path:
    """Write the backbone file atomically (a crash leaves the old file or none, never half of one).

    ``run_id`` is the id of the run's record and ``data`` its data section (sizes, provenance), so
    that what is later done with the backbone (``bench transfer``) can name the run and the data.
    """
    path = Path(path).expanduser()
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in backbone.state_dict().items()}
    payload = {
        "format": FORMAT, "version": VERSION, "encoder": encoder, "encoder_options": dict(encoder_options or {}),
        "input_shape": [int(n) for n in input_shape], "feature_dim": int(getattr(backbone, "feature_dim", 0)),
        "domain": domain, "dataset": dataset, "config": config, "run_id": run_id, "data": plain(data or {}),
        "state_dict": state,
    }
    with atomic_write(path) as file:
        torch.save(payload, file)
    return path


def plain(value: dict[str, Any]) -> dict[str, Any]:
    """JSON values only (as the record stores them), so ``weights_only=True`` can read them back."""
    return json.loads(json.dumps(value, default=str))


def read_backbone_file(path: str | Path) -> dict[str, Any]:
    """The file's contents, checked; a UserError says what is wrong with a file that is not one."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"no backbone file at {path}. Write one with `python -m bench run ... --save-backbone {path}`.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # not a torch file, or one holding pickled objects
        raise UserError(f"{path} is not a backbone file ({type(error).__name__}: {str(error).splitlines()[0]}). "
                        "Backbone files are written by --save-backbone; a --checkpoint-dir file is not one.") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise UserError(f"{path} is a torch file but not an imix-bench backbone (written by --save-backbone).")
    if payload.get("version", 0) > VERSION:
        raise UserError(f"{path} was written by a newer imix-bench (backbone format {payload['version']}); "
                        "upgrade imix-bench to read it.")
    return payload


def load_backbone(path: str | Path, device: str | torch.device = "cpu") -> nn.Module:
    """The saved encoder, rebuilt, in eval mode and frozen: ``model(x)`` gives its features.

    ``x`` is a batch of model inputs of the saved ``input_shape``, prepared as the domain's
    ``preprocess`` prepares them (``bench.api.features`` does that for a whole data set). The
    file's other fields are on ``model.backbone_info``.
    """
    from encoders import build_encoder

    payload = read_backbone_file(path)
    model = build_encoder(payload["encoder"], tuple(payload["input_shape"]), payload["encoder_options"])
    model.load_state_dict(payload["state_dict"])
    model.backbone_info = {k: v for k, v in payload.items() if k != "state_dict"}
    return model.to(device).eval().requires_grad_(False)
