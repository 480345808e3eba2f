"""Lessons through any engine: English words in an English voice, each dialogue speaker in a voice register.

`speak(engine, pronunciation)` and `key(engine, pronunciation)` stand in front
of every engine (synthesize.speak_with / key_with call them), so the build,
its worker processes and the clip cache need not know about lessons.

English. The Mandarin voices cannot say English (the neural voice has only
pinyin symbols; espeak's pinyin voice spells it). A sentence with tokens of
source "english" (pronunciation/lesson.py) is cut into pieces: the Chinese pieces
go to the engine, each English phrase to espeak-ng's English voice
(`VoiceSettings.latin_voice`, default `en`; espeak-ng ships in the
espeakng-loader wheel, offline), resampled to the engine's rate, paced at
LATIN_RATE words a minute times --speed, levelled to the RMS of the Chinese
pieces (or LATIN_RMS when there are none), and joined with PIECE_PAUSE seconds
between pieces: the pause a teacher leaves between a word and its gloss.

Speakers. A sentence of a dialogue turn is spoken in its speaker's register:
the engine speaks at speed/r and the clip is resampled by r, which puts the
voice's pitch (and its formants) at r times its own and keeps the length. It
works for any engine that honours --speed, and the pitch moves for certain
(the neural voice's --pitch widens intonation but barely moves its median
F0). The first speaker keeps the voice as it is; the others get REGISTERS in
turn; `--speaker A=0.8` sets one.
"""
from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np

from ..model import Clip, Pronunciation, Token
from ..timing import Timing
from .base import Engine

LATIN_RATE = 150  # words a minute: espeak-ng's English at its default 175 runs ahead of a Mandarin lesson voice
LATIN_RMS = 0.08
PIECE_PAUSE = 0.3
REGISTERS = (1.0, 0.82, 1.18, 0.9, 1.1)
VERSION = "mixed/1"


def lesson_settings(args) -> dict:
    """VoiceSettings fields from the `build` command line: --latin-voice, --speaker LABEL=REGISTER."""
    return {"latin_voice": getattr(args, "latin_voice", None) or "en",
            "speakers": tuple(getattr(args, "speaker", None) or ())}


def speaker_register(text: str) -> tuple[str, float]:
    """argparse type for --speaker: `A=0.8` -> ("A", 0.8)."""
    import argparse

    label, _, value = text.partition("=")
    try:
        register = float(value)
    except ValueError:
        register = 0.0
    if not label.strip() or not 0.5 <= register <= 2.0:
        raise argparse.ArgumentTypeError(f"expected LABEL=REGISTER with REGISTER from 0.5 to 2.0 (A=0.8), not {text!r}")
    return label.strip(), register


def register_of(pronunciation: Pronunciation, settings) -> float:
    """The voice register of the sentence's speaker: 1.0 outside dialogues."""
    sentence = pronunciation.sentence
    if sentence.speaker is None:
        return 1.0
    for label, value in settings.speakers:
        if label == sentence.speaker:
            return float(value)
    return REGISTERS[sentence.speaker_number % len(REGISTERS)]


def pieces(pronunciation: Pronunciation) -> list[tuple[str, tuple[Token, ...]]]:
    """The sentence cut into ("zh", tokens) and ("latin", tokens) pieces, in order; the spaces and marks
    between two English words stay in their phrase, those after the last one go back to Chinese."""
    cut: list[tuple[str, list[Token]]] = []
    for token in pronunciation.tokens:
        kind = "latin" if token.source == "english" else "zh"
        if kind == "zh" and token.pinyin is None and cut and cut[-1][0] == "latin":
            kind = "latin"
        if cut and cut[-1][0] == kind:
            cut[-1][1].append(token)
        else:
            cut.append((kind, [token]))
    result: list[tuple[str, list[Token]]] = []
    for kind, tokens in cut:
        tail: list[Token] = []
        if kind == "latin":
            end = 1 + max(i for i, t in enumerate(tokens) if t.source == "english")
            tokens, tail = tokens[:end], tokens[end:]
        for piece_kind, piece in ((kind, tokens), ("zh", tail)):
            if not piece:
                continue
            if result and result[-1][0] == piece_kind == "zh":
                result[-1][1].extend(piece)
            else:
                result.append((piece_kind, list(piece)))
    return [(kind, tuple(tokens)) for kind, tokens in result]


def _register(engine: Engine, pronunciation: Pronunciation) -> float:
    """The register the sentence is spoken in: its speaker's, times --pitch for an engine whose pitch is
    set this way (`Engine.pitch_by_register`: the neural voice, whose own pitch control barely moves it)."""
    register = register_of(pronunciation, engine.settings)
    return register * engine.settings.pitch if engine.pitch_by_register else register


def _needs_mixing(engine: Engine, pronunciation: Pronunciation) -> bool:
    return _register(engine, pronunciation) != 1.0 or any(t.source == "english" for t in pronunciation.tokens)


def _part(pronunciation: Pronunciation, tokens: tuple[Token, ...]) -> Pronunciation:
    return Pronunciation(pronunciation.sentence, tokens, ())


def _phrase(tokens: tuple[Token, ...]) -> str:
    return "".join(t.text for t in tokens if t.source != "silent").strip()


def _in_register(engine: Engine, register: float) -> Engine:
    """The engine speaking at speed/register (an instance kept per register; the neural voice shares its model)."""
    if register == 1.0:
        return engine
    variants = engine.__dict__.setdefault("_register_variants", {})
    if register not in variants:
        settings = dataclasses.replace(engine.settings, speed=engine.settings.speed / register)
        variants[register] = engine.variant(settings)
    return variants[register]


def key(engine: Engine, pronunciation: Pronunciation) -> str:
    """The clip-cache key of the sentence as `speak` says it."""
    if not _needs_mixing(engine, pronunciation):
        return engine.cache_key(pronunciation)
    register = _register(engine, pronunciation)
    speaker = _in_register(engine, register)
    parts = [VERSION, f"register={register}", f"latin={engine.settings.latin_voice}@{LATIN_RATE}",
             f"speed={engine.settings.speed}", f"pause={PIECE_PAUSE}"]
    for kind, tokens in pieces(pronunciation):
        part = _part(pronunciation, tokens)
        if kind == "latin":
            from .espeak import backend_kind

            parts.append(f"latin:{backend_kind()}:{_phrase(tokens)}")
        elif part.speaks:
            parts.append("zh:" + speaker.cache_key(part))
    return "\n".join(parts)


def speak(engine: Engine, pronunciation: Pronunciation) -> Clip:
    """The sentence's clip: Chinese pieces from `engine` in the speaker's register, English from the Latin voice."""
    if not _needs_mixing(engine, pronunciation):
        return engine.synthesize(pronunciation)
    register = _register(engine, pronunciation)
    speaker = _in_register(engine, register)
    rate = engine.sample_rate
    spoken: list[tuple[str, np.ndarray, int, tuple, Timing | None]] = []  # kind, samples, its first token, word times, timing
    notices = []
    first = 0
    for kind, tokens in pieces(pronunciation):
        part = _part(pronunciation, tokens)
        if kind == "latin":
            spoken.append((kind, _latin(_phrase(tokens), engine.settings, rate), first, (), None))
        elif part.speaks:
            clip = speaker.synthesize(part)
            notices.extend(clip.notices)
            spoken.append((kind, _resampled(clip.samples, clip.sample_rate, rate), first, clip.words, clip.timing))
        first += len(tokens)
    chinese = [samples for kind, samples, _, _, _ in spoken if kind == "zh" and len(samples)]
    target = _rms(np.concatenate(chinese)) if chinese else LATIN_RMS
    gap = np.zeros(int(PIECE_PAUSE / engine.settings.speed * rate), np.float32)
    joined: list[np.ndarray] = []
    words = []
    timed: list[tuple[int, Timing]] = []  # each Chinese piece's token times, placed in the sentence
    at = 0
    for kind, samples, first, times, timing in spoken:
        if kind == "latin" and len(samples):
            samples = samples * (target / max(_rms(samples), 1e-6))
        if joined:
            joined.append(gap)
            at += len(gap)
        words.extend(_moved(word, at / rate, first, register) for word in times)
        if timing is not None:
            timed.append((at, Timing(timing.sample_rate, tuple(t + first for t in timing.tokens), timing.starts,
                                     timing.ends, timing.estimated)))
        joined.append(samples.astype(np.float32))
        at += len(samples)
    samples = np.concatenate(joined) if joined else np.zeros(0, np.float32)
    if register != 1.0:
        samples = _resampled(samples, rate, rate / register)  # played at `rate`: pitch × register, length kept
    np.clip(samples, -1.0, 1.0, out=samples)
    return Clip(samples.astype(np.float32), rate, engine.name, tuple(notices), tuple(words),
                _placed_timing(timed, rate, register))


def _placed_timing(timed: list[tuple[int, Timing]], rate: int, register: float) -> Timing | None:
    """The Chinese pieces' token times in the joined sentence (English pieces have none), after the
    register's resampling shortened every position by `register`; None when no piece had times."""
    if not timed:
        return None
    whole = Timing.joined(timed, rate)
    if register == 1.0:
        return whole
    return Timing(rate, whole.tokens, tuple(round(s / register) for s in whole.starts),
                  tuple(round(e / register) for e in whole.ends), whole.estimated)


def _moved(word, offset: float, first: int, register: float):
    """An engine's word time in a piece, placed in the whole sentence's clip (and stretched by the register)."""
    shift = (lambda index: None if index is None else index + first)
    return dataclasses.replace(word, start=(word.start + offset) / register, end=(word.end + offset) / register,
                               first_token=shift(word.first_token), last_token=shift(word.last_token))


def _latin(text: str, settings, rate: int) -> np.ndarray:
    from .espeak import SAMPLE_RATE, speak_language

    words_a_minute = max(80, min(450, round(LATIN_RATE * settings.speed)))
    return _resampled(speak_language(text, settings.latin_voice, words_a_minute), SAMPLE_RATE, rate)


def _rms(samples: np.ndarray) -> float:
    """RMS over the louder half of 10 ms frames: speech, not the pauses around it."""
    frame = 240
    count = len(samples) // frame
    if count == 0:
        return float(np.sqrt(np.mean(samples ** 2))) if len(samples) else 0.0
    energies = np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1)
    loud = energies[energies >= np.median(energies)]
    return float(np.sqrt(np.mean(loud)))


def _resampled(samples: np.ndarray, rate: float, target: float) -> np.ndarray:
    if rate == target or not len(samples):
        return samples.astype(np.float32)
    from scipy.signal import resample_poly

    ratio = Fraction(target / rate).limit_denominator(200)
    return resample_poly(samples, ratio.numerator, ratio.denominator).astype(np.float32)
