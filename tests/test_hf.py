"""--dataset hf in every domain, on small data sets built here, with the network switched off."""

from __future__ import annotations

import io
import json
import os

os.environ["HF_DATASETS_OFFLINE"] = "1"  # before datasets is imported: no test may reach the Hub
os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np
import pandas as pd
import pytest
import torch

datasets = pytest.importorskip("datasets")  # the hf extra; installed with .[test]

from bench.cli import main
from bench.core.errors import UserError
from domains import hf_source as hf
from domains.audio_io import read_clips
from domains.base import DataRequest
from domains.images import ImageDomain
from domains.kit import stratified_split

TRAIN = ["--epochs", "1", "--batch-size", "6", "--quiet", "--proj-dim", "8", "--proj-hidden", "16"]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")


def run(tmp_path, *argv):
    results = tmp_path / "runs.jsonl"
    code = main(["run", *argv, *TRAIN, "--results", str(results), "--data-root", str(tmp_path / "root")])
    assert code == 0
    return json.loads(results.read_text().splitlines()[-1])


def media_dataset(rows: list[bytes], labels: list[int], names: list[str], kind) -> "datasets.Dataset":
    features = datasets.Features({"media": {"bytes": datasets.Value("binary"), "path": datasets.Value("string")},
                                  "label": datasets.ClassLabel(names=names)})
    table = {"media": [{"bytes": b, "path": f"{i}.bin"} for i, b in enumerate(rows)], "label": labels}
    return datasets.Dataset.from_dict(table, features=features).cast_column("media", kind)


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """train/<class>/*.png and test/<class>/*.png: 2 classes, 6 + 3 images each, 12x12."""
    from PIL import Image

    root = tmp_path_factory.mktemp("imgs")
    rng = np.random.default_rng(0)
    for split, count in (("train", 6), ("test", 3)):
        for c, name in enumerate(("blue", "red")):
            (root / split / name).mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 60, (12, 12, 3), dtype=np.uint8)
                pixels[..., 2 - 2 * c] += 180
                Image.fromarray(pixels).save(root / split / name / f"{i}.png")
    return root


def test_an_image_folder_read_by_load_dataset_gives_the_image_folder_pixels(image_folder, tmp_path):
    record = run(tmp_path, "--domain", "images", "--dataset", "hf", "--data", str(image_folder),
                 "--image-size", "12", "--width", "0.25")
    assert record["dataset"] == f"hf:{image_folder.name}"
    assert (record["data"]["n_train"], record["data"]["n_test"], record["data"]["n_classes"]) == (12, 6, 2)
    assert (record["data"]["image_column"], record["data"]["label_column"]) == ("image", "label")
    # the same uint8 pixels, per class, as the imagefolder path decodes
    loaded = {}
    for dataset in ("hf", "imagefolder"):
        domain = ImageDomain(image_size=12, image_column=None, label=None)
        data = domain.load(DataRequest(dataset, str(image_folder), str(tmp_path / "root"), 0))
        assert data.class_names == ["blue", "red"]
        loaded[dataset] = data
    for split in ("train", "test"):
        a, b = getattr(loaded["hf"], split), getattr(loaded["imagefolder"], split)
        for label in (0, 1):
            pixels = lambda s: sorted(map(bytes, s.x[s.y == label].flatten(1).numpy()))
            assert pixels(a) == pixels(b)


def wav_bytes(freq: float, rate: int = 8000) -> bytes:
    import soundfile

    t = np.arange(rate // 2) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate, format="WAV")
    return buffer.getvalue()


def test_an_audio_set_without_test_split_is_read_with_soundfile_and_split_by_class(tmp_path):
    clips = [wav_bytes(200 + 400 * c + 15 * i) for c in range(2) for i in range(8)]
    labels = [c for c in range(2) for _ in range(8)]
    folder = tmp_path / "audio"
    media_dataset(clips, labels, ["low", "high"], datasets.Audio(sampling_rate=8000)) \
        .rename_column("media", "speech").save_to_disk(str(folder))
    record = run(tmp_path, "--domain", "speech", "--dataset", "hf", "--data", str(folder), "--seconds", "0.5",
                 "--test-size", "0.25", "--width", "0.25", "--stem-stride", "2")
    assert record["dataset"] == "hf:audio"
    assert record["data"]["audio_column"] == "speech"  # guessed from the Audio feature
    assert (record["data"]["n_train"], record["data"]["n_test"]) == (12, 4)  # 2 of 8 per class held out
    assert record["data"]["test_split"] == "seeded stratified 0.25 of train (split seed 0)"
    assert record["data"]["level"] == "peak"
    # the decoded waveforms are the ones files on disk give
    from domains.speech_sources import hf_clips

    got = hf_clips(str(folder), {"test_size": 0.25}, 0.5)
    paths = []
    for i, clip in enumerate(clips):
        paths.append(tmp_path / f"{i}.wav")
        paths[-1].write_bytes(clip)
    reference = read_clips(paths, 0.5).waveforms
    train_rows, test_rows, _ = stratified_split(np.array(labels), 0.25, 0)  # the rule of every loader
    assert torch.equal(got.train_x, reference[train_rows]) and torch.equal(got.test_x, reference[test_rows])
    assert got.class_names == ["low", "high"]


def test_a_csv_table_through_load_dataset_matches_the_csv_path(tmp_path):
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"a": rng.normal(size=40), "b": rng.integers(0, 5, 40), "colour": ["red", "green"] * 20,
                          "label": ["yes"] * 10 + ["no"] * 30})
    path = tmp_path / "rows.csv"
    table.to_csv(path, index=False)
    record = run(tmp_path, "--domain", "tabular", "--dataset", "hf", "--data", str(path), "--test-size", "0.25")
    assert record["dataset"] == "hf:rows"
    assert (record["data"]["n_train"], record["data"]["n_test"], record["data"]["n_classes"]) == (30, 10, 2)
    assert record["data"]["features"] == 4  # a, b standardised; colour one-hot in two columns
    assert record["data"]["label_column"] == "label"  # no ClassLabel: the column named label


def test_signals_from_a_list_column(tmp_path):
    rng = np.random.default_rng(2)
    parts = {split: datasets.Dataset.from_dict({"series": rng.normal(size=(n, 16)).astype(np.float32).tolist(),
                                                "label": [i % 2 for i in range(n)]})
             for split, n in (("train", 12), ("test", 4))}
    folder = tmp_path / "sig"
    datasets.DatasetDict(parts).save_to_disk(str(folder))
    record = run(tmp_path, "--domain", "signals", "--dataset", "hf", "--data", str(folder))
    assert record["dataset"] == "hf:sig"
    assert record["data"]["input_shape"] == [1, 16]
    assert (record["data"]["n_train"], record["data"]["n_test"]) == (12, 4)
    assert record["data"]["signal_column"] == "series"


def test_a_hub_name_offline_and_not_cached_names_what_to_download(tmp_path, capsys):
    code = main(["run", "--domain", "images", "--dataset", "hf", "--data", "nobody/no-such-set", "--hf-config", "v1",
                 "--results", str(tmp_path / "r.jsonl")])
    assert code == 2
    error = capsys.readouterr().err
    assert "'nobody/no-such-set' (config 'v1')" in error
    assert "datasets.load_dataset('nobody/no-such-set', 'v1')" in error and "save_to_disk" in error


def test_missing_columns_and_splits_are_named(image_folder):
    splits = hf.open_hf(str(image_folder), {})
    with pytest.raises(UserError, match=r"no Audio column; its columns: image \(Image\), label \(ClassLabel\)"):
        hf.guess_column(splits.train, "Audio", None, "--audio-column")
    with pytest.raises(UserError, match="no split 'valid'; its splits: train, test"):
        hf.open_hf(str(image_folder), {"test_split": "valid"})
    with pytest.raises(UserError, match="--label 'kind' is not a column"):
        hf.guess_label(splits.train, "kind")


def test_the_hf_flags_stay_out_of_recorded_configs_at_their_defaults():
    """Earlier records (made before the flags existed) keep their config keys, so suites skip them."""
    from bench.api import prepare

    for domain in ("tabular", "images", "speech", "signals"):
        cfg, _ = prepare(domain)
        assert not {"hf_config", "train_split", "test_split", "image_column", "audio_column",
                    "feature_columns", "signal_column"} & set(cfg.domain_options)
    assert "label" in prepare("tabular")[0].domain_options  # the tabular domain's own flag stays
    assert "label" not in prepare("images")[0].domain_options  # added to images with hf
    assert prepare("images", dataset="hf", data="x", image_column="img")[0].domain_options["image_column"] == "img"
    assert prepare("speech")[0].domain_options["split_seed"] == 0  # the speech domain's own flag stays
