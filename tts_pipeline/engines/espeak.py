"""espeak-ng's Mandarin pinyin voice: offline, no model, every syllable spoken as resolved.

The `cmn-latn-pinyin` voice reads tone-number pinyin, so the resolved
reading goes in as written.  The library and its data come from the
`espeakng-loader` wheel and run in this process through ctypes; when that
wheel is missing, the `espeak-ng` program is used instead; the environment
variable TTS_PIPELINE_ESPEAK (`library` or `program`) chooses one of the two.

espeak-ng keeps state between utterances in static variables (pitch flutter,
waveform phase), so the same sentence would come out slightly different
depending on what was said before.  The library is therefore loaded, used
and unloaded for every sentence (about 10 ms), which makes the output depend
on the sentence and the settings alone.
"""
from __future__ import annotations

import ctypes
import functools
import io
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass

import numpy as np

from ..errors import EngineError
from ..model import Clip, Notice, Pronunciation
from ..timing import Timing, from_words
from . import register
from .base import Availability, Engine

VOICE = "cmn-latn-pinyin"
SAMPLE_RATE = 22050
NORMAL_RATE = 175  # words a minute: espeak-ng's own default pace
NORMAL_PITCH = 50  # espeak-ng's pitch scale runs 0-100
RATE_RANGE = (80, 450)

_CLAUSE_MARKS = set("，、；：,;:—…")
_STOP_MARKS = {"。": ".", "．": ".", ".": ".", "！": "!", "!": "!", "？": "?", "?": "?"}

# espeak-ng API constants (speak_lib.h).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_RATE = 1
_PITCH = 3
_EVENT_END_OF_LIST = 0
_EVENT_WORD = 1


class _Event(ctypes.Structure):
    """espeak_EVENT (speak_lib.h): `text_position` counts characters from 1, `sample` the samples spoken before."""

    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_char * 8)]


_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


def espeak_syllable(syllable: str) -> str:
    """A tone-number syllable spelled the way the pinyin voice reads it."""
    if syllable[:1] in "jqxy" and "v" in syllable:
        syllable = syllable.replace("v", "u")  # ju, qu, xu, yu are written without the umlaut
    if syllable in ("r5", "r"):
        syllable = "er5"  # a separate erhua syllable
    return syllable


def pinyin_text(pronunciation: Pronunciation) -> str:
    """The sentence as the pinyin voice's input: one word per group of syllables, punctuation as pauses."""
    return _pinyin_words(pronunciation)[0]


def _pinyin_words(pronunciation: Pronunciation) -> tuple[str, dict[int, list[tuple[int, int]]]]:
    """`pinyin_text`, and for each word the character offset where it starts in that text (counted from 1,
    as espeak-ng's word events count) with its tokens: (token index, syllables)."""
    words: list[tuple[str, list[tuple[int, int]]]] = []
    for index, token in enumerate(pronunciation.tokens):
        if token.pinyin:
            syllables = token.pinyin.split()
            spelled = "".join(espeak_syllable(s) for s in syllables)
            if token.word_start or not words or words[-1][0] in ",.!?":
                words.append((spelled, [(index, len(syllables))]))
            else:
                words[-1] = (words[-1][0] + spelled, words[-1][1] + [(index, len(syllables))])
            continue
        mark = token.text.strip()
        if not mark:
            continue
        if mark[-1] in _STOP_MARKS:
            words.append((_STOP_MARKS[mark[-1]], []))
        elif mark[-1] in _CLAUSE_MARKS and words and words[-1][0] not in ",.!?":
            words.append((",", []))
    text = ""
    starts: dict[int, list[tuple[int, int]]] = {}
    for word, tokens in words:
        if word in ",.!?":
            text += word
            continue
        text += " " if text else ""
        starts[len(text) + 1] = tokens
        text += word
    return text, starts


def _word_timing(words: dict[int, list[tuple[int, int]]], events: list[tuple[int, int]], length: int) -> Timing | None:
    """Token times from espeak-ng's word events ((text position, sample) each): a word lasts until the next
    begins (or the audio ends). None when the events do not name every word."""
    found = sorted((sample, position) for position, sample in events if position in words)
    if [position for _, position in found] != sorted(words) or not found:
        return None
    bounds = [sample for sample, _ in found] + [length]
    return from_words([(begin, end, words[position]) for (begin, position), end in zip(found, bounds[1:])],
                      SAMPLE_RATE)


def _scaled(value: float, normal: int, low: int, high: int) -> int:
    return max(low, min(high, round(normal * value)))


@dataclass(frozen=True)
class _Backend:
    kind: str  # "library" or "program"
    path: str
    data: str | None = None


BACKEND_ENV_VAR = "TTS_PIPELINE_ESPEAK"
"""`library` (the espeakng-loader wheel's libespeak-ng, in this process) or `program` (the espeak-ng program
on PATH): the one espeak-ng to use. Unset or empty: the library when it loads here, else the program."""
BACKENDS = ("library", "program")


def _find_backend() -> _Backend | None:
    """The espeak-ng that BACKEND_ENV_VAR chooses, or None when it is not there."""
    choice = os.environ.get(BACKEND_ENV_VAR, "").strip()
    if choice and choice not in BACKENDS:
        raise EngineError(f"espeak: {BACKEND_ENV_VAR}={choice!r} names no way to run espeak-ng; "
                          f"set it to {' or '.join(BACKENDS)}, or leave it unset")
    return _backend(choice, os.environ.get("PATH", os.defpath))


@functools.lru_cache(maxsize=8)
def _backend(choice: str, path: str) -> _Backend | None:
    if choice != "program":
        try:
            import _ctypes

            import espeakng_loader

            library, data = espeakng_loader.get_library_path(), espeakng_loader.get_data_path()
            _ctypes.dlclose(ctypes.CDLL(library)._handle)  # loadable here (its own dependencies present)?
            return _Backend("library", library, data)
        except (ImportError, RuntimeError, OSError):
            if choice == "library":
                return None
    program = shutil.which("espeak-ng", path=path)
    return _Backend("program", program) if program else None


# One utterance at a time: the library is a process-wide singleton.
_library_lock = threading.Lock()


def _speak_with_library(backend: _Backend, text: str, rate: int, pitch: int,
                        voice: str = VOICE) -> tuple[np.ndarray, list[str], list[tuple[int, int]]]:
    """Samples as int16, (for the pinyin voice) the words espeak-ng does not know as pinyin, and its word
    events (text position, sample)."""
    import _ctypes

    chunks: list[np.ndarray] = []
    words: list[tuple[int, int]] = []

    def collect(wav, count, events):
        if count > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        k = 0
        while events and events[k].type != _EVENT_END_OF_LIST:
            if events[k].type == _EVENT_WORD:
                words.append((events[k].text_position, events[k].sample))
            k += 1
        return 0

    callback = _SYNTH_CALLBACK(collect)
    with _library_lock:
        lib = ctypes.CDLL(backend.path)
        try:
            lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
            rate_hz = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, backend.data.encode(), _INITIALIZE_DONT_EXIT)
            if rate_hz != SAMPLE_RATE:
                raise EngineError(f"espeak: libespeak-ng did not start (data folder {backend.data}, code {rate_hz})")
            lib.espeak_SetSynthCallback(callback)
            lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise EngineError(f"espeak: libespeak-ng has no {voice!r} voice in {backend.data}")
            lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
            lib.espeak_SetParameter(_RATE, rate, 0)
            lib.espeak_SetParameter(_PITCH, pitch, 0)
            if hasattr(lib, "espeak_ng_SetRandSeed"):
                lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
                lib.espeak_ng_SetRandSeed(1)
            lib.espeak_Synth.argtypes = [
                ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
            ]
            encoded = text.encode("utf-8") + b"\0"
            status = lib.espeak_Synth(encoded, len(encoded), 0, 0, 0, _CHARS_UTF8, None, None)
            if status != 0:
                raise EngineError(f"espeak: libespeak-ng failed to speak (code {status})")
            unknown = _unknown_words(lib, text) if voice == VOICE else []
            lib.espeak_Terminate()
        finally:
            _ctypes.dlclose(lib._handle)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return samples, unknown, words


def _unknown_words(lib, text: str) -> list[str]:
    """Words the pinyin voice would spell out in English: espeak-ng marks the switch with "(en)"."""
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
    unknown = []
    for word in {w.strip(",.!?") for w in text.split()}:
        if not word:
            continue
        pointer = ctypes.c_char_p(word.encode("utf-8"))
        phonemes = lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, 0) or b""
        if b"(en)" in phonemes:
            unknown.append(word)
    return sorted(unknown)


def _speak_with_program(backend: _Backend, text: str, rate: int, pitch: int, voice: str = VOICE) -> np.ndarray:
    import soundfile

    try:
        done = subprocess.run(
            [backend.path, "-v", voice, "-s", str(rate), "-p", str(pitch), "--stdout", text],
            capture_output=True, check=True, timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise EngineError(f"espeak: {backend.path} failed: {detail.decode(errors='replace').strip() or exc}") from exc
    samples, _ = soundfile.read(io.BytesIO(done.stdout), dtype="int16")
    return samples.reshape(len(samples), -1)[:, 0] if samples.ndim > 1 else samples


def speak_language(text: str, voice: str, rate: int = NORMAL_RATE, pitch: int = NORMAL_PITCH) -> np.ndarray:
    """`text` in one of espeak-ng's language voices (`en`, `en-us`, `fr` …): float32 samples at SAMPLE_RATE.
    The Latin voice of lessons (engines/mixed.py) speaks English glosses with it."""
    backend = _find_backend()
    if backend is None:
        raise EngineError("the Latin voice needs espeak-ng: " + EspeakEngine.availability().reason)
    if backend.kind == "library":
        samples, _, _ = _speak_with_library(backend, text, rate, pitch, voice)
    else:
        samples = _speak_with_program(backend, text, rate, pitch, voice)
    return (samples.astype(np.float32) / 32768.0).astype(np.float32)


def backend_kind() -> str:
    """"library", "program" or "none": part of every cache key of espeak-ng's audio."""
    backend = _find_backend()
    return backend.kind if backend else "none"


@register
class EspeakEngine(Engine):
    name = "espeak"
    sample_rate = SAMPLE_RATE
    description = "espeak-ng's Mandarin pinyin voice: no model, robotic but exact"

    @classmethod
    def availability(cls) -> Availability:
        try:
            backend = _find_backend()
        except EngineError as exc:
            return Availability(False, str(exc).removeprefix("espeak: "))
        if backend is None:
            choice = os.environ.get(BACKEND_ENV_VAR, "").strip()
            if choice == "program":
                return Availability(False, f"the espeak-ng program is not on PATH ({BACKEND_ENV_VAR}=program; apt install espeak-ng)")
            if choice == "library":
                return Availability(False, f"libespeak-ng of the espeakng-loader package does not load here ({BACKEND_ENV_VAR}=library; pip install espeakng-loader)")
            return Availability(False, "neither the espeakng-loader package nor the espeak-ng program is installed (pip install espeakng-loader)")
        if backend.kind == "library":
            return Availability(True, "libespeak-ng from the espeakng-loader package, in this process")
        return Availability(True, f"the espeak-ng program at {backend.path}")

    @property
    def rate(self) -> int:
        return _scaled(self.settings.speed, NORMAL_RATE, *RATE_RANGE)

    @property
    def pitch(self) -> int:
        return _scaled(self.settings.pitch, NORMAL_PITCH, 0, 100)

    def cache_key(self, pronunciation: Pronunciation) -> str:
        kind = backend_kind()
        return f"espeak/2|{kind}|{VOICE}|rate={self.rate}|pitch={self.pitch}|{pinyin_text(pronunciation)}"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        backend = _find_backend()
        if backend is None:
            raise EngineError("espeak: " + self.availability().reason)
        text, words = _pinyin_words(pronunciation)
        notices = _unspoken(pronunciation)
        timing = None  # the program gives no events: the synthesis loop estimates the timing from the audio
        if not text.strip(",.!? "):
            return Clip(np.zeros(0, dtype=np.float32), SAMPLE_RATE, self.name, notices)
        if backend.kind == "library":
            samples, unknown, events = _speak_with_library(backend, text, self.rate, self.pitch)
            timing = _word_timing(words, events, len(samples))
            notices += tuple(
                _notice(
                    pronunciation, "espeak-unknown-syllable", word,
                    f"espeak's pinyin voice does not know {word!r} and spells it out; correct the reading or use another engine",
                )
                for word in unknown
            )
        else:
            samples = _speak_with_program(backend, text, self.rate, self.pitch)
        return Clip((samples.astype(np.float32) / 32768.0).astype(np.float32), SAMPLE_RATE, self.name, notices,
                    timing=timing)


def _notice(pronunciation: Pronunciation, code: str, text: str, what: str) -> Notice:
    sentence = pronunciation.sentence
    return Notice.on(sentence, code, f"{sentence.position}: sentence {sentence.id}: {what}", text=text)


def _unspoken(pronunciation: Pronunciation) -> tuple[Notice, ...]:
    """Tokens with letters or digits but no reading: the pinyin voice has nothing to say for them."""
    return tuple(
        _notice(pronunciation, "espeak-unspoken", token.text, f"espeak says nothing for {token.text!r}: it has no pinyin reading")
        for token in pronunciation.tokens
        if not token.pinyin and token.source != "silent" and any(c.isalnum() for c in token.text)
    )
