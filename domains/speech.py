"""Speech: keyword and digit clips as log-mel spectrograms (the paper evaluates Speech Commands).

Clips are stored as 1 s int16 waveforms at 16 kHz. Two recipes turn a batch into model inputs
on the batch's device (``--speech-recipe``): ``official`` (default) is the i-Mix code's recipe
(see speech_official): 1 x 32 x 32 log-mel in dB and its amplitude, speed, time-stretch, shift and
noise steps; ``suite`` gives normalised 40-bin log-mels (1, n_mels, 101), and a view warps, scales
and adds noise to the waveform and masks the spectrogram. On FSDD's speaker split the two probe
alike and official's kNN is 15 points higher (results/speech/README.md), so official is the default. Spectrograms have correlated neighbours in time and frequency, so CutMix
(a time-frequency box) is offered beside MixUp.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from bench.core.errors import UserError
from bench.core.rng import Rng

from . import speech_sources as sources
from .audio_io import SAMPLE_RATE
from .base import DataRequest, Domain, DomainData, Split
from .hf_source import DESCRIPTION as HF_DESCRIPTION, hf_options
from bench.core.options import Option
from .speech_commands import SC_PROTOCOLS, SC_VERSIONS, speechcommands
from .speech_augment import AugmentConfig, augment_waveforms, spec_augment
from .speech_features import LogMel, as_float
from .speech_official import OfficialAugment, OfficialMel, noise_chunks, official_views


PEAK = 16_384  # half of int16 full scale: headroom for the 1.1 amplitude gain and added noise


def peak_normalise(waveforms: Tensor) -> Tensor:
    """Scale every int16 clip so that its largest absolute sample is ``PEAK`` (silent clips stay silent).

    Recording level is not a property of the spoken word; FSDD's speakers theo and yweweler are
    14-20 dB quieter than the others, so without this a held-out speaker is mostly a level shift.
    """
    peaks = waveforms.abs().amax(dim=1, keepdim=True).float().clamp_min(1.0)
    return (waveforms.float() * (PEAK / peaks)).round().clamp(-32768, 32767).to(torch.int16)


class SpeechDomain(Domain):
    name = "speech"
    summary = ("1 s speech clips as log-mel spectrograms (the official 1 x 32 x 32 in dB, or 1 x n_mels x 101 "
               "with --speech-recipe suite); audio augmentations")
    datasets = {
        "espeak-keywords": "embedded: 12 command words (yes, no, up, ... forward, backward) synthesised "
                           "offline by eSpeak NG (espeakng-loader) in 7 accents x 32 voice variants with "
                           "random pitch and rate, 2,400 clips; test = held-out voice variants; cached "
                           "under --data-root after the first run",
        "speechcommands": "Google Speech Commands, 12 classes (10 keywords, unknown, silence) as the official "
                          "i-Mix code builds them (--sc-protocol official, the default: every other word "
                          "is unknown, all-zero silence in training only; test = testing_list.txt) or "
                          "balanced; --sc-version 0.01 (default) or 0.02; "
                          "download, or --data FOLDER of the extracted archive",
        "fsdd": "Free Spoken Digit Dataset (8 kHz -> 16 kHz), --data FOLDER of {digit}_{speaker}_{index}.wav; "
                "--split index (0-4 test, the convention) or speaker (held-out speakers)",
        "audiofolder": "any folder of class subfolders of audio clips: --data ROOT with ROOT/<class>/ "
                       "(seeded split, --test-size) or ROOT/train/<class>/ and ROOT/test/<class>/",
        "hf": HF_DESCRIPTION + "; --audio-column, --label; clips cut/padded to --seconds",
    }
    default_encoder = "small-cnn"
    mixers = ("mixup", "cutmix")
    raw_probe = False  # a 4,040-feature logistic regression is slow; ask with --raw-probe

    flags = (
        Option("n_mels", int, 40, "--speech-recipe suite: mel bins of the spectrogram (official: 32)",
               choices=(32, 40, 64)),
        Option("split", str, "index", "fsdd: recording indices 0-4 in test, or whole speakers held out",
               choices=("index", "speaker")),
        Option("test_speakers", help="fsdd --split speaker: comma-separated speakers to hold out "
                                     "(default: the last third of the speakers by name)"),
        Option("sc_version", str, "0.01", "Speech Commands version (the paper uses 0.01)", choices=SC_VERSIONS),
        Option("sc_protocol", str, "official", "speechcommands: official (the i-Mix code: unknown not subsampled, "
               "all-zero silence = 10% of the training clips, none in test) or balanced (unknown subsampled and "
               "noise-cut silence, one keyword class's size each, both splits)", choices=SC_PROTOCOLS),
        Option("speech_recipe", str, "official", "features and views: official (the i-Mix code: 32x32 log-mel in "
               "dB, ref=max; amplitude, speed, STFT stretch, shift, noise, each with p=0.5) or suite (40x101 "
               "standardised log-mel, speed/shift/gain/noise, SpecAugment)", choices=("official", "suite")),
        Option("seconds", float, 1.0, "audiofolder, hf: clip duration in seconds after padding/cutting",
               valid=lambda s: 0.1 <= s <= 10, valid_text="[0.1, 10]"),
        Option("test_size", float, 0.2, "audiofolder without train/test folders: test fraction per class",
               valid=lambda f: 0 < f < 1, valid_text="(0, 1)"),
        Option("split_seed", int, 0, "audiofolder: seed of that split (fixed, so every run seed sees the same split)"),
        Option("level", help="peak: scale every clip to the same peak (default for fsdd, audiofolder and hf, whose "
                             "speakers are recorded at levels up to 20 dB apart); raw: keep recorded levels (default "
                             "for speechcommands, where 'silence' must stay quiet, and espeak)", choices=("peak", "raw")),
        Option("spec_augment", bool, True, "--speech-recipe suite: no time/frequency masks in the augmented views"),
        *hf_options("audio"),
    )

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.recipe = self.options["speech_recipe"]
        self.features: LogMel | OfficialMel = OfficialMel() if self.recipe == "official" else LogMel(
            self.options["n_mels"])
        spec_augment = self.options["spec_augment"]
        self.augment_config = AugmentConfig() if spec_augment else AugmentConfig(time_masks=0, freq_masks=0)
        self.official_config = OfficialAugment()
        self.noise_bank: Tensor | None = None
        self._noise_on: dict[torch.device, Tensor] = {}

    def defaults(self, dataset: str) -> dict[str, Any]:
        # The paper's speech settings use temperature 0.5. The CPU-scale sets have a few thousand
        # clips, so batch 128 keeps ~15-20 steps per epoch.
        epochs = {"speechcommands": 100}.get(dataset, 30)
        return {"temperature": 0.5, "batch_size": 128, "epochs": epochs, "lr": 0.125}

    def clip_set(self, request: DataRequest) -> sources.ClipSet:
        o = self.options
        if request.dataset == "espeak-keywords":
            return sources.espeak_keywords(request.root)
        if request.dataset == "fsdd":
            speakers = [s.strip() for s in o["test_speakers"].split(",")] if o.get("test_speakers") else None
            return sources.fsdd(request.path, request.root, o["split"], speakers)
        if request.dataset == "speechcommands":
            return speechcommands(request.path, request.root, o["sc_version"], o["sc_protocol"])
        if request.dataset == "hf":
            return sources.hf_clips(request.path, o, o["seconds"], request.seed)
        return sources.audiofolder(request.path, o["seconds"], o["test_size"], o["split_seed"])

    def level(self, dataset: str) -> str:
        return self.options.get("level") or ("peak" if dataset in ("fsdd", "audiofolder", "hf") else "raw")

    def load(self, request: DataRequest) -> DomainData:
        clips = self.clip_set(request)
        level = self.level(request.dataset)
        if level == "peak":
            clips.train_x, clips.test_x = peak_normalise(clips.train_x), peak_normalise(clips.test_x)
        if len(clips.train_y) < 2 or len(clips.test_y) < 1:
            raise UserError(f"{request.dataset}: {len(clips.train_y)} training and {len(clips.test_y)} test clips "
                            "could be read; a run needs at least 2 and 1.")
        self.features.fit(clips.train_x)
        self.noise_bank = torch.cat(clips.noise) if clips.noise else None
        self._noise_on.clear()
        n_frames = self.features.frames(clips.train_x.shape[1])
        label = clips.info.pop("dataset_name", request.dataset)
        if request.dataset == "fsdd" and clips.info.get("split") == "speaker":
            label = "fsdd-speaker"  # a harder task than the index split: keep them apart in tables
        return DomainData(
            dataset=label, train=Split(clips.train_x, clips.train_y), test=Split(clips.test_x, clips.test_y),
            n_classes=len(clips.class_names), input_shape=(1, self.features.n_mels, n_frames),
            class_names=clips.class_names,
            info={**clips.info, "features": self.describe_features(), "speech_recipe": self.recipe,
                  "level": level, "noise": "dataset background recordings" if clips.noise else "synthetic coloured noise"},
        )

    def describe_features(self) -> str:
        if self.recipe == "official":
            return ("official: log-mel 32 bins, 2048-point STFT, 512 hop, power in dB with ref=max per clip "
                    "(top 80 dB), not normalised")
        return (f"log-mel {self.features.n_mels} bins, 25 ms window, 10 ms hop, "
                "per-bin standardised on the training split")

    def _noise(self, device: torch.device) -> Tensor | None:
        if self.noise_bank is None:
            return None
        if device not in self._noise_on:
            bank = self.noise_bank.to(device)
            # the official recipe draws whole 1 s chunks of the recordings, the suite's any excerpt
            self._noise_on[device] = noise_chunks(bank) if self.recipe == "official" else bank
        return self._noise_on[device]

    def preprocess(self, x: Tensor) -> Tensor:
        return self.features(x)

    def augment(self, x: Tensor, rng: Rng) -> Tensor:
        if self.recipe == "official":
            return official_views(x, self.official_config, rng.torch, self.features, self._noise(x.device))
        waves = augment_waveforms(as_float(x), self.augment_config, rng.torch, SAMPLE_RATE, self._noise(x.device))
        return spec_augment(self.features(waves), self.augment_config, rng.torch)
