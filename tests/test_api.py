"""bench.api: a saved backbone gives the probe's features (the examples of docs/api.md: tests/test_docs.py)."""

from __future__ import annotations


import numpy as np
import torch

import bench.api as api
import bench.evaluation.evaluate
from bench.cli import main


def test_a_saved_backbone_gives_the_features_the_probe_used(tmp_path, monkeypatch):
    used = {}
    probe = bench.evaluation.evaluate.PROBE_FUNCTIONS["logistic"]

    def spy(train_x, train_y, test_x, test_y, **kwargs):
        used.setdefault("train", train_x.clone())
        used.setdefault("test", test_x.clone())
        return probe(train_x, train_y, test_x, test_y, **kwargs)

    monkeypatch.setitem(bench.evaluation.evaluate.PROBE_FUNCTIONS, "logistic", spy)
    path = tmp_path / "net" / "backbone.pt"
    code = main(["run", "--domain", "images", "--epochs", "1", "--width", "0.25", "--batch-size", "64",
                 "--proj-dim", "16", "--proj-hidden", "32", "--quiet", "--results", str(tmp_path / "runs.jsonl"),
                 "--data-root", str(tmp_path / "root"), "--save-backbone", str(path)])
    assert code == 0
    saved = torch.load(path, weights_only=True)
    assert (saved["encoder"], saved["input_shape"], saved["encoder_options"]) == ("small-cnn", [3, 32, 32], {"width": 0.25})
    assert saved["domain"] == "images" and saved["config"]["save_backbone"] == str(path)
    # the command line's export, from the backbone file alone
    out = tmp_path / "feats.npz"
    assert main(["features", "--backbone", str(path), "--out", str(out)]) == 0
    exported = np.load(out)
    assert exported["train_x"].shape == tuple(used["train"].shape) == (1347, saved["feature_dim"])
    assert np.array_equal(exported["train_x"], used["train"].numpy())
    assert np.array_equal(exported["test_x"], used["test"].numpy())
    assert list(exported["class_names"]) == [str(d) for d in range(10)]
    # load_backbone on the same model inputs
    model = api.load_backbone(path)
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    trained = api.run(domain="images", epochs=0, quiet=True, results=str(tmp_path / "other.jsonl"),
                      data_root=str(tmp_path / "root"), return_model=True)  # the fitted adapter (same data)
    with torch.no_grad():
        first = model(trained.domain.preprocess(trained.data.train.x[:32]))
    assert torch.allclose(first, used["train"][:32], atol=1e-6)


def test_features_refuse_a_mismatched_domain_and_a_file_that_is_no_backbone(tmp_path, capsys):
    path = tmp_path / "bb.pt"
    assert main(["run", "--domain", "tabular", "--epochs", "1", "--width", "32", "--quiet",
                 "--results", str(tmp_path / "r.jsonl"), "--save-backbone", str(path)]) == 0
    assert main(["features", "--backbone", str(path), "--domain", "images", "--out", str(tmp_path / "f.npz")]) == 2
    assert "takes inputs shaped (64,)" in capsys.readouterr().err
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    assert main(["features", "--backbone", str(tmp_path / "other.pt"), "--out", str(tmp_path / "f.npz")]) == 2
    assert "not an imix-bench backbone" in capsys.readouterr().err
