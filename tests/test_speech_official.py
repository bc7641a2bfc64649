"""The official i-Mix speech recipe: 1x32x32 log-mel in dB (ref=max) and each augmentation step."""

from __future__ import annotations

import math

import numpy as np
import torch

from bench.core.rng import Rng
from domains.base import DataRequest
from domains.speech import SpeechDomain
from domains.speech_official import (OfficialAugment, OfficialMel, augmented_stft, change_speed, fix_frames,
                                     noise_chunks, official_views, phase_vocoder, power_to_db, shift_frames,
                                     stft)

from speech_fixtures import class_folder

OFF = OfficialAugment(probability=1.0, amplitude=(1.0, 1.0), speed_max_scale=0.0, stretch_max_scale=0.0,
                      shift_max_frames=0, noise_max_percentage=0.0)  # every step drawn, none changes anything


def tones(n: int = 4, seconds: float = 1.0) -> torch.Tensor:
    t = torch.arange(int(16_000 * seconds)) / 16_000
    return 0.3 * torch.sin(2 * torch.pi * torch.linspace(300, 2000, n)[:, None] * t)


def generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_clean_view_is_1x32x32_in_db_with_each_clip_peaking_at_0():
    spec = OfficialMel()(tones())
    assert spec.shape == (4, 1, 32, 32)  # 1 + 16000 // 512 frames, 32 mel bins
    assert spec.amax(dim=(1, 2, 3)).tolist() == [0.0] * 4  # ref = the clip's maximum
    assert spec.min() >= -80.0  # librosa's top_db
    quiet = OfficialMel()(0.01 * tones())
    assert torch.allclose(quiet, spec, atol=1e-3)  # relative to the maximum: the level cancels


def test_power_to_db_by_hand():
    power = torch.tensor([[1.0, 0.1, 0.01, 1e-12]])
    assert torch.allclose(power_to_db(power), torch.tensor([[0.0, -10.0, -20.0, -80.0]]))
    assert torch.allclose(power_to_db(4 * power)[0, :3], torch.tensor([0.0, -10.0, -20.0]))
    assert power_to_db(torch.zeros(1, 3)).tolist() == [[0.0, 0.0, 0.0]]  # an all-zero silence clip


def test_amplitude_step_scales_the_stft():
    x = tones(2)
    cfg = OfficialAugment(**{**OFF.__dict__, "amplitude": (0.5, 0.5)})
    assert torch.allclose(augmented_stft(x, cfg, generator()), 0.5 * stft(x), atol=1e-4)
    assert torch.allclose(augmented_stft(x, OFF, generator()), stft(x), atol=1e-4)


def test_each_step_is_drawn_for_about_half_of_the_clips():
    x = tones(1).expand(400, -1)
    cfg = OfficialAugment(**{**OFF.__dict__, "probability": 0.5, "amplitude": (0.5, 0.5)})
    scaled = (augmented_stft(x, cfg, generator()).abs().amax(dim=(1, 2)) < 0.75 * stft(x[:1]).abs().max())
    assert 0.43 < scaled.float().mean() < 0.57


def test_speed_change_reads_the_clip_at_t_over_1_plus_scale_and_pads_with_zeros():
    x = torch.arange(8.0).expand(2, -1)
    out = change_speed(x, torch.tensor([1.0, -0.5]))
    # scale 1: np.interp(np.arange(0, 8, 0.5), ...) cut to 8 samples; scale -0.5: every 2nd sample, then zeros
    assert out[0].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    assert out[1].tolist() == [0.0, 2.0, 4.0, 6.0, 0.0, 0.0, 0.0, 0.0]
    expected = np.interp(np.arange(0, 8, 1 / 1.3), np.arange(8), np.arange(8.0))[:8]
    assert np.allclose(change_speed(x[:1], torch.tensor([0.3]))[0].numpy(), expected, atol=1e-5)


def test_time_stretch_changes_the_frame_count_before_the_fix_and_keeps_the_pitch():
    spec = stft(tones(2))  # 1000 Hz-ish tones: 32 frames
    faster, lengths = phase_vocoder(spec, torch.tensor([1.25, 0.8]))
    assert lengths.tolist() == [26, 40]  # len(np.arange(0, 32, rate))
    assert faster.shape[2] == 40 and faster[0, :, 26:].abs().max() == 0  # past clip 0's end
    assert fix_frames(faster, 32).shape == (2, 1025, 32)
    peak = spec.abs()[:, :, 16].argmax(1)
    assert (faster.abs()[:, :, 10].argmax(1) == peak).all()  # same frequency bin: pitch kept
    same, _ = phase_vocoder(spec, torch.tensor([1.0, 1.0]))
    assert torch.allclose(same, spec, atol=1e-3 * spec.abs().max())  # rate 1 is the identity


def test_shift_moves_frames_and_drops_what_leaves_the_clip():
    spec = torch.zeros(2, 1, 12, dtype=torch.complex64)
    spec[:, 0, 5] = 1
    out = shift_frames(spec, torch.tensor([3, -2]), torch.tensor([12, 6]))
    assert out[0, 0].abs().argmax() == 2  # shift 3: frame t takes frame t + 3
    assert out[1, 0].abs().sum() == 0  # shift -2 moves frame 5 to 7, past clip 1's 6 frames


def test_background_noise_is_blended_on_the_stft():
    silence = torch.zeros(3, 16_000)
    chunks = noise_chunks(0.1 * torch.randn(40_000, generator=generator()))
    assert chunks.shape == (2, 16_000)  # whole 1 s chunks only
    cfg = OfficialAugment(**{**OFF.__dict__, "noise_max_percentage": 0.45})
    noisy = official_views(silence, cfg, generator(), OfficialMel(), chunks)
    assert noisy.shape == (3, 1, 32, 32) and (noisy.flatten(1).std(1) > 1).all()  # no longer flat 0 dB
    clean = official_views(silence, OfficialAugment(**{**OFF.__dict__, "probability": 0.0}), generator(),
                           OfficialMel(), chunks)
    assert clean.abs().max() == 0


def test_the_domain_with_the_official_recipe(tmp_path):
    folder = class_folder(tmp_path / "clips", classes=2, per_class=4, seconds=1.0)
    domain = SpeechDomain(speech_recipe="official", test_size=0.5)
    data = domain.load(DataRequest("audiofolder", str(folder), str(tmp_path), 0))
    assert data.input_shape == (1, 32, 32) and data.info["speech_recipe"] == "official"
    views = domain.augment(data.train.x, Rng.from_seed(0))
    assert views.shape == (4, 1, 32, 32) and torch.isfinite(views).all()
    assert domain.preprocess(data.test.x).amax(dim=(1, 2, 3)).tolist() == [0.0] * 4
    assert math.isclose(float(views.amax()), 0.0)


def test_official_is_the_default_recipe_and_its_views_repeat_with_the_seed():
    domain = SpeechDomain()
    batch = (tones(1) * 32768).round().to(torch.int16).repeat(6, 1)  # six copies of one clip
    view = domain.augment(batch, Rng.from_seed(3))
    assert domain.recipe == "official" and view.shape == (6, 1, 32, 32)
    assert len({tuple(v.flatten()[:64].tolist()) for v in view}) > 1  # clips draw their own steps
    assert torch.equal(view, domain.augment(batch, Rng.from_seed(3)))
