"""Log-mel features and the batched per-sample augmentation."""

from __future__ import annotations

import torch

from bench.core.rng import Rng
from domains.speech import SpeechDomain
from domains.speech_augment import AugmentConfig, add_noise, band_masks, coloured_noise, speed_and_shift
from domains.speech_features import MIN_STD, LogMel


def noisy_tones(n: int = 8) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    t = torch.arange(16_000) / 16_000
    frequencies = torch.linspace(200, 2000, n)[:, None]
    return (0.3 * torch.sin(2 * torch.pi * frequencies * t) + 0.01 * torch.randn(n, 16_000, generator=generator))


def test_log_mel_shape_and_training_statistics():
    features = LogMel(n_mels=32)
    waves = noisy_tones()
    features.fit(waves)
    spec = features(waves)
    assert spec.shape == (8, 1, 32, 101)  # 10 ms hop, centred frames: 16000 / 160 + 1
    per_bin_mean = spec.mean(dim=(0, 1, 3))
    per_bin_std = spec.std(dim=(0, 1, 3), unbiased=False)
    varied = features.std.flatten() > MIN_STD  # bins whose std is not floored
    assert varied.sum() > 16
    assert per_bin_mean.abs().max() < 1e-4 and (per_bin_std[varied] - 1).abs().max() < 1e-3


def test_a_bin_that_never_varies_in_training_is_not_blown_up():
    """8 kHz recordings have nothing above 4 kHz: those bins sit at the log floor in training,
    and a view with noise there must not become thousands of standard deviations."""
    features = LogMel(n_mels=40)
    low_only = torch.nn.functional.interpolate(noisy_tones()[:, None], scale_factor=0.5)[:, 0]
    low_only = torch.nn.functional.interpolate(low_only[:, None], size=16_000)[:, 0]  # ~4 kHz band limit
    features.fit(low_only)
    assert features.std.min() == MIN_STD  # the top bins are (almost) constant, so floored
    white = 0.1 * torch.randn(1, 16_000, generator=torch.Generator().manual_seed(0))
    assert features(white).abs().max() < 20


def test_int16_storage_gives_the_same_features_as_float():
    features = LogMel()
    waves = noisy_tones(2)
    stored = (waves * 32768).round().to(torch.int16)
    assert torch.allclose(features(stored), features(stored.float() / 32768))


def test_speed_and_shift_by_hand():
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]])
    # rate 1, shift +2 samples: the clip moves right, silence enters on the left
    assert speed_and_shift(x, torch.tensor([1.0]), torch.tensor([2.0])).tolist() == [[0, 0, 1, 2, 3]]
    # rate 2 about the centre (index 2) reads positions -2, 0, 2, 4, 6
    assert speed_and_shift(x, torch.tensor([2.0]), torch.tensor([0.0])).tolist() == [[0, 1, 3, 5, 0]]
    # half a sample of shift interpolates linearly
    assert speed_and_shift(x, torch.tensor([1.0]), torch.tensor([0.5])).tolist() == [[0.5, 1.5, 2.5, 3.5, 4.5]]


def test_noise_is_added_at_the_requested_snr():
    x = torch.ones(2, 100)  # power 1
    noise = torch.full((2, 100), 2.0)  # power 4
    mixed = add_noise(x, noise, snr_db=torch.tensor([20.0, 20.0]), apply=torch.tensor([True, False]))
    # 20 dB: noise power 0.01 -> amplitude 0.1 added; the second clip is left alone
    assert torch.allclose(mixed[0], torch.full((100,), 1.1)) and torch.equal(mixed[1], x[1])


def test_coloured_noise_is_finite_and_differs_per_clip():
    noise = coloured_noise(4, 16_000, torch.Generator().manual_seed(0), torch.device("cpu"))
    assert noise.shape == (4, 16_000) and torch.isfinite(noise).all()
    assert not torch.allclose(noise[0], noise[1])


def test_band_masks_stay_within_their_widths():
    masks = band_masks(64, 40, count=1, max_width=6, generator=torch.Generator().manual_seed(0),
                       device=torch.device("cpu"))
    widths = masks.sum(1)
    assert widths.max() <= 6 and widths.min() >= 0 and len(set(widths.tolist())) > 2


def test_augmented_views_differ_per_sample_and_repeat_with_the_seed():
    domain = SpeechDomain(speech_recipe="suite")
    clip = (noisy_tones(1) * 32768).round().to(torch.int16)
    batch = clip.repeat(4, 1)  # four copies of the same clip
    domain.features.fit(batch)
    view = domain.augment(batch, Rng.from_seed(3))
    assert view.shape == (4, 1, 40, 101) and torch.isfinite(view).all()
    assert not torch.allclose(view[0], view[1]) and not torch.allclose(view[2], view[3])
    assert not torch.allclose(view[0], domain.preprocess(batch)[0])
    assert torch.equal(view, domain.augment(batch, Rng.from_seed(3)))


def test_no_spec_augment_leaves_no_masked_bands():
    domain = SpeechDomain(spec_augment=False)
    assert domain.augment_config == AugmentConfig(time_masks=0, freq_masks=0)


def test_spectrograms_fit_the_shared_encoders():
    from encoders import build_encoder

    domain = SpeechDomain(n_mels=32, speech_recipe="suite")
    domain.features.fit(noisy_tones(2))
    spec = domain.preprocess(noisy_tones(2))
    for name, options in (("small-cnn", {"stem_stride": 2, "width": 0.25}), ("resnet18", {"width": 0.125})):
        encoder = build_encoder(name, (1, 32, 101), options)
        assert encoder(spec).shape == (2, encoder.feature_dim)


def test_peak_normalise_by_hand():
    from domains.speech import PEAK, peak_normalise

    clips = torch.tensor([[0, 100, -200], [0, 0, 0], [8192, -4096, 0]], dtype=torch.int16)
    out = peak_normalise(clips)
    assert out[0].tolist() == [0, PEAK // 2, -PEAK] and out[1].tolist() == [0, 0, 0]
    assert out[2].tolist() == [PEAK, -PEAK // 2, 0]
