"""The text domain end to end: text tables and Hugging Face sets, bad inputs (exit 2), the record, bench list."""

from __future__ import annotations

import json
import os

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # before datasets is imported: no test may reach the Hub
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pandas as pd
import pytest
import torch

pytest.importorskip("tokenizers")

from bench.cli import main
from domains.base import DataRequest, Domain
from domains.checks import view_problems
from domains.text import TextDomain
from text_fixtures import animal_sentences

SMALL = ["--epochs", "1", "--batch-size", "16", "--width", "32", "--depth", "1", "--proj-dim", "8",
         "--proj-hidden", "16", "--vocab-size", "100", "--tfidf-features", "32", "--quiet"]


def run(tmp_path, *argv: str, code: int = 0, capsys=None) -> dict | str:
    results = tmp_path / "runs.jsonl"
    status = main(["run", "--domain", "text", *SMALL, *argv, "--results", str(results),
                   "--data-root", str(tmp_path / "root")])
    if code:
        assert status == code
        err = capsys.readouterr().err
        assert "Traceback" not in err and not results.exists()
        return err
    assert status == 0
    return json.loads(results.read_text().splitlines()[-1])


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "pets.csv"
    animal_sentences(60).to_csv(path, index=False)
    return path


def test_the_shipped_wordnet_nouns_run_one_epoch_and_the_record_says_what_ran(tmp_path):
    record = run(tmp_path, "--max-samples", "300")
    assert (record["domain"], record["dataset"], record["imix"]) == ("text", "wordnet-nouns-300", False)
    data = record["data"]
    assert (data["n_train"], data["n_test"], data["input_shape"]) == (240, 60, [24])
    assert sum(data["train_class_counts"].values()) == 240 and sum(data["test_class_counts"].values()) == 60
    assert "noun.animal" in data["train_class_counts"] and data["n_classes"] == len(data["train_class_counts"])
    assert data["tokenizer"]["vocab_size"] == 100 and data["tokenizer"]["max_length"] == 24
    assert data["vocab_size"] == data["tokenizer"]["vocab_size_fitted"] <= 100
    assert "embedded tokens" in data["mix_point"] and data["input_mixable"] is False
    assert "TF-IDF" in data["raw_reference"] and 0 < record["raw_probe"]["accuracy"] <= 1
    assert record["encoder"] == "text-transformer" and record["config"]["optimizer"] == "adamw"
    assert 0 < record["probe"]["accuracy"] <= 1 and 0 < record["knn"]["accuracy"] <= 1


def test_an_untrained_encoder_is_the_epochs_0_reference(tmp_path):
    record = run(tmp_path, "--max-samples", "200", "--epochs", "0", "--encoder", "text-cnn")
    assert record["loss_curve"] == [] and record["encoder"] == "text-cnn" and record["probe"]["accuracy"] > 0


def test_a_csv_and_the_same_table_saved_as_a_hf_dataset_give_the_same_split_and_numbers(tmp_path, table):
    datasets = pytest.importorskip("datasets")
    saved = tmp_path / "pets_hf"
    datasets.Dataset.from_pandas(pd.read_csv(table)).save_to_disk(str(saved))
    from_csv = run(tmp_path, "--dataset", "csv", "--data", str(table), "--text-column", "text",
                   "--label-column", "label")
    from_hf = run(tmp_path, "--dataset", "hf", "--data", str(saved))
    assert (from_csv["dataset"], from_hf["dataset"]) == ("csv:pets", "hf:pets_hf")
    for key in ("n_train", "n_test", "train_class_counts", "test_class_counts"):
        assert from_csv["data"][key] == from_hf["data"][key]
    assert from_csv["data"]["tokenizer"]["cache"] == from_hf["data"]["tokenizer"]["cache"]  # the same training texts
    for key in ("probe", "knn", "raw_probe"):
        assert from_csv[key]["accuracy"] == from_hf[key]["accuracy"]
    assert from_csv["loss_curve"] == from_hf["loss_curve"]


def test_tsv_parquet_and_json_lines_read_the_same_rows(tmp_path, table):
    frame = pd.read_csv(table)
    frame.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    loaded = []
    for name in ("t.tsv", "t.parquet", "t.jsonl"):
        domain = TextDomain(vocab_size=100)
        data = domain.load(DataRequest("csv", str(tmp_path / name), str(tmp_path / "root"), 0))
        loaded.append((domain.texts, data.train.x, data.test.y))
    assert all(l[0] == loaded[0][0] and torch.equal(l[1], loaded[0][1]) and torch.equal(l[2], loaded[0][2])
               for l in loaded)


def test_a_test_file_gives_the_test_split(tmp_path, table):
    animal_sentences(10).to_csv(tmp_path / "test.csv", index=False)
    data = TextDomain(vocab_size=100, test_data=str(tmp_path / "test.csv")).load(
        DataRequest("csv", str(table), str(tmp_path / "root"), 0))
    assert (len(data.train), len(data.test)) == (60, 10) and data.info["test_split"].startswith("test file")


BAD = [
    ("empty-text", lambda d: d.assign(text=[*d.text[:4], "  ", *d.text[5:]]), [],
     r"pets.csv row 5, line 6 has an empty text in column 'text' \(1 such rows\)\. Every sample needs a text"),
    ("missing-text-column", lambda d: d.rename(columns={"text": "sentence"}), [],
     r"pets.csv has no column 'text' \(the text column\); its columns: sentence, label\. Name it with --text-column"),
    ("missing-label-column", lambda d: d, ["--label-column", "kind"],
     r"pets.csv has no column 'kind' \(the label column\); its columns: text, label"),
]


@pytest.mark.parametrize("case, change, flags, message", BAD, ids=[b[0] for b in BAD])
def test_bad_tables_name_the_file_the_row_and_the_fix(case, change, flags, message, tmp_path, capsys):
    path = tmp_path / "pets.csv"
    change(animal_sentences(60)).to_csv(path, index=False)
    err = run(tmp_path, "--dataset", "csv", "--data", str(path), *flags, code=2, capsys=capsys)
    assert __import__("re").search(message, err), err


def test_a_label_seen_only_in_the_test_file_is_named_with_its_row(tmp_path, table, capsys):
    test = animal_sentences(6)
    test.loc[3, "label"] = "vehicle"
    test.to_json(tmp_path / "test.jsonl", orient="records", lines=True)
    err = run(tmp_path, "--dataset", "csv", "--data", str(table), "--test-data", str(tmp_path / "test.jsonl"),
              code=2, capsys=capsys)
    assert "test.jsonl row 4, line 4 has the label 'vehicle', which no training row has" in err
    assert "add training rows of it, or drop those test rows" in err


def test_other_bad_requests_exit_2_with_what_to_do(tmp_path, table, capsys):
    assert "--dataset csv needs --data FILE" in run(tmp_path, "--dataset", "csv", code=2, capsys=capsys)
    (tmp_path / "notes.doc").write_text("x")
    assert "cannot tell the table format" in run(tmp_path, "--dataset", "csv", "--data", str(tmp_path / "notes.doc"),
                                                 code=2, capsys=capsys)
    assert "no such folder" in run(tmp_path, "--data", str(tmp_path / "nowhere"), code=2, capsys=capsys)
    assert "--max-length must be in [2, inf)" in run(tmp_path, "--max-length", "1", code=2, capsys=capsys)
    assert "--encoder mlp cannot read the text domain" in run(tmp_path, "--max-samples", "100", "--encoder", "mlp",
                                                           code=2, capsys=capsys)


def test_imix_on_text_mixes_the_embedded_tokens_and_never_the_token_ids(tmp_path, capsys):
    record = run(tmp_path, "--max-samples", "100", "--imix")
    assert record["imix"] is True and record["config"]["mix_layer"] == "1"  # the domain's default: after the embedding
    assert record["mixed_at"][0]["layer"] == 1
    (tmp_path / "bad").mkdir()
    err = run(tmp_path / "bad", "--max-samples", "100", "--imix", "--mix-layer", "0", code=2, capsys=capsys)
    assert "cannot be mixed" in err and "--mix-layer" in err
    err = run(tmp_path / "bad", "--max-samples", "100", "--inputmix", code=2, capsys=capsys)
    assert "--inputmix" in err and "Traceback" not in err


@pytest.mark.parametrize("method", ["simclr", "moco"])
def test_emix_on_text_mixes_the_embedded_tokens_of_clean_inputs(method, tmp_path):
    record = run(tmp_path, "--max-samples", "100", "--strategy", "emix", "--method", method)
    assert record["strategy"]["name"] == "emix" and record["mixed_at"][0]["layer"] == 1
    assert record["mixed_at"][0]["shape"][0] == "tokens" and len(record["loss_curve"]) == 1


def test_bench_list_shows_the_text_domain_and_its_datasets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "  text " in out and "wordnet-nouns" in out and "wordnet-all" in out and "text-transformer" in out


def test_integer_views_pass_the_checks_only_where_inputs_are_not_mixable(tmp_path, table):
    domain = TextDomain(vocab_size=100)
    data = domain.load(DataRequest("csv", str(table), str(tmp_path / "root"), 0))
    assert view_problems(domain, data, torch.device("cpu")) == []

    class MixableIds(TextDomain):  # the same integer views from a domain that claims they can be mixed
        input_mixable = True

    problems = view_problems(MixableIds(vocab_size=100), data, torch.device("cpu"))
    assert any("model inputs must be floating point" in p for p in problems)
    assert Domain.input_mixable is True and TextDomain.input_mixable is False


def test_a_saved_text_backbone_reloads_with_its_vocabulary_size(tmp_path):
    from bench.training.backbone import load_backbone

    record = run(tmp_path, "--max-samples", "100", "--save-backbone", str(tmp_path / "b.pt"))
    model = load_backbone(tmp_path / "b.pt")
    assert model.embedding.tokens.num_embeddings == record["data"]["vocab_size"]
    assert model(torch.tensor([[5, 6, 7] + [0] * 21])).shape == (1, 32)
