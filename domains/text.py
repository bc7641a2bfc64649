"""Text: token sequences, where the raw inputs cannot be mixed and i-Mix mixes their embeddings.

The default data is real and offline: WordNet 3.0 glosses labelled by their supersense (the
lexicographer file), read from the compact file shipped in ``domains/data/`` or from a WordNet
database folder (``--data DIR``); also any text table and Hugging Face text datasets. A WordPiece
vocabulary is fitted on the training texts only (``domains/tokenize.py``); samples are stored as
(max_length,) token ids and stay integers: views crop, delete, shuffle and mask tokens
(``domains/text_augment.py``). Two token sequences have no average, so the domain declares
``input_mixable = False`` and i-Mix mixes after the encoder's embedding step, as DABS's e-Mix does.
The raw-input reference is TF-IDF of the words with the run's probe (``domains/text_reference.py``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import numpy as np
import torch
from torch import Tensor

from bench.core.errors import UserError
from bench.core.options import Option
from bench.core.rng import Rng

from . import wordnet
from .base import DataRequest, Domain, DomainData, Split
from .hf_source import DESCRIPTION as HF_DESCRIPTION, hf_options
from .kit import encode_labels
from .text_augment import TextViews, text_view
from .text_reference import tfidf_features
from .text_tables import TextTable, file_table, held_out_table, hf_table, unseen_label_error
from .tokenize import TokenizerSettings, cached_tokenizer, describe, encode_texts

WORDNET = {"wordnet-nouns": ("noun",), "wordnet-all": wordnet.PARTS}
_fraction = dict(valid=lambda v: 0 <= v < 1, valid_text="[0, 1)")


def wordnet_table(dataset: str, path: str | None, options: dict[str, Any]) -> TextTable:
    """Glosses and supersense names of the chosen parts of speech, with the fixed held-out split."""
    parts = WORDNET[dataset]
    rows = wordnet.read_database(path, parts) if path else wordnet.read_gloss_file(wordnet.SHIPPED, parts)
    source = f"WordNet database folder {path}" if path else f"WordNet 3.0, shipped as domains/data/{wordnet.SHIPPED.name}"
    info = {"source": source, "task": "the supersense (lexicographer file) of a synset from its gloss alone; "
                                      "lemmas are not part of the input", "parts_of_speech": list(parts)}
    names = [f"synset {r.offset}-{r.ss_type}" for r in rows]
    return held_out_table([r.gloss for r in rows], np.array([r.supersense for r in rows]), names, options, dataset,
                          info)


class TextDomain(Domain):
    name = "text"
    summary = "token sequences; crop/delete/shuffle/mask views; i-Mix on the token embeddings; small transformer"
    datasets = {
        "wordnet-nouns": "WordNet 3.0 noun glosses by supersense (26 classes, 82,115 glosses), shipped with "
                         "imix-bench, no download (or --data DIR: a WordNet 3.x database folder); 20% stratified "
                         "test split, the same for every run seed",
        "wordnet-all": "every WordNet 3.0 gloss by supersense: nouns, verbs, adjectives, adverbs (45 classes, "
                       "117,659 glosses); shipped, or --data DIR",
        "csv": "any text table: --data FILE (CSV, TSV, Parquet, JSON lines) --text-column C --label-column L "
               "[--test-data FILE | --test-size F --split-seed S]",
        "hf": HF_DESCRIPTION + "; --text-column, --label-column",
    }
    default_encoder = "text-transformer"
    mixers = ("mixup",)
    raw_probe = True  # TF-IDF of the words (raw_features), not the token ids
    input_mixable = False

    flags = (
        Option("text_column", str, None, "csv/hf: the column of texts (default: 'text'; hf: else the only string "
                                         "column)"),
        Option("label", str, None, "csv/hf: the label column (default: 'label'; hf: the ClassLabel column)",
               flag="--label-column", aliases=("--label",)),
        Option("test_data", help="csv: a second table, read like --data, as the test split"),
        Option("test_size", float, 0.2, "the held-out test fraction of every class where the data has no test split",
               valid=lambda v: 0 < v < 1, valid_text="(0, 1)"),
        Option("split_seed", int, 0, "seed of that held-out split: fixed, so every run seed sees the same split"),
        Option("max_samples", int, None, "use a stratified subset of at most N samples in all (the same fraction of "
               "each split, the same for every run seed); for quick runs", valid=lambda n: n >= 4, valid_text="[4, inf)"),
        Option("vocab_size", int, 8000, "WordPiece vocabulary size, fitted on the training texts only",
               valid=lambda n: n >= 16, valid_text="[16, inf)"),
        # 24 covers 77% of the noun glosses whole (median 15 tokens; what is cut is mostly the quoted examples
        # after the definition) and trains about 1.5x faster than 32: an epoch of the nouns in about a minute
        Option("max_length", int, 24, "tokens per sequence: longer texts are cut, shorter ones padded",
               valid=lambda n: n >= 2, valid_text="[2, inf)"),
        Option("crop", float, 0.8, "views keep a contiguous run of at least this fraction of the tokens (1: off)",
               valid=lambda v: 0 < v <= 1, valid_text="(0, 1]"),
        Option("delete_rate", float, 0.1, "views drop each token with this probability", **_fraction),
        Option("shuffle_distance", int, 3, "views move tokens by up to this many places (0: off)",
               valid=lambda n: n >= 0, valid_text="[0, inf)"),
        Option("mask_rate", float, 0.15, "views replace each token by [MASK] with this probability", **_fraction),
        # 1024: on the 65,692 training nouns 66.7% with the logistic probe in 118 s, against 59.9% in 78 s at 512
        Option("tfidf_features", int, 1024, "words in the TF-IDF reference (the raw probe's features)",
               valid=lambda n: n >= 1, valid_text="[1, inf)"),
        *hf_options(),
    )

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        o = self.options
        self.views = TextViews(o["crop"], o["delete_rate"], o["shuffle_distance"], o["mask_rate"])
        self.texts: tuple[list[str], list[str]] | None = None  # for the TF-IDF reference

    def defaults(self, dataset: str) -> dict[str, Any]:
        # AdamW, as transformers are trained; SGD at the bench's lr 0.125 does not train this one.
        settings = {"optimizer": "adamw", "lr": 1e-3, "weight_decay": 1e-4, "batch_size": 256, "epochs": 10,
                    "warmup_epochs": 1, "temperature": 0.2,
                    "mix_layer": "1"}  # i-Mix after the embedding: token ids cannot be mixed (input_mixable)
        return settings

    def table(self, request: DataRequest) -> TextTable:
        if request.dataset in WORDNET:
            return wordnet_table(request.dataset, request.path, self.options)
        if request.dataset == "hf":
            return hf_table(request.path, self.options)
        return file_table(request.path, self.options)

    def load(self, request: DataRequest) -> DomainData:
        o = self.options
        table = self.table(request).subset(o["max_samples"])
        error = unseen_label_error(table)
        if error is not None:
            raise error
        labels = encode_labels(table.train_labels, table.test_labels)
        settings = TokenizerSettings(vocab_size=o["vocab_size"], max_length=o["max_length"])
        tokenizer, path, from_cache = cached_tokenizer(table.train_texts, settings, request.root)
        encoded = {"train": encode_texts(tokenizer, table.train_texts, settings.max_length),
                   "test": encode_texts(tokenizer, table.test_texts, settings.max_length)}
        for split, texts in (("train", table.train_texts), ("test", table.test_texts)):
            empty = np.flatnonzero(encoded[split].lengths == 0)
            if len(empty):
                raise UserError(f"{len(empty)} {split} texts have no token after normalisation (e.g. "
                                f"{texts[empty[0]]!r}); drop them, they hold nothing to learn from.")
        self.texts = (table.train_texts, table.test_texts)
        info = {**table.info, "tokenizer": describe(settings, tokenizer, len(table.train_texts), path, from_cache,
                                                    encoded),
                "vocab_size": tokenizer.get_vocab_size(),  # an encoder hint: the embedding's size
                "views": dataclasses.asdict(self.views), "input_mixable": False,
                "mix_point": "i-Mix mixes the embedded tokens (after encoder block 1), never the token ids",
                "raw_reference": "TF-IDF of the words with the run's probe (the raw_probe field)",
                **class_counts(labels.class_names, labels.train, labels.test)}
        return DomainData(
            dataset=table.name, train=Split(encoded["train"].ids, torch.as_tensor(labels.train)),
            test=Split(encoded["test"].ids, torch.as_tensor(labels.test)), n_classes=len(labels.class_names),
            input_shape=(settings.max_length,), class_names=labels.class_names, info=info,
        )

    def preprocess(self, x: Tensor) -> Tensor:
        return x.long()  # token ids, as stored: the encoder embeds them

    def augment(self, x: Tensor, rng: Rng) -> Tensor:
        return text_view(self.preprocess(x), self.views, rng.torch)

    def raw_features(self, data: DomainData) -> tuple[Tensor, Tensor]:
        if self.texts is None:
            raise RuntimeError("TextDomain.load must run before raw_features (it keeps the texts)")
        train, test, info = tfidf_features(*self.texts, self.options["tfidf_features"])
        data.info.update(info)
        return train, test


def class_counts(names: list[str], train: np.ndarray, test: np.ndarray) -> dict[str, Any]:
    """Samples per class in each split, by class name, for the record."""
    count = lambda y: {names[c]: n for c, n in sorted(Counter(y.tolist()).items())}
    return {"train_class_counts": count(train), "test_class_counts": count(test)}
