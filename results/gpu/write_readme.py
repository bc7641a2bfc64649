"""README.md of a first.sh run: the device, the samples/s table, the two arms and every step's status.

It reads only first.sh's own files in --out (device.json, perf.jsonl, runs.jsonl, untrained.jsonl,
steps.tsv) and the `bench table` outputs given by --tables, so a run cut short still gets a README
saying what is missing. The figures are written as measured; what they mean belongs in results/gpu/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path
from typing import Any

LOOPS = (("a_model", "(a) model alone"), ("b_trainer", "(b) trainer step"), ("c_reference", "(c) PIL + DataLoader"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line torn by a killed step; the rest still counts
    return [row for row in rows if isinstance(row, dict)]


def device_lines(device: dict[str, Any]) -> list[str]:
    if not device:
        return ["- device: not recorded (device.json is missing or empty)"]
    smi = (device.get("nvidia_smi") or [{}])[0]
    name = smi.get("name") or device.get("device_name") or f"CPU ({device.get('cpu_count')} cores)"
    return [f"- device: **{name}**" + (f", driver {smi['driver_version']}, {smi.get('memory.total')}"
                                        if smi.get("driver_version") else ""),
            f"- torch {device.get('torch')}, torchvision {device.get('torchvision')}, CUDA runtime "
            f"{device.get('cuda_runtime')}, cuDNN {device.get('cudnn')}, Python {device.get('python')}, "
            f"{device.get('cpu_count')} CPU cores",
            f"- fp32 convolutions may use TF32: cudnn.allow_tf32 = {device.get('cudnn_allow_tf32')}, "
            f"float32 matmul precision = {device.get('float32_matmul_precision')}"]


def setting_name(settings: dict[str, Any]) -> str:
    parts = [settings["precision"]]
    if settings.get("channels_last"):
        parts.append("channels-last")
    if settings.get("compile"):
        parts.append("compiled")
    return " + ".join(parts)


def perf_table(records: list[dict[str, Any]]) -> list[str]:
    if not records:
        return ["No throughput was measured (see the steps below)."]
    first = records[0]["settings"]
    lines = [f"{first['encoder']}, {first['method']} (N-pair) + i-Mix ({first['mix']}), batch {first['batch_size']}; "
             f"median of {first['rounds']} rounds x {first['steps']} steps; samples/s (one sample = two views)", "",
             "| setting | " + " | ".join(label for _, label in LOOPS) + " | b/a | b/c | warm-up s (a, b, c) |",
             "|---|" + "---:|" * (len(LOOPS) + 3)]
    for record in records:
        rates, warmup = record["samples_per_second"], record.get("warmup_seconds", {})
        lines.append(f"| {setting_name(record['settings'])} | "
                     + " | ".join(f"{rates[key]:,.0f}" for key, _ in LOOPS)
                     + f" | {record['ratio_b_over_a']:.2f} | {record['ratio_b_over_c']:.2f} | "
                     + ", ".join(f"{warmup[key]:.1f}" for key, _ in LOOPS if key in warmup) + " |")
    return lines


def runs_table(runs: list[dict[str, Any]]) -> list[str]:
    if not runs:
        return ["No training run finished (see the steps below)."]
    lines = ["| arm | epochs | kNN | probe | train s | samples/s | wall s | precision |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for run in runs:
        cfg = run["config"]
        arm = f"i-Mix ({run.get('mix') or cfg.get('mix')})" if run["imix"] else "baseline"
        if cfg["epochs"] == 0:
            arm = "untrained encoder"
        precision = cfg["precision"] + (" + channels-last" if cfg.get("channels_last") else "")
        lines.append(f"| {run['method']} {arm} | {cfg['epochs']} | {100 * run['knn']['accuracy']:.2f}% | "
                     f"{100 * run['probe']['accuracy']:.2f}% | {run['train_seconds']:.1f} | "
                     f"{run['samples_per_second']:,.0f} | {run['wall_seconds']:.1f} | {precision} |")
    return lines


def steps_table(path: Path) -> list[str]:
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    return ["| step | status | seconds |", "|---|---|---:|"] + [f"| {' | '.join(row)} |" for row in rows]


def compose(out: Path, tables: list[Path], mode: str, budget: int, seconds: int) -> str:
    device_file = out / "device.json"
    device = json.loads(device_file.read_text()) if device_file.exists() and device_file.stat().st_size else {}
    runs = read_jsonl(out / "untrained.jsonl") + read_jsonl(out / "runs.jsonl")
    title = "First GPU run" if mode == "full" else "Tiny CPU run of first.sh (a smoke test, not a measurement)"
    parts = [f"# {title}", "",
             f"Written by `results/gpu/first.sh` on {datetime.date.today().isoformat()}: {seconds} s of a "
             f"{budget} s budget. Files: device.json, perf.jsonl (bench.perf), runs.jsonl and untrained.jsonl "
             "(bench run records), steps.tsv, log.txt.", "", *device_lines(device), "", "## Samples per second", "",
             *perf_table(read_jsonl(out / "perf.jsonl")), "",
             "## Baseline vs i-Mix, same epochs", "", *runs_table(runs), ""]
    for table in tables:
        if table.exists() and table.stat().st_size:
            parts += [f"`python -m bench table --metric {table.stem.removeprefix('table_')}`:", "",
                      table.read_text().rstrip(), ""]
    parts += ["## Steps", "", *steps_table(out / "steps.tsv"), ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tables", type=Path, nargs="*", default=[])
    parser.add_argument("--mode", choices=("full", "tiny"), default="full")
    parser.add_argument("--budget", type=int, default=0)
    parser.add_argument("--seconds", type=int, default=0)
    args = parser.parse_args(argv)
    (args.out / "README.md").write_text(compose(args.out, args.tables, args.mode, args.budget, args.seconds))
    print(f"written {args.out / 'README.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
