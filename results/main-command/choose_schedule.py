"""Choose the embedded tabular default's schedule on a validation split, never on the test split.

The README's main command (`python -m bench run --domain tabular --method simclr --imix`) has
to show that pretraining beats two references: the untrained encoder (`--epochs 0`) and a
probe on the raw inputs. This script scores candidate schedules for it on a validation split:
for each seed, a stratified 20% of the *training* rows (the suite's own `validation_split`)
plays the test split and the other 80% are the training split, re-standardised on those 80%
alone. The test split is never loaded into any score. Every candidate runs through the
suite's own `run_experiment`, so what is chosen here is exactly what `bench run` does.

    python results/main-command/choose_schedule.py                  # the candidates below, 3 seeds
    python results/main-command/choose_schedule.py --seeds 0 1 2 --results /tmp/choose.jsonl

Records go to --results (one per candidate and seed); a candidate already recorded there is
not run again, so an interrupted selection continues.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the worktree's code, not an installed copy

from bench.cli import parse, prepare_run  # noqa: E402
from bench.core.config import config_key  # noqa: E402
from bench.evaluation.probe import validation_split  # noqa: E402
from bench.results.records import read_records  # noqa: E402
from bench.run import run_experiment  # noqa: E402
from domains.base import DomainData, Split  # noqa: E402

MAIN_COMMAND = ["--domain", "tabular", "--method", "simclr", "--imix"]
# The digits defaults before this selection, pinned so that every candidate below means the same
# run whatever the defaults are now (a candidate's own flags come later and win).
BEFORE = ["--temperature", "0.1", "--inputdrop", "0"]
# name -> extra `bench run` flags. "untrained" and the raw-input probe are the references.
CANDIDATES: dict[str, list[str]] = {
    "untrained": ["--epochs", "0"],
    "e100 (old default)": ["--epochs", "100"],
    "e50 inputdrop0.2": ["--epochs", "50", "--inputdrop", "0.2"],
    "e100 inputdrop0.2": ["--epochs", "100", "--inputdrop", "0.2"],
    "e100 inputdrop0.2 t0.5": ["--epochs", "100", "--inputdrop", "0.2", "--temperature", "0.5"],
    "e100 inputdrop0.2 lr0.03": ["--epochs", "100", "--inputdrop", "0.2", "--lr", "0.03"],
}
# A one-seed scan of other directions, run first to pick the three-seed candidates (--scan).
SCAN: dict[str, list[str]] = {
    "e200": ["--epochs", "200"],
    "e100 lr0.5": ["--epochs", "100", "--lr", "0.5"],
    "e100 w1024": ["--epochs", "100", "--width", "1024"],
    "e20": ["--epochs", "20"],
    "e50": ["--epochs", "50"],
    "e100 lr0.03": ["--epochs", "100", "--lr", "0.03"],
    "e100 t0.5": ["--epochs", "100", "--temperature", "0.5"],
    "e100 inputdrop0.2": ["--epochs", "100", "--inputdrop", "0.2"],
    "e100 w2048": ["--epochs", "100", "--width", "2048"],
    "e100 depth2": ["--epochs", "100", "--depth", "2"],
    "e100 b64": ["--epochs", "100", "--batch-size", "64"],
    # second round (seeds 0 and 1): input dropout (the one real augmentation for tables) with the gentler settings
    "e50 inputdrop0.2": ["--epochs", "50", "--inputdrop", "0.2"],
    "e100 inputdrop0.5": ["--epochs", "100", "--inputdrop", "0.5"],
    "e100 inputdrop0.2 t0.5": ["--epochs", "100", "--inputdrop", "0.2", "--temperature", "0.5"],
    "e100 inputdrop0.2 lr0.03": ["--epochs", "100", "--inputdrop", "0.2", "--lr", "0.03"],
}


def holdout(data: DomainData, seed: int) -> DomainData:
    """The training split cut into fit (80%) and validation (20%, stratified) parts.

    Features are re-standardised with the fit part's statistics, so no statistic of the
    validation rows enters training (the embedded table is standardised on its whole
    training split; an affine re-standardisation undoes that).
    """
    fit, val = (torch.as_tensor(i) for i in validation_split(data.train.y.numpy(), seed))
    x_fit = data.train.x[fit]
    mean, std = x_fit.mean(0), x_fit.std(0, unbiased=False) + 1e-6
    scale = lambda part: Split((part.x - mean) / std, part.y)  # noqa: E731
    return dataclasses.replace(
        data, train=scale(data.train.subset(fit)), test=scale(data.train.subset(val)),
        info={**data.info, "test_split": f"VALIDATION: stratified 20% of the training rows (seed {seed})"})


def run_candidate(flags: list[str], seed: int, results: str) -> dict:
    args = parse(["run", *MAIN_COMMAND, *BEFORE, *flags, "--seed", str(seed), "--results", results, "--quiet"])
    cfg, domain = prepare_run(args)
    done = {config_key(r["config"]): r for r in read_records(results, missing_ok=True) if "config" in r}
    if config_key(cfg.to_dict()) in done:
        return done[config_key(cfg.to_dict())]
    load = domain.load
    domain.load = lambda request: holdout(load(request), seed)  # this run only: a fresh adapter per call
    return run_experiment(cfg, domain)


def mean_std(values: list[float]) -> str:
    return f"{statistics.fmean(values):.2f} ± {statistics.stdev(values):.2f}" if len(values) > 1 else f"{values[0]:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--results", default=str(Path(__file__).with_name("choose_schedule.jsonl")))
    parser.add_argument("--only", nargs="+", help="run only these candidates (names as in CANDIDATES or SCAN)")
    parser.add_argument("--scan", action="store_true", help="the SCAN candidates (with the references) instead")
    args = parser.parse_args()
    known = {**CANDIDATES, **SCAN}
    names = args.only or (["untrained", "e100 (old default)", *SCAN] if args.scan else list(CANDIDATES))
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown candidate(s) {unknown}; known: {list(known)}")
    rows: dict[str, list[dict]] = {}
    for seed in args.seeds:  # seeds outermost: an interrupted selection still compares every candidate
        for name in names:
            started = time.perf_counter()
            record = run_candidate(known[name], seed, args.results)
            rows.setdefault(name, []).append(record)
            print(f"seed {seed}  {name:<20} val probe {100 * record['probe']['accuracy']:.2f}%  "
                  f"kNN {100 * record['knn']['accuracy']:.2f}%  ({time.perf_counter() - started:.0f}s)", flush=True)

    raw = {r["seed"]: 100 * r["raw_probe"]["accuracy"] for rs in rows.values() for r in rs}
    untrained = {r["seed"]: 100 * r["probe"]["accuracy"] for r in rows.get("untrained", [])}
    print(f"\nvalidation accuracy (%), stratified 20% of the embedded digits' training rows, seeds {args.seeds}")
    print(f"raw-input probe: {mean_std(list(raw.values()))}")
    header = ("candidate", "flags", "probe", "kNN", "probe - raw (min over seeds)",
              "probe - untrained (min)", "train s")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for name, records in rows.items():
        probe = [100 * r["probe"]["accuracy"] for r in records]
        knn = [100 * r["knn"]["accuracy"] for r in records]
        vs_raw = [100 * r["probe"]["accuracy"] - raw[r["seed"]] for r in records]
        vs_untrained = [100 * r["probe"]["accuracy"] - untrained[r["seed"]] for r in records if r["seed"] in untrained]
        gap = lambda d: f"{statistics.fmean(d):+.2f} ({min(d):+.2f})" if d else "-"  # noqa: E731
        train = statistics.fmean(r["train_seconds"] for r in records)
        print(f"| {name} | `{' '.join(known[name])}` | {mean_std(probe)} | {mean_std(knn)} | "
              f"{gap(vs_raw)} | {gap(vs_untrained) if name != 'untrained' else '-'} | {train:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
