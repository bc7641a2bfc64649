"""Random views of speech batches, drawn per sample in a few whole-batch tensor operations.

The suite's recipe (``--speech-recipe suite``), not the official i-Mix one (that is in
speech_official): speed change and time shift (one resampling gather), amplitude scaling, background noise
at a random signal-to-noise ratio, then SpecAugment time and frequency masks on the
log-mel spectrogram. torchaudio's Speed/TimeStretch effects take one rate per call; a
per-sample rate would need a Python loop over the batch, so the warp here is one gather.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class AugmentConfig:
    amplitude: tuple[float, float] = (0.7, 1.1)
    speed: tuple[float, float] = (0.85, 1.15)  # playback-rate factor (changes pitch too, like tape)
    shift_seconds: float = 0.1  # time shift up to +-100 ms
    noise_probability: float = 0.8
    snr_db: tuple[float, float] = (5.0, 30.0)
    time_masks: int = 2
    time_mask_frames: int = 10  # each mask up to 10 frames (100 ms)
    freq_masks: int = 2
    freq_mask_fraction: float = 0.15  # each mask up to 15% of the mel bins


def uniform(n: int, low: float, high: float, generator: torch.Generator, device: torch.device) -> Tensor:
    return low + (high - low) * torch.rand(n, generator=generator, device=generator.device).to(device)


def speed_and_shift(x: Tensor, rate: Tensor, shift: Tensor) -> Tensor:
    """Resample each clip by its own ``rate`` about its centre and move it by ``shift`` samples,
    with linear interpolation; samples read from outside the clip are silence."""
    n, length = x.shape
    t = torch.arange(length, device=x.device, dtype=x.dtype)
    centre = (length - 1) / 2
    source = (t - centre) * rate[:, None] + centre - shift[:, None]  # (N, L) positions to read
    left = source.floor()
    frac = source - left
    left = left.long()
    inside_l = (left >= 0) & (left < length)
    inside_r = (left + 1 >= 0) & (left + 1 < length)
    a = torch.gather(x, 1, left.clamp(0, length - 1)) * inside_l
    b = torch.gather(x, 1, (left + 1).clamp(0, length - 1)) * inside_r
    return a * (1 - frac) + b * frac


def coloured_noise(n: int, length: int, generator: torch.Generator, device: torch.device) -> Tensor:
    """Gaussian noise with a 1/f^beta power spectrum, beta ~ U(0, 2) per clip (white to brown)."""
    white = torch.randn(n, length, generator=generator, device=generator.device).to(device)
    spectrum = torch.fft.rfft(white)
    # Frequencies in cycles per sample, floored near 20 Hz (at 16 kHz) so that brown noise is not
    # dominated by a near-DC drift; the DC bin itself is dropped.
    freqs = torch.fft.rfftfreq(length, device=device).clamp_min(1.25e-3)
    beta = uniform(n, 0.0, 2.0, generator, device)
    spectrum = spectrum * freqs[None, :] ** (-beta[:, None] / 2)
    spectrum[:, 0] = 0
    return torch.fft.irfft(spectrum, n=length)


def recorded_noise(bank: Tensor, n: int, length: int, generator: torch.Generator) -> Tensor:
    """Random ``length``-sample excerpts of the concatenated noise recordings ``bank`` (1-D)."""
    starts = torch.randint(0, bank.numel() - length + 1, (n,), generator=generator, device=generator.device)
    index = starts.to(bank.device)[:, None] + torch.arange(length, device=bank.device)
    return bank[index]


def add_noise(x: Tensor, noise: Tensor, snr_db: Tensor, apply: Tensor) -> Tensor:
    """x + noise scaled so that power(x) / power(noise) is ``snr_db``, where ``apply`` is true."""
    signal_power = x.pow(2).mean(1, keepdim=True).clamp_min(1e-8)
    noise_power = noise.pow(2).mean(1, keepdim=True).clamp_min(1e-8)
    scale = (signal_power / (noise_power * 10 ** (snr_db[:, None] / 10))).sqrt()
    return x + noise * scale * apply[:, None]


def band_masks(n: int, size: int, count: int, max_width: int, generator: torch.Generator,
               device: torch.device) -> Tensor:
    """(N, size) bool: ``count`` bands per sample, each of width 0..max_width at a random start."""
    rows = torch.zeros(n, size, dtype=torch.bool, device=device)
    positions = torch.arange(size, device=device)
    for _ in range(count):  # a loop over masks (2), not over samples
        width = torch.randint(0, max_width + 1, (n, 1), generator=generator, device=generator.device).to(device)
        start = (torch.rand(n, 1, generator=generator, device=generator.device).to(device)
                 * (size - width + 1)).floor()
        rows |= (positions >= start) & (positions < start + width)
    return rows


def spec_augment(spec: Tensor, cfg: AugmentConfig, generator: torch.Generator) -> Tensor:
    """Zero (the normalised mean) random time and frequency bands of (N, 1, F, T) spectrograms."""
    n, _, n_freq, n_time = spec.shape
    time = band_masks(n, n_time, cfg.time_masks, cfg.time_mask_frames, generator, spec.device)
    freq = band_masks(n, n_freq, cfg.freq_masks, max(1, int(cfg.freq_mask_fraction * n_freq)), generator, spec.device)
    masked = time[:, None, None, :] | freq[:, None, :, None]
    return spec.masked_fill(masked, 0.0)


def augment_waveforms(x: Tensor, cfg: AugmentConfig, generator: torch.Generator, sample_rate: int,
                      noise_bank: Tensor | None = None) -> Tensor:
    """Speed, shift, amplitude and noise for float (N, samples) waveforms, each clip its own draw."""
    n, length = x.shape
    device = x.device
    rate = uniform(n, *cfg.speed, generator, device)
    shift = uniform(n, -cfg.shift_seconds, cfg.shift_seconds, generator, device) * sample_rate
    x = speed_and_shift(x, rate, shift) * uniform(n, *cfg.amplitude, generator, device)[:, None]
    if noise_bank is not None and noise_bank.numel() >= length:
        noise = recorded_noise(noise_bank, n, length, generator)
    else:
        noise = coloured_noise(n, length, generator, device)
    apply = uniform(n, 0.0, 1.0, generator, device) < cfg.noise_probability
    return add_noise(x, noise, uniform(n, *cfg.snr_db, generator, device), apply)
