"""The text domain's tokenizer (domains/tokenize.py): fitted on training text only, cached, reproducible ids."""

from __future__ import annotations

import pytest

pytest.importorskip("tokenizers")

from domains.base import DataRequest
from domains.text import TextDomain
from domains.tokenize import MASK_ID, UNK_ID, TokenizerSettings, cached_tokenizer, encode_texts, fit_tokenizer
from text_fixtures import animal_sentences

TEXTS = ["the dog runs", "the cat sleeps", "a dog and a cat", "the dog sleeps", "zebras run"] * 3
SMALL = TokenizerSettings(vocab_size=60, max_length=6, min_frequency=1)


def test_ids_are_padding_unknown_mask_then_pieces_cut_and_padded_to_max_length():
    tokenizer = fit_tokenizer(TEXTS, SMALL)
    assert [tokenizer.id_to_token(i) for i in (0, UNK_ID, MASK_ID)] == ["[PAD]", "[UNK]", "[MASK]"]
    encoded = encode_texts(tokenizer, ["The DOG runs", "a dog and a cat and a dog", "€"], SMALL.max_length)
    assert encoded.ids.shape == (3, 6)
    assert [tokenizer.id_to_token(i) for i in encoded.ids[0, :3].tolist()] == ["the", "dog", "runs"]  # lower-cased
    assert encoded.ids[0, 3:].tolist() == [0, 0, 0]
    assert encoded.lengths.tolist() == [3, 6, 1] and encoded.truncated == 1
    assert encoded.ids[2, 0] == UNK_ID  # a character never seen in training


def test_fitting_twice_gives_the_same_ids():
    first, second = fit_tokenizer(TEXTS, SMALL), fit_tokenizer(TEXTS, SMALL)
    assert first.get_vocab() == second.get_vocab()


def test_the_cache_is_keyed_by_the_training_texts_and_settings(tmp_path):
    tokenizer, path, was_cached = cached_tokenizer(TEXTS, SMALL, tmp_path)
    assert not was_cached and path.is_file() and path.parent == tmp_path / "text" / "tokenizers"
    again, same_path, was_cached = cached_tokenizer(TEXTS, SMALL, tmp_path)
    assert was_cached and same_path == path and again.get_vocab() == tokenizer.get_vocab()
    assert cached_tokenizer(TEXTS[:-1], SMALL, tmp_path)[1] != path  # other texts: another fit
    assert cached_tokenizer(TEXTS, TokenizerSettings(vocab_size=61, max_length=6, min_frequency=1), tmp_path)[1] != path


def test_the_vocabulary_is_fitted_on_the_training_split_only(tmp_path):
    table = animal_sentences(40, planted="xylophonist")  # the last row: the planted word, twice so it would count
    table.loc[len(table) - 1, "text"] += " xylophonist"
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    vocabularies = {}
    for split_seed in range(20):  # a split with the planted row in the test split, and one with it in training
        domain = TextDomain(vocab_size=200, split_seed=split_seed)
        data = domain.load(DataRequest("csv", str(path), str(tmp_path / "root"), 0))
        planted_in_test = any("xylophonist" in text for text in domain.texts[1])
        vocabularies.setdefault(planted_in_test, (data, open(data.info["tokenizer"]["cache"], encoding="utf-8").read()))
        if len(vocabularies) == 2:
            break
    data, vocab = vocabularies[True]
    assert "xylophonist" not in vocab and "xylo" not in vocab
    assert "hammer" in vocab  # a training word is in it
    assert data.info["tokenizer"]["fitted_on"] == f"the training split only ({len(data.train)} texts)"
    assert "xylophonist" in vocabularies[False][1]  # the control: in training, the word gets a piece
