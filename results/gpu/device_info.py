"""What the GPU run ran on, as JSON: nvidia-smi's name and driver, torch, CUDA and cuDNN versions.

Timings mean little without the card and the software under them, and the device machine is
given back after the run, so first.sh writes this before anything is measured. It also runs on
a machine without a GPU (the tiny CPU run): nvidia-smi's fields are then null.

    python3 results/gpu/device_info.py > device.json
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from typing import Any

NVIDIA_SMI_FIELDS = ("name", "driver_version", "memory.total", "clocks.max.sm", "power.limit")


def nvidia_smi() -> list[dict[str, str]] | None:
    """One dict per GPU nvidia-smi lists, or None where it is absent or fails."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        done = subprocess.run(["nvidia-smi", f"--query-gpu={','.join(NVIDIA_SMI_FIELDS)}", "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return [dict(zip(NVIDIA_SMI_FIELDS, (v.strip() for v in line.split(","))))
            for line in done.stdout.splitlines() if line.strip()]


def torch_side() -> dict[str, Any]:
    import numpy
    import sklearn
    import torch
    import torchvision

    info: dict[str, Any] = {"torch": torch.__version__, "torchvision": torchvision.__version__,
                            "numpy": numpy.__version__, "sklearn": sklearn.__version__,
                            "cuda_runtime": torch.version.cuda, "cuda_available": torch.cuda.is_available(),
                            "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
                            # "fp32" convolutions run as TF32 on Ampere and later unless this is off
                            "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
                            "float32_matmul_precision": torch.get_float32_matmul_precision()}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update({"device_name": props.name, "capability": f"{props.major}.{props.minor}",
                     "multiprocessors": props.multi_processor_count,
                     "memory_gib": round(props.total_memory / 2**30, 1),
                     "bf16_supported": torch.cuda.is_bf16_supported()})
    return info


def describe() -> dict[str, Any]:
    return {"nvidia_smi": nvidia_smi(), **torch_side(), "python": platform.python_version(),
            "platform": platform.platform(), "cpu_count": os.cpu_count()}


if __name__ == "__main__":
    print(json.dumps(describe(), indent=2))
