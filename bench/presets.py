"""Named grids of settings (`--preset`) and the TOML/YAML files users write for their own (`--config`).

A preset and a config file share one schema, so a user's file reads like the built-in ones:

    description = "what this grid is for"
    domains = ["tabular", "images"]      # grid axes; the suite's flags override them
    methods = ["simclr", "moco", "byol"]
    seeds = 3                            # seeds 0..2, or a list such as [0, 5]
    mixes = ["mixup"]                    # the i-Mix variants run beside each baseline
    data_ratios = [1.0]

    [settings]                           # every cell: run flags, with underscores
    epochs = 10

    [domain.images]                      # the cells of one domain
    encoder = "small-cnn"

    [[datasets]]                         # one grid row; keys are `bench run` flags
    name = "cifar10-folder"              # its name in --datasets and in suite output
    domain = "images"
    dataset = "imagefolder"
    data = "../shared/data/cifar10"
    class_ratio = 0.1

Later layers win: preset < config file < the suite's own flags; inside each, settings <
domain settings < the dataset entry. Every key is a `bench run` flag of that cell's domain,
so a cell is exactly the `bench run` command the dry run prints.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from .errors import UserError, unknown_choice

GRID_KEYS = ("domains", "methods", "seeds", "mixes", "data_ratios")
SECTION_KEYS = ("description", "preset", "settings", "domain", "datasets", *GRID_KEYS)

# The paper's settings (Lee et al., ICLR 2021, Section 4 and appendix; kibok90/imix run.sh).
# The paper picks each method's epoch count from {500, ..., 4000} for CIFAR; 4000 is its longest.
# Its speech runs use a step schedule (decay at epochs 300 and 400); this suite has cosine decay.
PAPER = {
    "description": "the paper's settings per dataset (multi-GPU scale: thousands of GPU hours)",
    "domains": ["images", "speech", "tabular"],
    "methods": ["simclr", "moco", "byol"],
    "seeds": 1,
    "settings": {
        "optimizer": "sgd", "momentum": 0.9, "weight_decay": 1e-4, "lr": 0.125, "warmup_epochs": 10,
        "batch_size": 256, "proj_dim": 128, "ema": 0.999, "queue_size": 4096, "alpha": 1.0,
    },
    "domain": {
        "images": {"encoder": "resnet50", "temperature": 0.2, "epochs": 4000},
        "speech": {"encoder": "resnet50", "temperature": 0.5, "epochs": 500},
        "tabular": {"encoder": "paper-mlp", "temperature": 0.1, "epochs": 500, "batch_size": 512,
                    "inputdrop": 0.2},
    },
    "datasets": [
        {"domain": "images", "dataset": "cifar10"},
        {"domain": "images", "dataset": "cifar100"},
        {"domain": "speech", "dataset": "speechcommands"},
        {"domain": "tabular", "dataset": "covtype", "alpha": 2.0},
        {"domain": "tabular", "dataset": "higgs100k"},
        {"domain": "tabular", "dataset": "higgs1m"},
    ],
}

# Settings that finish the three-domain grid (3 methods x 2 x 3 seeds) on a 2-core CPU in
# about two hours: small encoders, few epochs, a 5,000-image CIFAR subset. The datasets here
# are the embedded ones; results/cpu/offline.toml adds the offline copies of real data sets.
CPU = {
    "description": "CPU-scale settings: small encoders and short schedules (about two hours on 2 cores)",
    "domains": ["tabular", "images", "speech"],
    "methods": ["simclr", "moco", "byol"],
    "seeds": 3,
    "settings": {"optimizer": "sgd", "momentum": 0.9, "weight_decay": 1e-4, "lr": 0.125, "warmup_epochs": 1,
                 "proj_dim": 128, "ema": 0.99, "queue_size": 4096, "alpha": 1.0, "raw_probe": False},
    "domain": {
        "tabular": {"temperature": 0.1, "batch_size": 512, "epochs": 10, "eval_every": 2},
        "images": {"encoder": "small-cnn", "stem_stride": 2, "temperature": 0.2, "batch_size": 256, "epochs": 5},
        "speech": {"encoder": "small-cnn", "stem_stride": 2, "temperature": 0.5, "batch_size": 128, "epochs": 4},
        "signals": {"epochs": 20},
    },
    "datasets": [
        {"domain": "tabular", "dataset": "digits", "batch_size": 256, "epochs": 50, "eval_every": 10,
         "inputdrop": 0.0},  # as the committed grid ran, before digits defaulted to input dropout
        {"domain": "images", "dataset": "digits", "epochs": 30},
        {"domain": "speech", "dataset": "espeak-keywords"},
        {"domain": "signals", "dataset": "mnist1d"},
    ],
}

PRESETS: dict[str, dict[str, Any]] = {"paper": PAPER, "cpu": CPU}


def get_preset(name: str) -> dict[str, Any]:
    if name not in PRESETS:
        raise unknown_choice("preset", name, list(PRESETS), "Or describe your own grid in a file: --config FILE.")
    return PRESETS[name]


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML or YAML grid file and check its shape (not yet its flag names)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"--config {path}: no such file.")
    text = path.read_text()
    try:
        if path.suffix == ".toml":
            spec = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            import yaml

            spec = yaml.safe_load(text) or {}
        else:
            raise UserError(f"--config {path}: unknown file type {path.suffix!r}; use .toml, .yaml or .yml.")
    except (tomllib.TOMLDecodeError, ValueError) as error:
        raise UserError(f"--config {path} is not valid {path.suffix[1:].upper()}: {error}") from None
    except Exception as error:  # yaml.YAMLError has no stable import path without yaml
        if type(error).__module__.startswith("yaml"):
            raise UserError(f"--config {path} is not valid YAML: {error}") from None
        raise
    return check_spec(spec, str(path))


def check_spec(spec: Any, where: str) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise UserError(f"{where}: expected a table of settings at the top level.")
    unknown = sorted(set(spec) - set(SECTION_KEYS))
    if unknown:
        raise UserError(f"{where}: unknown section(s) {', '.join(unknown)}; valid: {', '.join(SECTION_KEYS)}.")
    for key in ("settings", "domain"):
        if not isinstance(spec.get(key, {}), dict):
            raise UserError(f"{where}: [{key}] must be a table.")
    for domain, settings in spec.get("domain", {}).items():
        if not isinstance(settings, dict):
            raise UserError(f"{where}: [domain.{domain}] must be a table of settings.")
    datasets = spec.get("datasets", [])
    if not isinstance(datasets, list) or not all(isinstance(d, dict) for d in datasets):
        raise UserError(f"{where}: datasets must be a list of tables ([[datasets]] in TOML).")
    for entry in datasets:
        if "domain" not in entry:
            raise UserError(f"{where}: the dataset entry {json.dumps(entry)} names no domain.")
    return spec
