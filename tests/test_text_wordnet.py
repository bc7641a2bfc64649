"""The WordNet reader (domains/wordnet.py): the real line format, the shipped file, and its errors."""

from __future__ import annotations

import gzip

import pytest

from bench.core.errors import UserError
from domains import wordnet
from domains.base import DataRequest
from domains.text import TextDomain
from text_fixtures import write_wordnet


def test_a_database_folder_gives_glosses_and_supersenses_without_lemmas(tmp_path):
    rows = wordnet.read_database(write_wordnet(tmp_path / "wn"))
    assert [(r.ss_type, r.supersense) for r in rows] == [
        ("n", "noun.Tops"), ("n", "noun.animal"), ("n", "noun.person"), ("v", "verb.change"),
        ("a", "adj.all"), ("s", "adj.all"), ("r", "adv.all")]
    # the gloss is everything after " | ": definition and quoted examples, ';' and parentheses kept
    assert rows[1].gloss == 'a living organism characterized by voluntary movement; "the animals fled"'
    assert rows[2].gloss == 'someone who runs a café (a small restaurant); "the café owner greeted the naïve tourist"'
    assert rows[4].gloss.startswith("(usually followed by `to') having the necessary means")
    assert rows[3].gloss == 'be set at a disadvantage; "This author really suffers in translation"'  # after verb frames
    assert not any("animate_being" in r.gloss or "café_owner" in r.gloss for r in rows)  # the lemmas are dropped
    assert rows[0].offset == "00001740" and rows[0].lex_filenum == 3


def test_the_gloss_file_round_trips_and_filters_parts_of_speech(tmp_path):
    rows = wordnet.read_database(write_wordnet(tmp_path / "wn"))
    wordnet.write_gloss_file(rows, tmp_path / "g.tsv.gz")
    assert wordnet.read_gloss_file(tmp_path / "g.tsv.gz") == rows
    assert [r.ss_type for r in wordnet.read_gloss_file(tmp_path / "g.tsv.gz", ("adj",))] == ["a", "s"]
    first = (tmp_path / "g.tsv.gz").read_bytes()
    wordnet.write_gloss_file(rows, tmp_path / "g.tsv.gz")
    assert (tmp_path / "g.tsv.gz").read_bytes() == first  # no timestamp: a rebuild gives the same bytes


def test_the_shipped_file_is_small_licensed_and_holds_wordnet_30():
    assert wordnet.SHIPPED.stat().st_size <= 5_000_000
    licence = (wordnet.SHIPPED.parent / "WORDNET-LICENSE").read_text()
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in licence
    rows = wordnet.read_gloss_file()
    assert len(rows) == 117_659 and len({r.lex_filenum for r in rows}) == 45
    nouns = [r for r in rows if r.ss_type == "n"]
    assert len(nouns) == 82_115 and len({r.supersense for r in nouns}) == 26
    assert all(r.gloss for r in rows)


def test_the_shipped_file_is_what_the_regeneration_command_makes(shared_data, tmp_path):
    folder = shared_data / "wordnet"
    if not (folder / "data.noun").is_file():
        pytest.skip("no WordNet database in the shared data")
    assert wordnet.main([str(folder), str(tmp_path / "g.tsv.gz")]) == 0
    assert (tmp_path / "g.tsv.gz").read_bytes() == wordnet.SHIPPED.read_bytes()


def test_bad_folders_and_lines_name_what_is_wrong(tmp_path):
    with pytest.raises(UserError, match="no such folder.*WordNet 3.x database folder"):
        wordnet.read_database(tmp_path / "missing")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "data.noun").write_text("")
    with pytest.raises(UserError, match="has no data.verb, data.adj, data.adv"):
        wordnet.read_database(tmp_path / "half")
    write_wordnet(tmp_path / "broken", {"noun": ["this is not a synset line"]})
    with pytest.raises(UserError, match=r"data.noun:4: not a WordNet data line"):
        wordnet.read_database(tmp_path / "broken", ("noun",))
    with gzip.open(tmp_path / "other.gz", "wt") as file:
        file.write("a\tb\n")
    with pytest.raises(UserError, match="not a WordNet gloss file"):
        wordnet.read_gloss_file(tmp_path / "other.gz")


def test_the_domain_reads_data_dir_with_a_split_fixed_across_run_seeds(tmp_path):
    lines = {part: [] for part in wordnet.PARTS}
    for i in range(40):  # two supersenses, 20 glosses each
        number, word = (5, "animal") if i % 2 else (20, "plant")
        lines["noun"].append(f"{i:08d} {number:02d} n 01 w{i} 0 000 | a {word} of kind {i}; \"seen {i} times\"  ")
    folder = write_wordnet(tmp_path / "wn", lines)
    splits = []
    for seed in (0, 1):
        domain = TextDomain(vocab_size=50)
        data = domain.load(DataRequest("wordnet-nouns", str(folder), str(tmp_path / "root"), seed))
        splits.append(data.test.x)
        assert data.class_names == ["noun.animal", "noun.plant"]
        assert (len(data.train), len(data.test)) == (32, 8)
        assert data.info["test_class_counts"] == {"noun.animal": 4, "noun.plant": 4}
        assert data.info["source"] == f"WordNet database folder {folder}"
    assert (splits[0] == splits[1]).all()
