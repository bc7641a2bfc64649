"""Texts to token ids with a vocabulary fitted on the training split only (Hugging Face ``tokenizers``).

A WordPiece vocabulary is trained on the training texts in a second or two and cached
under the data root by a digest of those texts and the settings, so a run never fits on a test
text and equal requests share one file. Ids: 0 padding, 1 unknown, 2 mask (the masking view),
then the learned pieces; every sequence is cut or padded to ``max_length``, real tokens first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch
from torch import Tensor

from bench.core.errors import UserError
from encoders.text_embedding import PAD_ID

from .kit import cached

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[MASK]")  # ids 0, 1, 2
UNK_ID, MASK_ID = 1, 2
PARALLELISM = "TOKENIZERS_PARALLELISM"


@dataclass(frozen=True)
class TokenizerSettings:
    vocab_size: int = 8000
    max_length: int = 32
    lowercase: bool = True  # BERT's normaliser: lower case, accents stripped, Chinese characters split
    min_frequency: int = 2  # a piece must occur twice in the training texts


def _import_tokenizers():
    try:
        import tokenizers
    except ImportError:
        raise UserError("the text domain needs the Hugging Face tokenizers package: pip install tokenizers "
                        "(a dependency of imix-bench; reinstall it with pip install -e .).") from None
    return tokenizers


@contextlib.contextmanager
def serial_tokenizers() -> Iterator[None]:
    """Train on one thread: the parallel trainer now and then breaks ties between equally frequent
    pieces differently (1 fit in 4 had 10 of 8,000 pieces changed on WordNet's nouns); serial, it
    gave the same vocabulary in every one of 9 fits, for about a second more."""
    saved = os.environ.get(PARALLELISM)
    os.environ[PARALLELISM] = "false"  # read by tokenizers at each call
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(PARALLELISM, None)
        else:
            os.environ[PARALLELISM] = saved


def fit_tokenizer(texts: list[str], settings: TokenizerSettings):
    """A ``tokenizers.Tokenizer`` (WordPiece) trained on ``texts`` alone."""
    tk = _import_tokenizers()
    tokenizer = tk.Tokenizer(tk.models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = tk.normalizers.BertNormalizer(lowercase=settings.lowercase)
    tokenizer.pre_tokenizer = tk.pre_tokenizers.BertPreTokenizer()  # words and punctuation apart
    trainer = tk.trainers.WordPieceTrainer(vocab_size=settings.vocab_size, min_frequency=settings.min_frequency,
                                           special_tokens=list(SPECIAL_TOKENS), show_progress=False)
    with serial_tokenizers():
        tokenizer.train_from_iterator(texts, trainer=trainer, length=len(texts))
    # The trainer learns the same pieces every time but numbers some of them in hash order, which
    # differs between processes; WordPiece cuts words by the pieces alone, so renumbering them
    # (special tokens first, then in text order) changes no cut and makes the ids reproducible.
    pieces = sorted(set(tokenizer.get_vocab()) - set(SPECIAL_TOKENS))
    vocab = {token: i for i, token in enumerate([*SPECIAL_TOKENS, *pieces])}
    tokenizer.model = tk.models.WordPiece(vocab, unk_token="[UNK]")
    return tokenizer


def cache_path(texts: list[str], settings: TokenizerSettings, root: str | Path) -> Path:
    """Where the tokenizer fitted on exactly these texts with these settings is kept."""
    digest = hashlib.sha256(json.dumps(asdict(settings), sort_keys=True).encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return Path(root) / "text" / "tokenizers" / f"wordpiece-{settings.vocab_size}-{digest.hexdigest()[:16]}.json"


def cached_tokenizer(texts: list[str], settings: TokenizerSettings, root: str | Path) -> tuple[Any, Path, bool]:
    """The fitted tokenizer, its cache file, and whether it came from the cache."""
    tk = _import_tokenizers()
    path = cache_path(texts, settings, root)
    was_cached = path.exists()
    tokenizer = cached(path, lambda: fit_tokenizer(texts, settings),
                       lambda value, file: file.write(value.to_str().encode("utf-8")),
                       lambda p: tk.Tokenizer.from_file(str(p)))
    return tokenizer, path, was_cached


@dataclass
class EncodedTexts:
    ids: Tensor  # (N, max_length) int64, PAD_ID after the real tokens
    lengths: np.ndarray  # real tokens per text, after cutting
    truncated: int  # texts longer than max_length


def encode_texts(tokenizer, texts: list[str], max_length: int) -> EncodedTexts:
    tokenizer.no_padding()
    tokenizer.no_truncation()
    encodings = tokenizer.encode_batch(texts, add_special_tokens=False)
    ids = np.full((len(texts), max_length), PAD_ID, dtype=np.int64)
    lengths = np.zeros(len(texts), dtype=np.int64)
    truncated = 0
    for row, encoding in enumerate(encodings):
        pieces = encoding.ids[:max_length]
        truncated += len(encoding.ids) > max_length
        ids[row, :len(pieces)] = pieces
        lengths[row] = len(pieces)
    return EncodedTexts(torch.from_numpy(ids), lengths, truncated)


def describe(settings: TokenizerSettings, tokenizer, n_fit: int, path: Path, from_cache: bool,
             encoded: dict[str, EncodedTexts]) -> dict[str, Any]:
    """The tokenizer's settings and what it made of the data, for the record."""
    return {"kind": "wordpiece", **asdict(settings), "library": f"tokenizers {_import_tokenizers().__version__}",
            "vocab_size_fitted": tokenizer.get_vocab_size(), "fitted_on": f"the training split only ({n_fit} texts)",
            "special_tokens": list(SPECIAL_TOKENS), "cache": str(path), "from_cache": from_cache,
            **{f"{split}_mean_tokens": round(float(e.lengths.mean()), 2) for split, e in encoded.items()},
            **{f"{split}_truncated": int(e.truncated) for split, e in encoded.items()}}
