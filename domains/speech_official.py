"""The official i-Mix speech recipe (``speech_commands/transforms_wav.py`` and ``transforms_stft.py``
of kibok90/imix), rewritten for whole batches in torch so it runs on the training device.

Clean view (``ToMelSpectrogram``): a 2048-point STFT with a 512-sample hop (1 s at 16 kHz -> 32
frames), 32 Slaney mel bins, power in dB relative to the clip's maximum (``power_to_db(ref=np.max)``,
so every clip peaks at 0 dB, floored 80 dB below), no normalisation: a 1 x 32 x 32 input.

Augmented view, each step applied to a clip with probability 0.5, in the official order:
amplitude x U(0.7, 1.1); speed and pitch change by 1 + U(-0.2, 0.2) (resampling, cut or zero-padded
back to 1 s); STFT; phase-vocoder time stretch by rate 1 + U(-0.2, 0.2); a shift of up to 8 STFT
frames; cut or zero-pad back to 32 frames; then background noise: a 1 s noise chunk that went
through the same four steps, blended on the complex STFT as (1 - p) * clip + p * noise with
p ~ U(0, 0.45). Each clip draws its own values; no Python loop runs over the batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torchaudio
from torch import Tensor

from .audio_io import SAMPLE_RATE
from .speech_augment import coloured_noise
from .speech_features import as_float

N_FFT = 2048  # librosa's defaults, which the official ToMelSpectrogram and ToSTFT use
HOP = 512
N_MELS = 32
AMIN = 1e-10  # librosa.power_to_db defaults
TOP_DB = 80.0


@dataclass(frozen=True)
class OfficialAugment:
    probability: float = 0.5  # should_apply_transform(prob=0.5), the same for every step
    amplitude: tuple[float, float] = (0.7, 1.1)  # ChangeAmplitude
    speed_max_scale: float = 0.2  # ChangeSpeedAndPitchAudio
    stretch_max_scale: float = 0.2  # StretchAudioOnSTFT
    shift_max_frames: int = 8  # TimeshiftAudioOnSTFT
    noise_max_percentage: float = 0.45  # AddBackgroundNoiseOnSTFT


def frames(samples: int) -> int:
    """STFT frames of a clip (centred windows): 16,000 samples -> 32."""
    return 1 + samples // HOP


def _uniform(n: int, low: float, high: float, generator: torch.Generator, device: torch.device) -> Tensor:
    return low + (high - low) * torch.rand(n, generator=generator, device=generator.device).to(device)


def _applied(n: int, probability: float, generator: torch.Generator, device: torch.device) -> Tensor:
    return _uniform(n, 0.0, 1.0, generator, device) < probability


# ---------------------------------------------------------------- waveform steps


def change_speed(x: Tensor, scale: Tensor) -> Tensor:
    """ChangeSpeedAndPitchAudio then FixAudioLength: output sample t is the clip linearly
    interpolated at t / (1 + scale); past the stretched clip's end it is zero padding."""
    n, length = x.shape
    position = torch.arange(length, device=x.device, dtype=x.dtype)[None, :] / (1 + scale[:, None])
    inside = position < length  # np.arange(0, L, step) stops before L
    position = position.clamp(max=length - 1)  # np.interp holds the last sample past the end
    left = position.floor().long()
    frac = position - left
    right = (left + 1).clamp(max=length - 1)
    return (x.gather(1, left) * (1 - frac) + x.gather(1, right) * frac) * inside


# ---------------------------------------------------------------- STFT steps


def stft(x: Tensor) -> Tensor:
    """(N, samples) -> (N, 1025, frames) complex, as librosa.stft (periodic Hann, centred, reflect padding)."""
    window = torch.hann_window(N_FFT, periodic=True, device=x.device, dtype=x.dtype)
    return torch.stft(x, N_FFT, HOP, window=window, center=True, pad_mode="reflect", return_complex=True)


def parts(spec: Tensor) -> tuple[Tensor, Tensor]:
    """Contiguous real and imaginary parts: element-wise maths on them is several times faster on
    CPU than the complex abs and angle kernels."""
    return spec.real.contiguous(), spec.imag.contiguous()


def stretched_frames(n_frames: int, rate: Tensor) -> Tensor:
    """Frames after librosa.phase_vocoder at ``rate``: len(np.arange(0, n_frames, rate))."""
    return torch.ceil(n_frames / rate).long()


def phase_vocoder(spec: Tensor, rate: Tensor, width: int | None = None) -> tuple[Tensor, Tensor]:
    """librosa.phase_vocoder with one rate per clip: (N, F, T) complex -> (N, F, width) and each
    clip's own frame count ceil(T / rate); frames past a clip's count are zero."""
    n, n_freq, n_frames = spec.shape
    lengths = stretched_frames(n_frames, rate)
    width = int(lengths.max()) if width is None else width
    steps = torch.arange(width, device=spec.device, dtype=rate.dtype)[None, :] * rate[:, None]  # (N, width)
    valid = torch.arange(width, device=spec.device)[None, :] < lengths[:, None]
    real, imag = parts(spec)
    size, angle = torch.hypot(real, imag), torch.atan2(imag, real)  # gathered below as real tensors
    size, angle = (torch.nn.functional.pad(t, (0, 2)) for t in (size, angle))  # librosa appends two zero frames
    first = steps.floor().long().clamp(max=n_frames)  # invalid steps are clamped, then masked
    alpha = (steps - first)[:, None, :]
    index = first[:, None, :].expand(n, n_freq, width)
    magnitude = torch.lerp(size.gather(2, index), size.gather(2, index + 1), alpha)
    # librosa: phase_acc += advance + wrap(angle1 - angle0 - advance) after each frame. Mod 2 pi
    # that increment is angle1 - angle0 whatever the bin's advance, so the advance drops out;
    # it is taken mod 2 pi (the same phase) so that float32 cumulative sums stay exact enough
    increment = torch.remainder(angle.gather(2, index + 1) - angle.gather(2, index), 2 * math.pi)
    phase = angle[:, :, :1] + torch.cumsum(increment, dim=2) - increment
    magnitude = magnitude * valid[:, None, :]
    return torch.complex(magnitude * torch.cos(phase), magnitude * torch.sin(phase)), lengths


def shift_frames(spec: Tensor, shift: Tensor, lengths: Tensor) -> Tensor:
    """TimeshiftAudioOnSTFT: frame t becomes frame t + shift of the clip (zero outside it); a clip
    keeps its own length ``lengths``, so content shifted past its end is dropped."""
    n, n_freq, width = spec.shape
    t = torch.arange(width, device=spec.device)[None, :]
    source = t + shift[:, None]
    valid = (source >= 0) & (source < lengths[:, None]) & (t < lengths[:, None])
    index = source.clamp(0, width - 1)[:, None, :].expand(n, n_freq, width)
    return spec.gather(2, index) * valid[:, None, :]


def fix_frames(spec: Tensor, n_frames: int) -> Tensor:
    """FixSTFTDimension: cut or zero-pad the time axis to ``n_frames``."""
    width = spec.shape[2]
    if width >= n_frames:
        return spec[:, :, :n_frames]
    return torch.nn.functional.pad(spec, (0, n_frames - width))


# ---------------------------------------------------------------- mel in dB


class OfficialMel:
    """(N, samples) waveforms -> (N, 1, 32, frames) log-mel in dB, ref = each clip's maximum."""

    n_mels = N_MELS

    def __init__(self) -> None:
        self.filters = torchaudio.functional.melscale_fbanks(
            N_FFT // 2 + 1, 0.0, SAMPLE_RATE / 2, N_MELS, SAMPLE_RATE, norm="slaney", mel_scale="slaney")
        self._on: dict[torch.device, Tensor] = {}

    def frames(self, samples: int) -> int:
        return frames(samples)

    def fit(self, waveforms: Tensor) -> None:
        """Nothing to fit: the official features are not normalised."""

    def mel_db(self, spec: Tensor) -> Tensor:
        """Complex (N, 1025, T) STFT -> (N, 1, 32, T) ``power_to_db(mel power, ref=max, top_db=80)``."""
        if spec.device not in self._on:
            self._on[spec.device] = self.filters.to(spec.device)
        real, imag = parts(spec)
        power = torch.einsum("nft,fm->nmt", real * real + imag * imag, self._on[spec.device])
        return power_to_db(power).unsqueeze(1)

    def __call__(self, waveforms: Tensor) -> Tensor:
        return self.mel_db(stft(as_float(waveforms)))


def power_to_db(power: Tensor) -> Tensor:
    """librosa.power_to_db(S, ref=np.max) per clip of (N, ...): 0 dB at the clip's maximum, at most
    80 dB below it; an all-zero clip is 0 dB everywhere, as in librosa."""
    dims = tuple(range(1, power.dim()))
    db = 10 * torch.log10(power.clamp_min(AMIN))
    db = db - 10 * torch.log10(power.amax(dim=dims, keepdim=True).clamp_min(AMIN))
    return torch.maximum(db, db.amax(dim=dims, keepdim=True) - TOP_DB)


# ---------------------------------------------------------------- the augmented view


def augmented_stft(x: Tensor, cfg: OfficialAugment, generator: torch.Generator) -> Tensor:
    """data_aug_transform of main_pretext.py: amplitude, speed, STFT, stretch, shift, fix."""
    n, length = x.shape
    device, p = x.device, cfg.probability
    gain = torch.where(_applied(n, p, generator, device), _uniform(n, *cfg.amplitude, generator, device), 1.0)
    x = x * gain[:, None]
    scale = _uniform(n, -cfg.speed_max_scale, cfg.speed_max_scale, generator, device)
    x = torch.where(_applied(n, p, generator, device)[:, None], change_speed(x, scale), x)
    spec = stft(x)
    n_frames = spec.shape[2]
    rate = 1 + _uniform(n, -cfg.stretch_max_scale, cfg.stretch_max_scale, generator, device)
    rate = torch.where(_applied(n, p, generator, device), rate, 1.0)
    lengths = stretched_frames(n_frames, rate)
    width = max(n_frames, int(lengths.max()))
    stretched = fix_frames(spec, width)
    chosen = (rate != 1.0).nonzero().flatten()
    if len(chosen):  # only the clips that draw a stretch pay for the phase vocoder
        stretched = stretched.index_copy(0, chosen, phase_vocoder(spec[chosen], rate[chosen], width)[0])
    shift = torch.randint(-cfg.shift_max_frames, cfg.shift_max_frames + 1, (n,), generator=generator,
                          device=generator.device).to(device)
    shift = torch.where(_applied(n, p, generator, device), shift, 0)
    return fix_frames(shift_frames(stretched, shift, lengths), n_frames)


def noise_chunks(bank: Tensor, length: int = SAMPLE_RATE) -> Tensor:
    """BackgroundNoiseDataset: the concatenated recordings cut into whole 1 s chunks."""
    count = bank.numel() // length
    return bank[: count * length].reshape(count, length)


def official_views(x: Tensor, cfg: OfficialAugment, generator: torch.Generator, features: OfficialMel,
                   chunks: Tensor | None = None) -> Tensor:
    """Random (N, 1, 32, frames) views of (N, samples) waveforms; ``chunks`` are (K, samples) noise
    clips (coloured noise is drawn when a data set ships none)."""
    x = as_float(x)
    n, length = x.shape
    spec = augmented_stft(x, cfg, generator)
    noisy = _applied(n, cfg.probability, generator, x.device)
    percentage = _uniform(n, 0.0, cfg.noise_max_percentage, generator, x.device)
    chosen = noisy.nonzero().flatten()
    if len(chosen):  # only the clips that get noise pay for a second augmented STFT
        if chunks is not None and len(chunks) and chunks.shape[1] == length:
            pick = torch.randint(0, len(chunks), (len(chosen),), generator=generator, device=generator.device)
            noise = chunks[pick.to(chunks.device)].to(x.device)
        else:  # at RMS 0.1, about the level of the Speech Commands noise recordings
            noise = coloured_noise(len(chosen), length, generator, x.device)
            noise = 0.1 * noise / noise.pow(2).mean(1, keepdim=True).sqrt().clamp_min(1e-8)
        noise_spec = augmented_stft(noise, cfg, generator)
        w = percentage[chosen][:, None, None]
        spec = spec.index_copy(0, chosen, spec[chosen] * (1 - w) + noise_spec * w)
    return features.mel_db(spec)
