"""The signals domain: MNIST-1D generated offline, the user's arrays and CSV files, its views,
and every method with i-MixUp and i-CutMix through the command line."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bench.cli import main
from bench.core.errors import UserError
from bench.results.records import read_records
from domains import DataRequest
from domains.signals import SignalsDomain


def load(dataset: str, path=None, root="unused", seed=0, **options):
    return SignalsDomain(**options).load(DataRequest(dataset, str(path) if path else None, str(root), seed))


@pytest.fixture(scope="session")
def mnist1d_root(tmp_path_factory):
    """A data root holding the default MNIST-1D (4,000 / 1,000), generated once for the session."""
    root = tmp_path_factory.mktemp("data")
    return root, load("mnist1d", root=root)


def test_mnist1d_default_is_4000_train_1000_test_of_length_40(mnist1d_root):
    root, data = mnist1d_root
    assert data.train.x.shape == (4000, 1, 40) and data.test.x.shape == (1000, 1, 40)
    assert data.train.x.dtype == torch.float32 and data.train.y.dtype == torch.long
    assert data.n_classes == 10 and data.input_shape == (1, 40)
    assert set(data.train.y.tolist()) == set(range(10))
    assert (root / "mnist1d" / "mnist1d-5000-seed42.npz").is_file()
    again = load("mnist1d", root=root)  # from the cache
    assert torch.equal(again.train.x, data.train.x) and torch.equal(again.test.y, data.test.y)


def test_mnist1d_generation_is_deterministic_and_leaves_global_rng_alone(tmp_path):
    np.random.seed(5)
    expected_next = np.random.rand()
    np.random.seed(5)
    first = load("mnist1d", root=tmp_path / "a", num_samples=100)
    assert np.random.rand() == expected_next
    second = load("mnist1d", root=tmp_path / "b", num_samples=100)
    assert first.train.x.shape == (80, 1, 40) and first.test.x.shape == (20, 1, 40)
    assert torch.equal(first.train.x, second.train.x) and torch.equal(first.test.y, second.test.y)


@pytest.mark.parametrize("n", [15, 95])
def test_num_samples_must_be_a_multiple_of_ten(n, tmp_path):
    with pytest.raises(UserError, match="--num-samples must be a multiple of 10"):
        load("mnist1d", root=tmp_path, num_samples=n)


def test_npz_with_its_own_test_split_is_standardised_on_train_only(tmp_path):
    x = np.array([[0.0, 0.0], [2.0, 2.0]] * 4)  # 8 univariate signals of length 2: mean 1, std 1
    x_test = np.array([[3.0, 1.0]] * 2)
    np.savez(tmp_path / "s.npz", x=x, y=np.array(["a", "b"] * 4), x_test=x_test, y_test=np.array(["b", "a"]))
    data = load("arrays", tmp_path / "s.npz")
    assert data.input_shape == (1, 2) and data.class_names == ["a", "b"]
    assert data.train.x[:2, 0].flatten().tolist() == pytest.approx([-1.0, -1.0, 1.0, 1.0], abs=1e-5)
    assert data.test.x[0, 0].tolist() == pytest.approx([2.0, 0.0], abs=1e-5)
    assert data.test.y.tolist() == [1, 0]


def test_npy_pair_multichannel_length_last_layout_and_seeded_split(tmp_path):
    x = np.arange(20 * 5 * 3, dtype=np.float64).reshape(20, 5, 3)  # (N, length 5, channels 3)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.arange(20) % 2)
    data = load("arrays", tmp_path / "x.npy", labels=str(tmp_path / "y.npy"), layout="nlc",
                test_size=0.25, standardize=False)
    assert data.input_shape == (3, 5) and (len(data.train), len(data.test)) == (15, 5)
    row = int(data.train.x[0, 0, 0]) // 15  # recover which sample it was
    assert data.train.x[0].tolist() == x[row].T.tolist()  # channels first, values untouched
    assert sorted(torch.bincount(data.test.y).tolist()) == [2, 3]  # stratified: 5 of 10 + 10


def test_npy_without_labels_and_npz_without_x_are_explained(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((4, 6)))
    with pytest.raises(UserError, match="--labels Y.npy"):
        load("arrays", tmp_path / "x.npy")
    np.savez(tmp_path / "bad.npz", signals=np.zeros((4, 6)))
    with pytest.raises(UserError, match="must hold arrays named x and y.*it holds signals"):
        load("arrays", tmp_path / "bad.npz")


def write_csv(path, channels: int, length: int, rows: int) -> None:
    header = ["label"] + [f"c{c}t{t}" for c in range(channels) for t in range(length)]
    lines = [",".join(header)]
    for i in range(rows):
        values = [str(c * 100 + t + i) for c in range(channels) for t in range(length)]
        lines.append(",".join(["up" if i % 2 else "down"] + values))
    path.write_text("\n".join(lines) + "\n")


def test_csv_multichannel_rows_split_channel_after_channel(tmp_path):
    write_csv(tmp_path / "s.csv", channels=2, length=3, rows=12)
    write_csv(tmp_path / "t.csv", channels=2, length=3, rows=4)
    data = load("csv", tmp_path / "s.csv", channels=2, test_data=str(tmp_path / "t.csv"), standardize=False)
    assert data.input_shape == (2, 3) and (len(data.train), len(data.test)) == (12, 4)
    assert data.train.x[1].tolist() == [[1, 2, 3], [101, 102, 103]]
    assert data.class_names == ["down", "up"] and data.train.y[:2].tolist() == [0, 1]
    with pytest.raises(UserError, match="6 values per row do not split into --channels 4"):
        load("csv", tmp_path / "s.csv", channels=4)


def test_csv_without_a_label_column_lists_the_columns(tmp_path):
    (tmp_path / "s.csv").write_text("a,b,c\n1,2,3\n")
    with pytest.raises(UserError, match="name the label column with --label.*columns: a, b, c"):
        load("csv", tmp_path / "s.csv")


def test_cnn1d_maps_signals_to_features_and_refuses_other_shapes():
    from encoders import build_encoder

    model = build_encoder("cnn1d", (3, 40), {"width": 0.5, "depth": 2})
    assert model(torch.randn(5, 3, 40)).shape == (5, 32) and model.feature_dim == 32
    with pytest.raises(UserError, match=r"cnn1d takes signals shaped \(channels, length\)"):
        build_encoder("cnn1d", (40,))


@pytest.mark.parametrize("dataset, extra", [
    ("csv", ["--label", "label", "--channels", "2"]),
    ("arrays", []),
])
def test_user_files_run_end_to_end(dataset, extra, tmp_path):
    if dataset == "csv":
        (tmp_path / "s.csv").write_text("label," + ",".join(f"v{i}" for i in range(16)) + "\n" + "".join(
            f"{i % 3}," + ",".join(str(np.sin(i + t)) for t in range(16)) + "\n" for i in range(60)))
        path = tmp_path / "s.csv"
    else:
        rng = np.random.default_rng(0)
        np.savez(path := tmp_path / "s.npz", x=rng.normal(size=(60, 2, 16)), y=np.arange(60) % 3)
    results = tmp_path / "runs.jsonl"
    assert main(["run", "--domain", "signals", "--dataset", dataset, "--data", str(path), *extra, "--epochs", "1",
                 "--batch-size", "16", "--width", "0.25", "--quiet", "--results", str(results)]) == 0
    (record,) = read_records(results)
    assert record["data"]["input_shape"] == [2, 8] if dataset == "csv" else [2, 16]
    assert (record["data"]["n_train"], record["data"]["n_test"]) == (48, 12)
    assert record["raw_probe"] is not None


METHODS = [("simclr", "mixup"), ("simclr", "cutmix"), ("moco", "mixup"), ("moco", "cutmix"),
           ("byol", "mixup"), ("byol", "cutmix"), ("ntxent", None)]


@pytest.fixture(scope="session")
def small_mnist1d_root(tmp_path_factory):
    """A data root with a 300-sequence MNIST-1D (240 / 60) cached once for the session."""
    root = tmp_path_factory.mktemp("small")
    load("mnist1d", root=root, num_samples=300)
    return root


@pytest.mark.parametrize("method, mix", METHODS)
def test_every_method_with_imixup_and_icutmix_on_mnist1d(method, mix, small_mnist1d_root, tmp_path):
    results = tmp_path / "runs.jsonl"
    args = ["run", "--domain", "signals", "--num-samples", "300", "--data-root", str(small_mnist1d_root),
            "--method", method,
            "--epochs", "1", "--batch-size", "64", "--width", "0.25", "--proj-hidden", "32", "--queue-size", "64",
            "--time-mask", "0.2", "--quiet", "--results", str(results)]
    assert main(args + (["--imix", "--mix", mix] if mix else [])) == 0
    (record,) = read_records(results)
    assert (record["method"], record["imix"], record["mix"]) == (method, mix is not None, mix)
    assert record["data"]["input_shape"] == [1, 40] and record["encoder"] == "cnn1d"
    assert len(record["loss_curve"]) == 1 and np.isfinite(record["loss_curve"][0])
    assert (record["data"]["n_train"], record["data"]["n_test"]) == (240, 60)
    assert 0.1 <= record["probe"]["accuracy"] <= 1.0


def test_out_of_range_augmentation_flag_is_a_user_error(capsys):
    assert main(["run", "--domain", "signals", "--crop", "1.5"]) == 2
    assert "--crop must be in (0, 1], got 1.5" in capsys.readouterr().err


def test_npy_pairs_for_train_and_test(tmp_path):
    for name, n in (("train", 6), ("test", 4)):
        np.save(tmp_path / f"{name}_x.npy", np.ones((n, 5)))
        np.save(tmp_path / f"{name}_y.npy", np.arange(n) % 2)
    options = dict(labels=str(tmp_path / "train_y.npy"), test_data=str(tmp_path / "test_x.npy"))
    data = load("arrays", tmp_path / "train_x.npy", test_labels=str(tmp_path / "test_y.npy"), **options)
    assert (len(data.train), len(data.test), data.input_shape) == (6, 4, (1, 5))
    with pytest.raises(UserError, match="--test-data .*test_x.npy holds signals only; .* --test-labels"):
        load("arrays", tmp_path / "train_x.npy", **options)
