"""Stitch clips into chapter audio with a pause plan, and time every sentence.

A chapter is assembled in two passes so that memory never holds more than one
sentence: the first pass converts each clip to the book's format, adds the
pauses with pydub and appends the result to a scratch file while a
`LoudnessMeter` listens; the second pass reads it back, applies the chapter's
one gain (to -16 LUFS), limits true peaks (to -2.5 dBTP, so that the encoded
files stay under -1 dBTP) and writes 16-bit PCM.
Every time in the `Timeline` is a count of samples actually written.
"""
from __future__ import annotations

import math
import warnings
import wave
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

import numpy as np

with warnings.catch_warnings():
    # pydub looks for ffmpeg on import; stitching never asks it to decode or encode.
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from .loudness import LoudnessMeter, db, limit, true_peak
from .model import Clip

TARGET_LUFS = -16.0
PEAK_CEILING_DBTP = -1.0
PEAK_HEADROOM_DB = 1.5
# Below this level (-50 dBFS) the edge of a clip counts as silence.
SILENCE = 10 ** (-50 / 20)
_INT32 = 2**31 - 1


@dataclass(frozen=True)
class PausePlan:
    """Silence in seconds: at the start of every chapter file (`lead`), after
    a sentence, after a paragraph, and after a chapter that another follows
    (the last chapter ends with a paragraph pause). `fade` is the fade applied
    to a clip edge that is not already silent; `keep` is how much of a clip's
    own leading or trailing silence survives trimming."""

    sentence: float = 0.45
    paragraph: float = 0.9
    chapter: float = 2.0
    lead: float = 0.3
    fade: float = 0.01
    keep: float = 0.05

    def __post_init__(self) -> None:
        for name in ("sentence", "paragraph", "chapter", "lead", "fade", "keep"):
            value = getattr(self, name)
            if not (0 <= value <= 60):
                raise ValueError(f"pause {name} must be between 0 and 60 seconds, not {value}")


@dataclass(frozen=True)
class SentenceTiming:
    """Where one sentence sits in its chapter file, in samples."""

    index: int
    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class ChapterTiming:
    """One chapter: `start` is its first sample in the book, `length` its samples."""

    index: int
    title: str
    start: int
    length: int
    sentences: tuple[SentenceTiming, ...]
    loudness: float
    true_peak: float
    gain: float

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class Timeline:
    sample_rate: int
    chapters: tuple[ChapterTiming, ...]

    @property
    def length(self) -> int:
        return self.chapters[-1].end if self.chapters else 0

    def seconds(self, samples: int) -> float:
        return round(samples / self.sample_rate, 3)


def clip_samples(clip: Clip, sample_rate: int) -> np.ndarray:
    """The clip as mono float32 at `sample_rate`: channels mixed with pydub,
    rate changed by polyphase resampling (pydub's own converter is linear and
    would alias)."""
    data = np.asarray(clip.samples)
    if data.dtype.kind in "iu":
        data = data.astype(np.float64) / float(np.iinfo(data.dtype).max + 1)
    data = np.clip(np.nan_to_num(data.astype(np.float64)), -1.0, 1.0)
    if data.ndim == 2:
        channels = data.shape[1]
        segment = AudioSegment(
            (data * _INT32).astype("<i4").tobytes(),
            sample_width=4,
            frame_rate=clip.sample_rate,
            channels=channels,
        ).set_channels(1)
        data = np.frombuffer(segment.raw_data, dtype="<i4").astype(np.float64) / _INT32
    if clip.sample_rate != sample_rate:
        from scipy import signal

        common = gcd(clip.sample_rate, sample_rate)
        data = signal.resample_poly(data, sample_rate // common, clip.sample_rate // common)
    return data.astype(np.float32)


def trim_silence(samples: np.ndarray, sample_rate: int, keep: float) -> np.ndarray:
    """Cut leading and trailing silence down to `keep` seconds, so pauses are the plan's."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    if not len(loud):
        return samples[:0]
    margin = int(keep * sample_rate)
    return samples[max(0, loud[0] - margin) : loud[-1] + 1 + margin]


def _segment(samples: np.ndarray, sample_rate: int) -> AudioSegment:
    pcm = (np.clip(samples, -1, 1).astype(np.float64) * _INT32).astype("<i4")
    return AudioSegment(pcm.tobytes(), sample_width=4, frame_rate=sample_rate, channels=1)


def _samples(segment: AudioSegment) -> np.ndarray:
    return (np.frombuffer(segment.raw_data, dtype="<i4").astype(np.float64) / _INT32).astype(np.float32)


def sentence_audio(clip: Clip, sample_rate: int, plan: PausePlan) -> np.ndarray:
    """A clip ready to join others: book format, edges trimmed, and a short
    fade where an edge is not silent (a join there would click)."""
    samples = trim_silence(clip_samples(clip, sample_rate), sample_rate, plan.keep)
    fade_ms = int(round(plan.fade * 1000))
    edge = max(1, int(0.005 * sample_rate))
    if fade_ms <= 0 or len(samples) < 4 * edge:
        return samples
    segment = _segment(samples, sample_rate)
    if np.max(np.abs(samples[:edge])) > SILENCE:
        segment = segment.fade_in(fade_ms)
    if np.max(np.abs(samples[-edge:])) > SILENCE:
        segment = segment.fade_out(fade_ms)
    return _samples(segment)


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    frames = AudioSegment.silent(duration=seconds * 1000, frame_rate=sample_rate)
    return np.zeros(int(frames.frame_count()), dtype=np.float32)


class ChapterAssembler:
    """Collects one chapter's sentences, then writes its normalised PCM.

    add() appends float32 audio to `scratch`; finish() reads it back piece by
    piece. Pauses go before a sentence: `lead` before the first, `paragraph`
    when the paragraph changes, `sentence` otherwise.
    """

    def __init__(self, index: int, title: str, sample_rate: int, plan: PausePlan, scratch: Path) -> None:
        self.index = index
        self.title = title
        self.sample_rate = sample_rate
        self.plan = plan
        self.scratch = scratch
        self._file: BinaryIO = open(scratch, "wb")
        self._meter = LoudnessMeter(sample_rate)
        self._position = 0
        self._peak = 0.0
        self._paragraph: int | None = None
        self._spans: list[SentenceTiming] = []

    def _append(self, samples: np.ndarray) -> None:
        self._file.write(samples.astype("<f4").tobytes())
        self._meter.feed(samples)
        self._position += len(samples)

    def add(self, clip: Clip, sentence_index: int, paragraph: int) -> SentenceTiming:
        if self._paragraph is None:
            pause = self.plan.lead
        elif paragraph != self._paragraph:
            pause = self.plan.paragraph
        else:
            pause = self.plan.sentence
        self._paragraph = paragraph
        self._append(silence(pause, self.sample_rate))
        audio = sentence_audio(clip, self.sample_rate, self.plan)
        self._peak = max(self._peak, true_peak(audio))
        start = self._position
        self._append(audio)
        span = SentenceTiming(sentence_index, paragraph, start, self._position)
        self._spans.append(span)
        return span

    def finish(
        self,
        tail: float,
        wav_path: Path,
        book_start: int,
        sinks: Iterable[Callable[[bytes], None]] = (),
    ) -> ChapterTiming:
        """Write the chapter as 16-bit PCM WAV and hand the same bytes to `sinks`."""
        self._append(silence(tail, self.sample_rate))
        self._file.close()
        measured = self._meter.integrated()
        gain_db = TARGET_LUFS - measured if math.isfinite(measured) else 0.0
        # Headroom: MP3 encoding at 64k raised true peaks of this voice by up to
        # 1.03 dB (measured on the sample article), so the PCM is held at -2.5 dBTP.
        ceiling = 10 ** ((PEAK_CEILING_DBTP - PEAK_HEADROOM_DB) / 20)
        # Limiting dense peaks takes some loudness away: render, and if the
        # result misses the target, render again with the gain corrected.
        rendered = self.scratch.with_suffix(".pcm")
        for attempt in range(3):
            with open(rendered, "wb") as pcm_file:
                loudness, peak = self._render(gain_db, ceiling, lambda pcm: pcm_file.write(pcm.tobytes()))
            limited = self._peak * 10 ** (gain_db / 20) > ceiling
            if not limited or not math.isfinite(loudness) or abs(loudness - TARGET_LUFS) < 0.3 or attempt == 2:
                break
            gain_db += TARGET_LUFS - loudness
        sinks = list(sinks)
        with open(rendered, "rb") as pcm_file, wave.open(str(wav_path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            while data := pcm_file.read(1 << 20):
                out.writeframesraw(data)
                for sink in sinks:
                    sink(data)
        rendered.unlink()
        self.scratch.unlink()
        return ChapterTiming(
            index=self.index,
            title=self.title,
            start=book_start,
            length=self._position,
            sentences=tuple(self._spans),
            loudness=round(loudness, 2),
            true_peak=round(db(peak), 2),
            gain=round(gain_db, 2),
        )

    def _render(self, gain_db: float, ceiling: float, consume: Callable[[np.ndarray], None] | None = None):
        """Read the scratch file back with gain and limiting; return the result's loudness and true peak."""
        gain = 10 ** (gain_db / 20)
        meter = LoudnessMeter(self.sample_rate)
        peak = 0.0
        with open(self.scratch, "rb") as scratch:
            done = 0
            for span in self._spans + [None]:
                pieces = [((span.start if span else self._position) - done, False)]
                if span:
                    pieces.append((span.end - span.start, True))
                for count, is_speech in pieces:
                    x = np.frombuffer(scratch.read(count * 4), dtype="<f4").astype(np.float64) * gain
                    if is_speech and self._peak * gain > ceiling:
                        x = limit(x, ceiling, self.sample_rate)
                    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
                    if consume is not None:
                        consume(pcm)
                    as_float = pcm / 32768.0
                    meter.feed(as_float)
                    if is_speech:
                        peak = max(peak, true_peak(as_float))
                    done += count
        return meter.integrated(), peak

    def abandon(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.scratch.unlink(missing_ok=True)
        self.scratch.with_suffix(".pcm").unlink(missing_ok=True)
