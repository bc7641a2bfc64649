"""The embedded keyword set: command words spoken by the eSpeak NG synthesiser.

No speech corpus ships inside a common Python package, but a synthesiser does:
``espeakng-loader`` bundles the eSpeak NG shared library and its voice data. We drive the
library through ctypes (the package has no command-line program) and speak twelve command
words with many accents, voice variants, pitches and speaking rates. The voice variants
are split between train and test, so the test set is spoken by voices never heard in
training, like a speaker-held-out split.

eSpeak NG keeps state from one utterance to the next (its noise sources are not reset by
``espeak_ng_SetRandSeed``), so one text spoken twice in a process differs slightly. The whole
seeded plan rendered in order in a fresh process is reproducible (two processes give caches
with the same checksum); the set is cached to disk after the first run and the record
carries the cache's checksum.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np

from bench.core.errors import UserError

WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "forward", "backward")
ACCENTS = ("en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc", "en-gb-x-gbclan")
VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
            "klatt", "klatt2", "klatt3", "croak", "whisper", "aunty", "boris", "david", "ed", "grandpa",
            "iven", "john", "linda", "max", "michel", "norbert", "quincy", "rob", "steph", "travis")
TEST_EVERY = 4  # every 4th voice variant (in the order above) is held out for the test split
RATES = (110, 230)  # words per minute (eSpeak's default is 175)
PITCHES = (15, 85)  # eSpeak's 0-100 pitch scale (default 50)
SYNTH_SEED = 0

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE = 1, 3, 4
_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


@dataclass(frozen=True)
class Utterance:
    word: str
    voice: str  # accent+variant, as eSpeak names it
    rate: int
    pitch: int
    test: bool


class ESpeak:
    """One initialised eSpeak NG library in synchronous mode: text in, int16 samples out."""

    _instance: "ESpeak | None" = None

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError:
            raise UserError(
                "the embedded keyword set is synthesised with eSpeak NG, which comes with the "
                "`espeakng-loader` package: `pip install espeakng-loader`. Or choose another dataset "
                "(--dataset fsdd --data PATH, audiofolder, speechcommands)."
            ) from None
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        self.sample_rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if self.sample_rate <= 0:
            raise UserError(f"eSpeak NG failed to initialise (status {self.sample_rate}); "
                            "reinstall espeakng-loader or choose another dataset.")
        self._chunks: list[np.ndarray] = []
        self._callback = _Callback(self._collect)  # kept referenced: the library calls it later
        self.lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def shared(cls) -> "ESpeak":
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def _collect(self, samples, count: int, events) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0  # 0: continue synthesis

    def speak(self, text: str, voice: str, rate: int, pitch: int, seed: int) -> np.ndarray:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise UserError(f"eSpeak NG has no voice {voice!r}; its data may be incomplete.")
        self.lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
        self.lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
        self.lib.espeak_ng_SetRandSeed(seed)
        self._chunks = []
        encoded = text.encode() + b"\0"
        status = self.lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, 0, None, None)
        self.lib.espeak_Synchronize()
        if status != 0 or not self._chunks:
            raise UserError(f"eSpeak NG could not speak {text!r} with voice {voice!r} (status {status}).")
        return np.concatenate(self._chunks)


def utterances(per_word: int, seed: int = SYNTH_SEED) -> list[Utterance]:
    """The seeded plan of the set: for each word, ``per_word`` random voice, rate and pitch."""
    rng = np.random.default_rng(seed)
    plan = []
    for word in WORDS:
        for _ in range(per_word):
            variant_index = int(rng.integers(len(VARIANTS)))
            accent = ACCENTS[int(rng.integers(len(ACCENTS)))]
            plan.append(Utterance(
                word=word, voice=f"{accent}+{VARIANTS[variant_index]}",
                rate=int(rng.integers(RATES[0], RATES[1] + 1)), pitch=int(rng.integers(PITCHES[0], PITCHES[1] + 1)),
                test=variant_index % TEST_EVERY == TEST_EVERY - 1,
            ))
    return plan


def synthesise(plan: list[Utterance]) -> tuple[list[np.ndarray], int]:
    """Float32 waveforms in [-1, 1] of every utterance, and their sample rate."""
    engine = ESpeak.shared()
    clips = [engine.speak(u.word, u.voice, u.rate, u.pitch, seed=SYNTH_SEED + i).astype(np.float32) / 32768.0
             for i, u in enumerate(plan)]
    return clips, engine.sample_rate
