"""Hugging Face ``datasets`` as a source for every domain (``--dataset hf --data NAME_OR_PATH``).

This module finds the data and its columns; each domain decodes them through its own path
(images: the uint8 decoder and cache; speech: soundfile and resampling; tables: the table
encoder; signals: the array checks). ``--data`` is, in this order of trial:

* a ``save_to_disk`` folder (``Dataset`` or ``DatasetDict``), read with ``load_from_disk``;
* any other local folder or file, given to ``load_dataset`` (it infers imagefolder,
  audiofolder, csv, parquet, json from the files);
* a Hub name (``uoft-cs/cifar10``), downloaded into the Hugging Face cache, or read from that
  cache when offline (``HF_DATASETS_OFFLINE=1`` or no network).

Columns default from the feature types: the ``Image``/``Audio`` column, the ``ClassLabel``
column as the label. Without a test split, a stratified fraction of the training split is held
out by the rule every loader follows (``domains/kit/split.py``): ``--test-size``, seeded by
``--split-seed`` or else the run's ``--seed``, rows in the same order as ``--dataset csv`` gives them.
A CSV file is read with the same pandas settings as ``--dataset csv`` (``kit.CSV_READ``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from bench.core.errors import UserError

from bench.core.options import Option

DESCRIPTION = ("a Hugging Face dataset: --data NAME_OR_PATH (a Hub name, a local folder or file that "
               "load_dataset reads, or a save_to_disk folder); --hf-config, --train-split, --test-split")


# The --dataset hf flags, added to every domain after records existed: at their defaults they are
# left out of the recorded config (later=True), so earlier runs keep their config keys.
_HF_FLAGS = (
    Option("hf_config", help="hf: the dataset's configuration (subset) name, e.g. v0.01", later=True),
    Option("train_split", help="hf: the split to train on (default: train, or the dataset's only split)", later=True),
    Option("test_split", help="hf: the split to test on (default: test if the dataset has one, else a seeded "
                              "stratified --test-size fraction of the training split)", later=True),
    Option("test_size", float, 0.2, "hf/arrays/csv without a test split: the held-out fraction per class",
           later=True),
    Option("split_seed", int, None, "seed of that held-out split (default: the run's --seed, as --dataset csv; "
                                    "give one to keep the split fixed across run seeds)", later=True),
    Option("label", help="the label column (hf default: the ClassLabel column, else 'label')", later=True),
)
_HF_COLUMNS = {
    "image": Option("image_column", help="hf: the image column (default: the Image feature)", later=True),
    "audio": Option("audio_column", help="hf: the audio column (default: the Audio feature)", later=True),
    "features": Option("feature_columns", help="hf: comma-separated feature columns (default: every scalar "
                                               "column but the label)", later=True),
    "signal": Option("signal_column", help="hf: the column of sequences (default: the first list-of-numbers "
                                           "column; without one, the scalar columns of a row form the sequence)",
                     later=True),
}


def hf_options(*columns: str) -> tuple[Option, ...]:
    """The --dataset hf flags, to list after a domain's own (a name the domain declares keeps its meaning).

    ``columns`` names the column flags this domain uses: "image", "audio", "features", "signal".
    """
    return (*_HF_FLAGS, *(_HF_COLUMNS[c] for c in columns))


@dataclass
class HFSplits:
    """The chosen splits (test is None when it must be split off) and where they came from."""

    train: Any  # datasets.Dataset
    test: Any | None
    name: str  # for record rows: hf:<last part of the name or folder>[/<config>]
    info: dict[str, Any] = field(default_factory=dict)


def _import_datasets():
    try:
        import datasets
    except ImportError:
        raise UserError("--dataset hf needs the Hugging Face datasets package: pip install 'imix-bench[hf]' "
                        "(or pip install datasets).") from None
    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    return datasets


def _is_saved(path: Path) -> bool:
    return path.is_dir() and ((path / "dataset_dict.json").is_file() or (path / "state.json").is_file())


FILE_BUILDERS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".json": "json", ".jsonl": "json",
                 ".arrow": "arrow", ".txt": "text"}


def _reader_settings(path: Path, header: bool) -> dict[str, Any]:
    """How the csv builder reads a file: as --dataset csv reads it (kit.CSV_READ, the header row or none)."""
    if FILE_BUILDERS.get(path.suffix.lower()) != "csv":
        return {}
    from .kit import CSV_READ

    return {**CSV_READ, "delimiter": "\t" if path.suffix.lower() == ".tsv" else ",", "header": 0 if header else None}


def _load(datasets, source: str, config: str | None, header: bool = True) -> Any:
    """A Dataset or DatasetDict; every way of failing becomes a UserError saying what to do."""
    path = Path(source).expanduser()
    if _is_saved(path):
        return datasets.load_from_disk(str(path))
    try:
        if path.is_file():
            builder = FILE_BUILDERS.get(path.suffix.lower())
            if builder is None:
                raise UserError(f"--data {source}: cannot tell how to read a {path.suffix or 'suffix-less'} file; "
                                f"hf reads {', '.join(sorted(FILE_BUILDERS))} files, folders and Hub names.")
            return datasets.load_dataset(builder, data_files=str(path), **_reader_settings(path, header))
        return datasets.load_dataset(str(path) if path.is_dir() else source, config)
    except UserError:
        raise
    except ValueError as error:  # an unknown config lists the valid ones
        raise UserError(f"--data {source}" + (f" --hf-config {config}" if config else "") + f": {error}") from None
    except Exception as error:  # offline, not on the Hub, a private repo, a script dataset...
        raise UserError(_not_found(source, config, error, local=path.exists())) from None


def _not_found(source: str, config: str | None, error: Exception, local: bool) -> str:
    what = f"{source!r}" + (f" (config {config!r})" if config else "")
    if local:
        return (f"datasets could not read the local {what}: {type(error).__name__}: {error}. Give a folder that "
                "load_dataset reads (imagefolder/audiofolder layouts, csv/parquet/json files) or a save_to_disk folder.")
    from datasets import config as hf_config

    call = f"datasets.load_dataset({source!r}" + (f", {config!r}" if config else "") + ")"
    return (f"the Hugging Face dataset {what} is neither a local folder nor in the local cache "
            f"({hf_config.HF_DATASETS_CACHE}), and the Hub could not provide it ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else 'no detail'}). On a machine with network access run "
            f"`python -c \"import datasets; {call}\"` (or `hf download {source} --repo-type dataset`) to fill the "
            "cache, then copy the cache here; or save it with .save_to_disk(FOLDER) and pass --data FOLDER. "
            "Is the name spelt as on huggingface.co/datasets?")


def open_hf(source: str | None, options: dict[str, Any]) -> HFSplits:
    """The training split and, where the dataset has one, the test split."""
    if not source:
        raise UserError("--dataset hf needs --data NAME_OR_PATH: a Hub name (e.g. uoft-cs/cifar10), a local "
                        "dataset folder or file, or a save_to_disk folder.")
    datasets = _import_datasets()
    config = options.get("hf_config")
    loaded = _load(datasets, source, config, options.get("header", True))
    if isinstance(loaded, datasets.Dataset):
        loaded = datasets.DatasetDict({"train": loaded})
    splits = list(loaded)
    train_name = options.get("train_split") or "train"
    if train_name not in loaded:
        if len(splits) == 1 and not options.get("train_split"):
            train_name = splits[0]
        else:
            raise UserError(f"{source} has no split {train_name!r}; its splits: {', '.join(splits)}. "
                            "Choose with --train-split NAME.")
    test_name = options.get("test_split")
    if test_name is not None and test_name not in loaded:
        raise UserError(f"{source} has no split {test_name!r}; its splits: {', '.join(splits)}. "
                        "Choose with --test-split NAME, or leave it out to split the training data.")
    if test_name is None and "test" in loaded and train_name != "test":
        test_name = "test"
    name = "hf:" + (Path(source).name.split(".")[0] if Path(source).expanduser().exists()
                    else source.rstrip("/").split("/")[-1])
    name += f"/{config}" if config else ""
    info = {"source": f"Hugging Face datasets: {source}", "hf_config": config, "train_split": train_name,
            "test_split_name": test_name, "hf_fingerprint": getattr(loaded[train_name], "_fingerprint", None)}
    return HFSplits(loaded[train_name], loaded[test_name] if test_name else None, name, info)


# ---------------------------------------------------------------- columns


def _feature_kind(feature: Any) -> str:
    return type(feature).__name__


def guess_column(dataset: Any, kind: str, given: str | None, flag: str) -> str:
    """The column of one feature type (Image, Audio): given by a flag, or the first of that type."""
    columns = dataset.features
    if given is not None:
        if given not in columns:
            raise UserError(f"{flag} {given!r} is not a column; the columns: {describe(columns)}.")
        return given
    found = [name for name, feature in columns.items() if _feature_kind(feature) == kind]
    if not found:
        raise UserError(f"the dataset has no {kind} column; its columns: {describe(columns)}. "
                        f"Name the column with {flag}.")
    return found[0]


def guess_label(dataset: Any, given: str | None) -> str:
    """--label, else the only ClassLabel column, else the ClassLabel or plain column named label."""
    columns = dataset.features
    if given is not None:
        if given not in columns:
            raise UserError(f"--label {given!r} is not a column; the columns: {describe(columns)}.")
        return given
    labels = [name for name, feature in columns.items() if _feature_kind(feature) == "ClassLabel"]
    if len(labels) == 1:
        return labels[0]
    for name in ("label", "labels"):
        if name in columns and (not labels or name in labels):
            return name
    raise UserError(f"cannot tell the label column ({'several ClassLabel columns: ' + ', '.join(labels) if labels else 'no ClassLabel column'}); "
                    f"the columns: {describe(columns)}. Name it with --label COLUMN.")


def describe(features: Any) -> str:
    return ", ".join(f"{name} ({_feature_kind(f)})" for name, f in features.items())


def label_arrays(train: Any, test: Any, column: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Integer labels and class names: a ClassLabel keeps its own names and order; other values
    are coded by their sorted training values (a test value unseen in training is an error)."""
    feature = train.features[column]
    raw_train, raw_test = np.asarray(train[column]), np.asarray(test[column])
    if _feature_kind(feature) == "ClassLabel":
        names = list(feature.names)
        return raw_train.astype(np.int64), raw_test.astype(np.int64), names
    classes = np.unique(raw_train)
    unseen = np.setdiff1d(np.unique(raw_test), classes)
    if len(unseen):
        raise UserError(f"the test split holds labels the training split lacks: {unseen[:5].tolist()}.")
    return (np.searchsorted(classes, raw_train).astype(np.int64), np.searchsorted(classes, raw_test).astype(np.int64),
            [str(c) for c in classes])


def with_test(splits: HFSplits, label: str, options: dict[str, Any], seed: int) -> HFSplits:
    """The same splits, with the test split carved out of training when the dataset has none: the
    rule of every loader (``kit.stratified_split``, seeded by --split-seed, else the run's ``seed``)."""
    from .kit import content_fingerprint, split_seed, stratified_split

    if splits.test is not None:
        return splits
    test_size = float(options.get("test_size") or 0.2)
    seed = split_seed(options, seed)
    train_rows, test_rows, _ = stratified_split(np.asarray(splits.train[label]), test_size, seed)
    info = {**splits.info, "test_split": f"seeded stratified {test_size:g} of {splits.info['train_split']} "
                                        f"(split seed {seed})",
            # what the seeded split chose from (datasets' own digest of the split), the same for every seed
            "data_fingerprint": content_fingerprint(splits.info.get("hf_fingerprint"), label, f"{test_size:g}")}
    return HFSplits(splits.train.select(train_rows), splits.train.select(test_rows), splits.name, info)


# ---------------------------------------------------------------- raw media


class NamedBytes(io.BytesIO):
    """Encoded file bytes that soundfile can read and that print as the file they came from."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name

    def __str__(self) -> str:
        return self.name


def encoded_files(dataset: Any, column: str, kind: str, batch_size: int = 1000) -> Iterator[tuple[bytes | None, str]]:
    """(encoded bytes, path) of every row's image or audio, undecoded: the domain decodes them itself."""
    datasets = _import_datasets()
    feature = datasets.Image(decode=False) if kind == "Image" else datasets.Audio(decode=False)
    raw = dataset.select_columns([column]).cast_column(column, feature)
    for batch in raw.iter(batch_size=batch_size):
        for item in batch[column]:
            if item is None:
                raise UserError(f"column {column!r} has an empty row; drop it (dataset.filter) first.")
            yield item.get("bytes"), item.get("path") or ""


def file_bytes(data: bytes | None, path: str) -> bytes:
    if data is not None:
        return data
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise UserError(f"a row refers to {path!r}, which cannot be read ({error}).") from None
