"""Reading speech clips: audio files, each dataset layout, corrupt files, splits, the eSpeak set."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
import torch

from bench.core.errors import UserError
from domains import speech_commands, speech_sources as sources
from domains.audio_io import loudest_window, read_clips
from domains.base import DataRequest
from domains.speech import SpeechDomain

from speech_fixtures import (class_folder, fsdd_folder, speech_commands_folder, tone, write_corrupt,
                              write_wav)


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def warnings_logged():
    handler = Captured()
    logger = logging.getLogger("imix_bench")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def test_loudest_window_pads_evenly_and_keeps_the_loudest_second():
    assert loudest_window(np.array([1.0, 2.0]), 5).tolist() == [0.0, 1.0, 2.0, 0.0, 0.0]
    # windows of 2: energies 0, 1, 26, 26, 1 -> the first loudest starts at index 2
    assert loudest_window(np.array([0.0, 0.0, 1.0, 5.0, 1.0, 0.0]), 2).tolist() == [1.0, 5.0]


def test_clips_are_resampled_to_16khz_with_their_pitch_kept(tmp_path):
    path = write_wav(tmp_path / "a.wav", tone(1000, 1.0, rate=8000), rate=8000)
    clips = read_clips([path])
    assert clips.waveforms.shape == (1, 16_000) and clips.waveforms.dtype == torch.int16
    spectrum = torch.fft.rfft(clips.waveforms[0].float()).abs()
    assert int(spectrum.argmax()) == 1000  # 1 s at 16 kHz: bin k is k Hz


def test_a_corrupt_file_is_skipped_and_named(tmp_path, warnings_logged):
    good = [write_wav(tmp_path / f"{i}.wav", tone(500)) for i in range(3)]
    bad = write_corrupt(tmp_path / "broken.wav")
    clips = read_clips(good[:2] + [bad] + good[2:])
    assert clips.kept == [0, 1, 3] and clips.skipped == [bad]
    assert clips.waveforms.shape[0] == 3
    assert any("broken.wav" in m for m in warnings_logged)


def test_mostly_unreadable_data_stops_with_a_clear_error(tmp_path):
    paths = [write_corrupt(tmp_path / f"{i}.wav") for i in range(3)] + [write_wav(tmp_path / "ok.wav", tone(500))]
    with pytest.raises(UserError, match="3 of 4 audio files could not be read"):
        read_clips(paths)


def test_fsdd_index_split_puts_takes_0_to_4_in_test(tmp_path):
    clips = sources.fsdd(str(fsdd_folder(tmp_path)), str(tmp_path), "index", None)
    # 3 digits x 3 speakers x 7 takes: takes 0-4 test (45 clips), 5-6 train (18)
    assert (len(clips.train_y), len(clips.test_y)) == (18, 45)
    assert clips.train_x.shape == (18, 16_000)
    assert torch.bincount(clips.test_y).tolist() == [15, 15, 15]


def test_fsdd_speaker_split_holds_out_whole_speakers(tmp_path):
    folder = str(fsdd_folder(tmp_path))
    default = sources.fsdd(folder, str(tmp_path), "speaker", None)
    assert default.info["test_split"] == "speakers carol held out"  # the last third by name
    assert (len(default.train_y), len(default.test_y)) == (42, 21)
    chosen = sources.fsdd(folder, str(tmp_path), "speaker", ["alice"])
    assert chosen.info["test_split"] == "speakers alice held out"
    with pytest.raises(UserError, match="dave not found; speakers in .*: alice, bob, carol"):
        sources.fsdd(folder, str(tmp_path), "speaker", ["dave"])


def test_audiofolder_with_train_and_test_folders(tmp_path):
    class_folder(tmp_path / "train", classes=2, per_class=3)
    class_folder(tmp_path / "test", classes=2, per_class=2)
    clips = sources.audiofolder(str(tmp_path), 0.5, 0.2, 0)
    assert clips.class_names == ["class0", "class1"]
    assert clips.train_x.shape == (6, 8000) and len(clips.test_y) == 4


def test_audiofolder_split_is_stratified_and_fixed_by_its_seed(tmp_path):
    class_folder(tmp_path, classes=3, per_class=5)
    first = sources.audiofolder(str(tmp_path), 0.5, 0.4, split_seed=0)
    again = sources.audiofolder(str(tmp_path), 0.5, 0.4, split_seed=0)
    assert torch.bincount(first.test_y).tolist() == [2, 2, 2]  # round(5 * 0.4) of every class
    assert torch.equal(first.test_x, again.test_x)


def test_audiofolder_needs_two_classes(tmp_path):
    class_folder(tmp_path, classes=1)
    with pytest.raises(UserError, match="at least two class subfolders"):
        sources.audiofolder(str(tmp_path), 1.0, 0.2, 0)


def test_speech_commands_official_protocol_is_the_default(tmp_path):
    folder = speech_commands_folder(tmp_path / "sc")
    domain = SpeechDomain()
    data = domain.load(DataRequest("speechcommands", str(folder), str(tmp_path), 0))
    assert data.n_classes == 12 and data.class_names[-2:] == ["_unknown_", "_silence_"]
    train_counts = torch.bincount(data.train.y, minlength=12).tolist()
    test_counts = torch.bincount(data.test.y, minlength=12).tolist()
    # train: clip a of each keyword (b is validation, c and d test); a, d, e, f of bed, cat and
    # happy, none dropped: 22 clips, so int(22 * 0.1) = 2 all-zero silence clips.
    assert train_counts == [1] * 10 + [12, 2]
    # test: testing_list.txt as it is (c and d of keywords, c of the unknown words), no silence
    assert test_counts == [2] * 10 + [3, 0]
    assert data.info["counts"]["train"] == {"keywords": 10, "unknown": 12, "silence": 2}
    assert data.info["sc_protocol"] == "official"
    silence = data.train.x[data.train.y == 11]
    assert silence.shape == (2, 16_000) and not silence.any()  # LoadAudio('') gives zeros
    assert domain.noise_bank is not None and domain.noise_bank.numel() == 32_000  # still used by views
    assert data.input_shape == (1, 32, 32)  # the official recipe is the default


def test_official_silence_count_is_ten_percent_of_training_clips_truncated():
    assert [speech_commands.official_silence_count(n) for n in (9, 10, 22, 51_088)] == [0, 1, 2, 5_108]


def test_speech_commands_balanced_protocol_keeps_the_earlier_counts(tmp_path):
    folder = speech_commands_folder(tmp_path / "sc")
    domain = SpeechDomain(sc_protocol="balanced")
    data = domain.load(DataRequest("speechcommands", str(folder), str(tmp_path), 0))
    # unknown and silence get one average keyword class's count each, in both splits
    assert torch.bincount(data.train.y, minlength=12).tolist() == [1] * 10 + [1, 1]
    assert torch.bincount(data.test.y, minlength=12).tolist() == [2] * 10 + [2, 2]
    assert data.info["counts"]["test"] == {"keywords": 20, "unknown": 2, "silence": 2}
    assert data.test.x[data.test.y == 11].abs().amax() > 0  # silence cut from the noise recording


def test_unknown_sc_protocol_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="--sc-protocol 'kaggle' is not one of official, balanced"):
        speech_commands.speechcommands(str(speech_commands_folder(tmp_path / "sc")), str(tmp_path), "0.01", "kaggle")


def test_missing_speech_commands_names_the_archive(tmp_path):
    with pytest.raises(UserError, match=r"speech_commands_v0\.02\.tar\.gz"):
        speech_commands.speechcommands(str(tmp_path / "nowhere"), str(tmp_path), "0.02")


def test_fsdd_slice_of_the_shared_data(shared_data, tmp_path):
    recordings = sorted((shared_data / "fsdd" / "recordings").glob("*_jackson_[0-9].wav"))
    assert len(recordings) == 100  # 10 digits x takes 0-9
    for path in recordings:
        shutil.copy(path, tmp_path / path.name)
    clips = sources.fsdd(str(tmp_path), str(tmp_path), "index", None)
    assert (len(clips.train_y), len(clips.test_y)) == (50, 50)
    assert clips.train_x.abs().amax(1).min() > 1000  # every clip holds sound, not padding only


def test_espeak_keywords_are_synthesised_once_then_cached(tmp_path, monkeypatch):
    pytest.importorskip("espeakng_loader")
    from domains import speech_synth

    monkeypatch.setattr(sources, "SYNTH_PER_WORD", 4)
    clips = sources.espeak_keywords(str(tmp_path))
    assert len(clips.train_y) + len(clips.test_y) == 4 * len(speech_synth.WORDS)
    assert clips.train_x.shape[1] == 16_000
    assert clips.train_x.abs().amax(1).min() > 1000  # every clip has a spoken word in it

    def no_synthesis(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(speech_synth, "synthesise", no_synthesis)
    again = sources.espeak_keywords(str(tmp_path))
    assert torch.equal(again.train_x, clips.train_x) and again.info["cache_sha256"] == clips.info["cache_sha256"]


def test_espeak_test_voices_are_never_heard_in_training():
    from domains import speech_synth

    plan = speech_synth.utterances(50)
    train_voices = {u.voice.split("+")[1] for u in plan if not u.test}
    test_voices = {u.voice.split("+")[1] for u in plan if u.test}
    assert test_voices and not train_voices & test_voices
