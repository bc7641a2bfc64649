"""The two views of a batch that the trainer hands to a method: the domain's augmentations, or the
clean input (--no-aug, and e-Mix), with a strategy's positives and InputMix on top."""

from __future__ import annotations

import torch
from torch import Tensor

from domains.base import Domain

from bench.core.config import RunConfig
from bench.core.rng import Rng
from bench.training.methods import Method
from bench.training.mixing import input_mix
from bench.training.strategies import strategy_of


def make_views(domain: Domain, method: Method, x: Tensor, rng: Rng, cfg: RunConfig) -> tuple[Tensor, Tensor | None]:
    """The query and key views of a batch: augmented, or clean with --no-aug or e-Mix; DACL's or
    Gaussian positives made from each; InputMix over both views stacked as the official builder.py mixes them."""
    strategy = strategy_of(cfg)
    clean = cfg.no_aug or (strategy is not None and strategy.clean_views)

    def view() -> Tensor:
        if not clean:
            made = domain.augment(x, rng)
        else:
            made = domain.preprocess(x)
            if cfg.no_aug and cfg.no_aug_inputdrop != "off":  # input dropout is not augmentation: the official
                made = domain.drop_inputs(made, rng)  # --inputdrop ignores --no-aug
        return strategy.positive(made, rng, cfg) if strategy is not None and strategy.positive else made

    query = view()
    key = view() if method.needs_key_view else None
    if cfg.inputmix:
        both = input_mix(query if key is None else torch.cat([query, key]), rng, alpha=cfg.alpha2)
        query, key = (both, None) if key is None else (both[: len(query)], both[len(query):])
    if cfg.channels_last and query.dim() == 4:
        query = query.contiguous(memory_format=torch.channels_last)
        key = key.contiguous(memory_format=torch.channels_last) if key is not None else None
    return query, key
