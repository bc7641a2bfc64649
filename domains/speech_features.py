"""Log-mel spectrograms of whole batches, normalised with training-split statistics."""

from __future__ import annotations

import copy
import warnings

import torch
import torchaudio
from torch import Tensor

from .audio_io import INT16_SCALE, SAMPLE_RATE

HOP = SAMPLE_RATE // 100  # 10 ms: 1 s -> 101 frames (centred windows)
WINDOW = 400  # 25 ms
MIN_STD = 1.0  # natural-log units (about 4.3 dB); speech bins vary by 3-4
LOG_FLOOR = 1e-3  # about the noise floor of quiet recordings; zero padding must not dominate the statistics


def as_float(waveforms: Tensor) -> Tensor:
    """int16 storage -> float32 in [-1, 1]; float input is passed through."""
    if waveforms.dtype == torch.int16:
        return waveforms.float() / INT16_SCALE
    return waveforms.float()


class LogMel:
    """(N, samples) waveforms -> (N, 1, n_mels, frames) normalised log-mel spectrograms.

    The mel transform and the per-bin mean and std are moved to a batch's device the first
    time that device is seen, so one instance serves CPU loading and GPU training.
    """

    def __init__(self, n_mels: int = 40) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.mel = torchaudio.transforms.MelSpectrogram(
                sample_rate=SAMPLE_RATE, n_fft=512, win_length=WINDOW, hop_length=HOP,
                f_min=20.0, f_max=SAMPLE_RATE / 2, n_mels=n_mels, power=2.0)
        self.n_mels = n_mels
        self.mean = torch.zeros(n_mels, 1)
        self.std = torch.ones(n_mels, 1)
        self._on: dict[torch.device, tuple] = {}

    def frames(self, samples: int) -> int:
        return samples // HOP + 1

    def _parts(self, device: torch.device):
        if device not in self._on:
            # a copy: nn.Module.to moves in place, which would strand the CPU entry on the GPU
            mel = self.mel if device.type == "cpu" else copy.deepcopy(self.mel).to(device)
            self._on[device] = (mel, self.mean.to(device), self.std.to(device))
        return self._on[device]

    def log_mel(self, waveforms: Tensor) -> Tensor:
        mel, _, _ = self._parts(waveforms.device)
        return torch.log(mel(as_float(waveforms)) + LOG_FLOOR)  # (N, n_mels, frames)

    def fit(self, waveforms: Tensor, chunk: int = 1024) -> None:
        """Per-mel-bin mean and std over all frames of the (clean) training clips."""
        total = torch.zeros(self.n_mels, dtype=torch.float64)
        squares = torch.zeros(self.n_mels, dtype=torch.float64)
        count = 0
        for part in waveforms.split(chunk):
            spec = self.log_mel(part).double()
            total += spec.sum(dim=(0, 2)).cpu()
            squares += (spec ** 2).sum(dim=(0, 2)).cpu()
            count += spec.shape[0] * spec.shape[2]
        mean = total / count
        # A floor on the std: bins that are constant in training (above 4 kHz in 8 kHz recordings
        # such as FSDD) would otherwise turn any noise in an augmented view into huge values.
        std = (squares / count - mean ** 2).clamp_min(0.0).sqrt().clamp_min(MIN_STD)
        self.mean, self.std = mean.float().unsqueeze(1), std.float().unsqueeze(1)
        self._on.clear()

    def __call__(self, waveforms: Tensor) -> Tensor:
        _, mean, std = self._parts(waveforms.device)
        return ((self.log_mel(waveforms) - mean) / std).unsqueeze(1)
