"""Stitch clips into chapter audio with a pause plan, and time every sentence.

Every sentence is levelled on its own: converted to the book's format,
trimmed and faded with pydub, brought to -16 LUFS with its true peaks
limited to -2.5 dBTP (so the encoded files stay under -1 dBTP), and rounded
to 16 bits. A sentence's audio therefore depends on its clip alone, and an
edit changes the files of that sentence only. Memory holds one sentence.
Every time in the `Timeline` is a count of samples actually written.
"""
from __future__ import annotations

import math
import warnings
import wave
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

with warnings.catch_warnings():
    # pydub looks for ffmpeg on import; stitching never asks it to decode or encode.
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from .loudness import db, limit, loudness_of, pooled_loudness, true_peak
from .model import Clip
from .options import PausePlan  # noqa: F401 - the stitch stage's input, defined with the other shared options
from .profiles import Profile, profile
from .silence import SILENCE, speech_bounds
from .ticks import remove_ticks
from .timing import Timing, seconds

TARGET_LUFS = profile(None).loudness
PEAK_CEILING_DBTP = profile(None).peak
# The default (podcast) profile's: PCM is held at -2.5 dBTP so that MP3 stays under -1 dBTP.
PEAK_HEADROOM_DB = profile(None).headroom
# A near-silent clip is not raised more than this to reach the target.
MAX_GAIN_DB = 30.0
BLOCK_SECONDS = 0.4  # BS.1770's gating block
_INT32 = 2**31 - 1


@dataclass(frozen=True)
class SentenceTiming:
    """Where one sentence sits in its chapter file, in samples; `tokens`: when each
    of its tokens is heard, from the sentence's own first sample (None: not known)."""

    index: int
    paragraph: int
    start: int
    end: int
    tokens: Timing | None = None


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
        return seconds(samples, self.sample_rate)


def clip_samples(clip: Clip, sample_rate: int) -> np.ndarray:
    """The clip as mono float32 at `sample_rate`: channels mixed with pydub,
    rate changed by polyphase resampling (pydub's own converter is linear and
    would alias)."""
    data = np.asarray(clip.audio())
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


def _segment(samples: np.ndarray, sample_rate: int) -> AudioSegment:
    pcm = (np.clip(samples, -1, 1).astype(np.float64) * _INT32).astype("<i4")
    return AudioSegment(pcm.tobytes(), sample_width=4, frame_rate=sample_rate, channels=1)


def _samples(segment: AudioSegment) -> np.ndarray:
    return (np.frombuffer(segment.raw_data, dtype="<i4").astype(np.float64) / _INT32).astype(np.float32)


def sentence_audio(clip: Clip, sample_rate: int, plan: PausePlan) -> np.ndarray:
    """A clip ready to join others: book format, ticks in its pauses removed, edges trimmed, and a
    short fade where an edge is not silent (a join there would click)."""
    return prepared_sentence(clip, sample_rate, plan)[0]


def prepared_sentence(clip: Clip, sample_rate: int, plan: PausePlan) -> tuple[np.ndarray, Timing | None]:
    """`sentence_audio`, and the clip's token timing moved with it (resampled, trimmed by the one silence rule,
    silence.speech_bounds; tick removal, fades and levelling keep every sample in place)."""
    whole = remove_ticks(clip_samples(clip, sample_rate), sample_rate)
    start, end = speech_bounds(whole, sample_rate, plan.keep)
    samples = whole[start:end]
    timing = None if clip.timing is None else clip.timing.resampled(sample_rate).cut(start, end)
    fade_ms = int(round(plan.fade * 1000))
    edge = max(1, int(0.005 * sample_rate))
    if fade_ms <= 0 or len(samples) < 4 * edge:
        return samples, timing
    segment = _segment(samples, sample_rate)
    if np.max(np.abs(samples[:edge])) > SILENCE:
        segment = segment.fade_in(fade_ms)
    if np.max(np.abs(samples[-edge:])) > SILENCE:
        segment = segment.fade_out(fade_ms)
    return _samples(segment), timing


def pcm_wav(path: Path, sample_rate: int):
    """An open wave writer for mono 16-bit PCM at `path` (the header's length is set when it is closed)."""
    writer = wave.open(str(path), "wb")
    writer.setnchannels(1)
    writer.setsampwidth(2)
    writer.setframerate(sample_rate)
    return writer


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    frames = AudioSegment.silent(duration=seconds * 1000, frame_rate=sample_rate)
    return np.zeros(int(frames.frame_count()), dtype=np.float32)


@dataclass(frozen=True)
class Levelled:
    """One sentence brought to the target loudness: its 16-bit PCM and what was measured of it.

    `gated` is the sum and count of the 400 ms blocks that BS.1770's gates
    kept, so sentences pool into a chapter's loudness without their audio."""

    pcm: np.ndarray  # int16
    loudness: float  # LUFS of `pcm`
    gated: tuple[float, int]
    true_peak: float  # linear, of `pcm`
    gain: float  # dB applied


def level(samples: np.ndarray, sample_rate: int, target: float = TARGET_LUFS,
          ceiling_dbtp: float = PEAK_CEILING_DBTP - PEAK_HEADROOM_DB) -> Levelled:
    """`samples` at `target` LUFS with true peaks held under `ceiling_dbtp`, as 16-bit PCM.

    Every sentence gets its own gain, like a spoken-word leveller: a quiet
    clip (or another engine's) does not drop below its neighbours.

    A sentence is measured with a block's length of silence on each side, as
    a chapter's meter hears it between pauses: the blocks that straddle its
    edges count, so a chapter of levelled sentences measures at the target
    too, and the chapter's loudness pools from its sentences' `gated` blocks.
    Limiting dense peaks takes some loudness away, so the gain is corrected
    and the sentence rendered again, at most twice."""
    x = np.asarray(samples, dtype=np.float64)
    quiet = np.zeros(int(BLOCK_SECONDS * sample_rate))

    def measure(y: np.ndarray) -> tuple[float, float, int]:
        return loudness_of(np.concatenate([quiet, y, quiet]), sample_rate)

    measured, block_sum, block_count = measure(x)
    gain_db = min(MAX_GAIN_DB, target - measured) if math.isfinite(measured) else 0.0
    ceiling = 10 ** (ceiling_dbtp / 20)
    peak = true_peak(x) if len(x) else 0.0
    read_back = 32767 / 32768  # PCM is written as y * 32767 and read as pcm / 32768
    for attempt in range(3):
        gain = 10 ** (gain_db / 20)
        limited = peak * gain > ceiling
        y = limit(x * gain, ceiling, sample_rate) if limited else x * gain
        pcm = np.clip(np.round(y * 32767), -32768, 32767).astype("<i2")
        if not limited:
            # a gain alone scales every block: what was measured of `x` carries over (to rounding)
            scale = gain * read_back
            loudness = measured + 20 * math.log10(scale) if math.isfinite(measured) else measured
            return Levelled(pcm, loudness, (block_sum * scale**2, block_count), peak * scale, gain_db)
        as_float = pcm / 32768.0
        loudness, gated_sum, gated_count = measure(as_float)
        if not math.isfinite(loudness) or abs(loudness - target) < 0.3 or attempt == 2:
            break
        gain_db = min(MAX_GAIN_DB, gain_db + target - loudness)
    return Levelled(pcm, loudness, (gated_sum, gated_count), true_peak(as_float), gain_db)


def level_for(samples: np.ndarray, sample_rate: int, publishing: Profile | str | None = None) -> Levelled:
    """`level` to a publishing profile's loudness and (with the encoder's headroom) its true-peak ceiling."""
    chosen = profile(publishing)
    return level(samples, sample_rate, chosen.loudness, chosen.peak - chosen.headroom)


def levelled_sentence(clip: Clip, sample_rate: int, plan: PausePlan,
                      publishing: Profile | str | None = None) -> tuple[Levelled, Timing | None]:
    """A clip as its sentence is heard in a chapter: `prepared_sentence`, then `level_for`; and its token timing."""
    audio, tokens = prepared_sentence(clip, sample_rate, plan)
    return level_for(audio, sample_rate, publishing), tokens


class ChapterAssembler:
    """Collects one chapter's sentences into 16-bit PCM, each levelled on its own.

    add() appends a sentence, and the pause before it, to the WAV being
    written at `scratch`; skip() places a sentence with nothing to speak;
    finish() adds the closing pause and moves it into place. Pauses go before a sentence: `lead` before the first, `paragraph`
    when the paragraph changes, `sentence` otherwise.
    """

    def __init__(self, index: int, title: str, sample_rate: int, plan: PausePlan, scratch: Path,
                 publishing: Profile | str | None = None) -> None:
        self.index = index
        self.publishing = publishing
        self.title = title
        self.sample_rate = sample_rate
        self.plan = plan
        self.scratch = scratch
        self._file = pcm_wav(scratch, sample_rate)
        self._position = 0
        self._peak = 0.0
        self._gated: list[tuple[float, int]] = []
        self._paragraph: int | None = None
        self._spans: list[SentenceTiming] = []

    def _append(self, pcm: np.ndarray) -> None:
        self._file.writeframesraw(pcm.astype("<i2").tobytes())
        self._position += len(pcm)

    def _pause(self, seconds: float) -> None:
        self._append(np.zeros(len(silence(seconds, self.sample_rate)), dtype="<i2"))

    def add(self, clip: Clip, sentence_index: int, paragraph: int,
            made: tuple[Levelled, Timing | None] | None = None) -> SentenceTiming:
        """`made`: the clip's `levelled_sentence` when that was made already (by the Ray actor that spoke it)."""
        self._pause(self.plan.before(paragraph, self._paragraph))
        self._paragraph = paragraph
        levelled, tokens = made or levelled_sentence(clip, self.sample_rate, self.plan, self.publishing)
        self._peak = max(self._peak, levelled.true_peak)
        self._gated.append(levelled.gated)
        start = self._position
        self._append(levelled.pcm)
        span = SentenceTiming(sentence_index, paragraph, start, self._position, tokens)
        self._spans.append(span)
        return span

    def skip(self, sentence_index: int, paragraph: int) -> SentenceTiming:
        """A sentence with nothing to speak: an instant where the audio stands, with no samples and no pause, so
        the pause before the next sentence is the one between the sentences that speak."""
        span = SentenceTiming(sentence_index, paragraph, self._position, self._position)
        self._spans.append(span)
        return span

    def finish(
        self,
        tail: float,
        wav_path: Path,
        book_start: int,
        sinks: Iterable[Callable[[bytes], None]] = (),
    ) -> ChapterTiming:
        """Close the chapter's 16-bit PCM WAV at `wav_path` and hand the same bytes to `sinks`."""
        self._pause(tail)
        self._file.close()
        sinks = list(sinks)
        if sinks:
            with wave.open(str(self.scratch), "rb") as written:
                while data := written.readframes(1 << 19):
                    for sink in sinks:
                        sink(data)
        Path(self.scratch).replace(wav_path)
        return ChapterTiming(
            index=self.index,
            title=self.title,
            start=book_start,
            length=self._position,
            sentences=tuple(self._spans),
            loudness=round(pooled_loudness(self._gated), 2),
            true_peak=round(db(self._peak), 2),
        )

    def abandon(self) -> None:
        try:
            self._file.close()
        except (OSError, wave.Error):
            pass
        Path(self.scratch).unlink(missing_ok=True)
