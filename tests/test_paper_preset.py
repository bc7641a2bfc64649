"""`bench suite --preset paper`: every cell carries the settings of its run.sh line.

The expected values are read off kibok90/imix run.sh by hand (line numbers below) and
main_pretext.py's defaults where run.sh is silent: lr 0.125 at batch 256, momentum 0.9,
weight decay 1e-4, --dim 128, --qlen 4096, --emam 0.999, --alpha 1, warm-up 10 epochs when
a run has more than 500 epochs else 5, --bn shuffle (MoCo's key encoder), --lrd 0.1; the linear
evaluation is main_lincls.py's (--probe official); speech uses speech_commands/ (the official
recipe and 12-class protocol).
"""

from __future__ import annotations

import io

import pytest

from bench.presets import get_preset
from bench.suite import expand_grid
from bench.suite_dry_run import dry_run

# (entry, method, i-Mix) -> (run.sh line, epochs, --proj, --pred)
CIFAR = {
    ("cifar10", "simclr", False): (9, 2000, "mlpbn", None),  # --method npair --imix none --epochs 2000
    ("cifar10", "simclr", True): (10, 4000, "mlpbn", None),
    ("cifar10", "moco", False): (11, 1000, "mlpbn1", None),
    ("cifar10", "moco", True): (12, 4000, "mlpbn1", None),
    ("cifar10", "byol", False): (13, 1000, "mlpbn1", "mlpbn1"),
    ("cifar10", "byol", True): (14, 2000, "mlpbn1", "mlpbn1"),
    ("cifar100", "simclr", False): (16, 4000, "mlpbn", None),
    ("cifar100", "simclr", True): (17, 2000, "mlpbn", None),
    ("cifar100", "moco", False): (18, 1000, "mlpbn1", None),
    ("cifar100", "moco", True): (19, 2000, "mlpbn1", None),
    ("cifar100", "byol", False): (20, 1000, "mlpbn1", "mlpbn1"),
    ("cifar100", "byol", True): (21, 4000, "mlpbn1", "mlpbn1"),
}
# lines 23-28: every arm --epochs 500 --schedule 300 400 (no --cos), --temp 0.5, --proj mlpbn, BYOL --pred mlpbn1
SPEECH_LINES = {("simclr", False): 23, ("simclr", True): 24, ("moco", False): 25, ("moco", True): 26,
                ("byol", False): 27, ("byol", True): 28}
# lines 30-35: --cos --epochs 500 -b 512 --temp 0.1 --proj mlpbn (BYOL --pred mlpbn), i-Mix --alpha 2.0
COVTYPE = {("simclr", False): (30, 0.2), ("simclr", True): (31, 0.2), ("moco", False): (32, 0.2),
           ("moco", True): (33, 0.0), ("byol", False): (34, 0.2), ("byol", True): (35, 0.0)}
# lines 48-49 (higgs100Kall) and 51-52 (higgs1Mall): MoCo only, --alpha 1.0, --inputdrop 0.2
HIGGS = {("higgs100k", False): 48, ("higgs100k", True): 49, ("higgs1m", False): 51, ("higgs1m", True): 52}


def expected(domain: str, entry: str, method: str, imix: bool) -> dict:
    common = {"optimizer": "sgd", "lr": 0.125, "momentum": 0.9, "weight_decay": 1e-4, "proj_dim": 128,
              "proj_hidden": None, "ema": 0.999, "queue_size": 4096, "shuffle_bn": method == "moco",
              "probe": "official", "npair_group": None}
    # run.sh's header: CIFAR and speech on 2 GPUs; N-pair (no gather in builder.py) contrasts each GPU's 128
    per_gpu = {"npair_group": 128} if method == "simclr" else {}
    if domain == "images":
        line, epochs, proj, pred = CIFAR[(entry, method, imix)]
        return {**common, "line": line, "encoder": "resnet50", "epochs": epochs, "temperature": 0.2,
                "batch_size": 256, "warmup_epochs": 10, "schedule": "cosine", "proj_head": proj,
                "pred_head": pred or "mlpbn1", "alpha": 1.0, **per_gpu}
    if domain == "speech":
        return {**common, "line": SPEECH_LINES[(method, imix)], "encoder": "resnet50", "epochs": 500,
                "temperature": 0.5, "batch_size": 256, "warmup_epochs": 5, "schedule": "step",
                "milestones": [300, 400], "proj_head": "mlpbn", "pred_head": "mlpbn1", "alpha": 1.0, **per_gpu}
    if entry == "covtype":
        line, drop = COVTYPE[(method, imix)]
        alpha = 2.0
    else:
        line, drop, alpha = HIGGS[(entry, imix)], 0.2, 1.0
    return {**common, "line": line, "encoder": "paper-mlp", "epochs": 500, "temperature": 0.1, "batch_size": 512,
            "warmup_epochs": 5, "schedule": "cosine", "proj_head": "mlpbn",
            "pred_head": "mlpbn" if method == "byol" else "mlpbn1", "alpha": alpha, "inputdrop": drop}


@pytest.fixture(scope="module")
def grid():
    return expand_grid(preset=get_preset("paper"), config=None, domains=None, datasets=None, methods=None,
                       seeds=None, mixes=None, data_ratios=None, cli={})


def test_every_cell_has_the_settings_of_its_run_sh_line(grid):
    assert len(grid.cells) == 12 + 6 + 6 + 4  # HIGGS: MoCo only, as run.sh's Table 2 lines
    for cell in grid.cells:
        want = expected(cell.domain, cell.name, cell.method, cell.mix is not None)
        assert cell.source == f"run.sh line {want.pop('line')}", cell.label()
        drop = want.pop("inputdrop", None)
        got = {key: getattr(cell.cfg, key) for key in want}
        assert got == want, cell.label()
        if drop is not None:
            assert cell.cfg.domain_options["inputdrop"] == drop, cell.label()
        if cell.domain == "speech":
            options = cell.cfg.domain_options
            assert (options["speech_recipe"], options["sc_protocol"]) == ("official", "official"), cell.label()


def test_dry_run_names_the_run_sh_line_of_each_cell(grid):
    out = io.StringIO()
    dry_run(grid, [], out)
    text = out.getvalue()
    assert "tabular/covtype  moco  i-Mix (mixup)" in text and "as run.sh line 33" in text
    assert "--schedule step --milestones 300 400" in text
    assert "--probe official" in text and "--speech-recipe official --sc-protocol official" in text


def test_no_augmentation_preset_is_run_sh_table_3():
    grid = expand_grid(preset=get_preset("paper-noaug"), config=None, domains=None, datasets=None, methods=None,
                       seeds=None, mixes=None, data_ratios=None, cli={})
    cells = {(c.name, c.mix is not None): c for c in grid.cells}
    assert len(cells) == 12 and {c.method for c in grid.cells} == {"moco"}
    # line 59: cifar10 --imix none --epochs 500 --no-aug; line 60: --imix imixup --epochs 1000 --no-aug --inputmix 2
    base, imix = cells[("cifar10", False)], cells[("cifar10", True)]
    assert (base.cfg.epochs, base.cfg.no_aug, base.cfg.inputmix, base.source) == (500, True, False, "run.sh line 59")
    assert (imix.cfg.epochs, imix.cfg.inputmix, imix.cfg.alpha2, imix.source) == (1000, True, 1.0, "run.sh line 60")
    assert cells[("cifar100", True)].cfg.epochs == 500  # line 63
    speech = cells[("speechcommands", True)].cfg  # line 66: --temp 0.2 --no-aug, no InputMix
    assert (speech.temperature, speech.no_aug, speech.inputmix, speech.milestones) == (0.2, True, False, [300, 400])
    assert (speech.probe, speech.domain_options["speech_recipe"], speech.domain_options["sc_protocol"]) == (
        "official", "official", "official")
    covtype = cells[("covtype", True)]  # line 69: --alpha 2.0 --inputdrop 0.0
    assert (covtype.cfg.alpha, covtype.cfg.domain_options["inputdrop"], covtype.source) == (2.0, 0.0, "run.sh line 69")
