"""Shadowing drills: each unit played, then silence for the learner to say it back.

A chapter's drill file plays every unit of its sentences in turn: an optional
slow pass first (synthesised by the engine at a lower speed, not resampled),
then the unit R times, each play followed by a silence of k times its length.
A sentence longer than a comfortable breath is drilled clause by clause first
(clauses grouped up to the breath length), then whole.

Audio is streamed: units are synthesised in order and written to the encoder
as they arrive, so a long book is never held in memory.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, replace
from itertools import tee
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from ..atomic import write_atomic
from ..engines.base import VoiceSettings
from ..errors import PipelineError
from ..export import ffmpeg
from ..model import Clip, Pronunciation
from ..stitch import PausePlan, level, sentence_audio
from ..export.transcripts import lrc_time
from .text import chapter_stem, pinyin_line

_QUOTES = re.compile(r"[“”‘’「」『』\"]")
_CLAUSE_MARKS = "，,；;：:、 "

# Silence at the head of each drill file, so players that fade in don't eat the first syllable.
LEAD_IN = 0.5
BITRATE = "64k"


class ShadowingError(PipelineError):
    """A shadowing option is out of range."""

    exit_code = 2


@dataclass(frozen=True)
class ShadowingOptions:
    """How drills are made: `repeat` plays per unit, `gap` silence as a multiple of
    the unit's length, `slow_pass` an extra first play at this speed (None: none),
    `drill_chars` the length in characters as read (see `spoken_length`) above
    which a sentence is drilled by clauses."""

    repeat: int = 2
    gap: float = 1.2
    slow_pass: float | None = None
    drill_chars: int = 25

    def __post_init__(self) -> None:
        if self.repeat < 1:
            raise ShadowingError(f"--repeat must be 1 or more (got {self.repeat}); it is how often each unit is played")
        if not 0 <= self.gap <= 10:
            raise ShadowingError(f"--gap must be between 0 and 10 (got {self.gap}); it multiplies each unit's length")
        if self.slow_pass is not None and not 0.3 <= self.slow_pass < 1:
            raise ShadowingError(
                f"--slow-pass must be a speed from 0.3 up to (not including) 1 (got {self.slow_pass}); try 0.75"
            )
        if self.drill_chars < 4:
            raise ShadowingError(f"--drill-chars must be 4 or more (got {self.drill_chars})")


@dataclass(frozen=True)
class DrillUnit:
    """A stretch of one sentence to drill: a group of clauses, or the whole sentence."""

    sentence_id: str
    kind: str  # "clause" or "sentence"
    pronunciation: Pronunciation

    @property
    def text(self) -> str:
        """What a player shows: a clause without its trailing comma or any quotation mark it splits."""
        text = self.pronunciation.sentence.text.strip()
        if self.kind == "clause":
            text = _QUOTES.sub("", text).rstrip(_CLAUSE_MARKS).strip()
        return text


def spoken_length(pronunciation: Pronunciation, start: int = 0, end: int | None = None) -> int:
    """Characters as they are read between two text offsets: Han characters, and
    numbers or letters by their reading (2024 is four), punctuation not at all."""
    end = len(pronunciation.sentence.text) if end is None else end
    return sum(len(t.pinyin.split()) for t in pronunciation.tokens if t.pinyin and start <= t.start < end)


def drill_units(pronunciation: Pronunciation, drill_chars: int = 25) -> list[DrillUnit]:
    """The units for one sentence: clause groups (when it is long) and then the whole; none when it has
    nothing to speak."""
    if not pronunciation.speaks:
        return []
    sentence = pronunciation.sentence
    whole = DrillUnit(sentence.id, "sentence", pronunciation)
    if spoken_length(pronunciation) <= drill_chars:
        return [whole]
    bounds = [0] + sorted({e for e in sentence.clause_ends if 0 < e < len(sentence.text)}) + [len(sentence.text)]
    groups: list[tuple[int, int]] = []
    for start, end in zip(bounds, bounds[1:]):
        if groups and spoken_length(pronunciation, groups[-1][0], end) <= drill_chars:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    clauses = [clause_pronunciation(pronunciation, start, end) for start, end in groups]
    clauses = [c for c in clauses if c.speaks]
    if len(clauses) < 2:
        return [whole]
    return [DrillUnit(sentence.id, "clause", c) for c in clauses] + [whole]


def clause_pronunciation(pronunciation: Pronunciation, start: int, end: int) -> Pronunciation:
    """The part of a pronounced sentence between two text offsets, as a sentence of its own."""
    sentence = pronunciation.sentence
    tokens = tuple(
        replace(t, start=t.start - start) for t in pronunciation.tokens if start <= t.start < end
    )
    hints = tuple(replace(h, start=h.start - start) for h in sentence.hints if start <= h.start and h.end <= end)
    clause = replace(
        sentence,
        text=sentence.text[start:end],
        hints=hints,
        clause_ends=tuple(e - start for e in sentence.clause_ends if start < e < end),
    )
    return Pronunciation(clause, tokens, ())


def _default_synthesize(*args, **kwargs):
    from ..synthesize import synthesize_all

    return synthesize_all(*args, **kwargs)


def render_shadowing(
    output_dir: str | Path,
    pronunciations: Iterable[Pronunciation],
    manifest: Mapping[str, Any],
    *,
    engine: str,
    settings: VoiceSettings | None = None,
    options: ShadowingOptions | None = None,
    fallback: str | None = None,
    jobs: int = 1,
    cache=None,
    synthesize: Callable[..., Iterator[tuple[Pronunciation, Clip]]] | None = None,
    bitrate: str = BITRATE,
) -> dict[str, Any]:
    """Write shadowing/NN-<title>.mp3 and .lrc per chapter; return the manifest's "shadowing" entry.

    `pronunciations` come in article order; `manifest` (as a dict) says which
    chapter each sentence belongs to and names the chapter files. `synthesize`
    has the signature of `synthesize_all` (the default) and is given the
    units, once at `settings` and once at the slow speed when asked.
    """
    output_dir = Path(output_dir)
    settings = settings or VoiceSettings()
    options = options or ShadowingOptions()
    synthesize = synthesize or _default_synthesize
    common = dict(fallback=fallback, jobs=jobs, cache=cache)
    # Which chapter and unit each synthesised clip belongs to, in input order.
    pending: deque[tuple[Mapping[str, Any], DrillUnit]] = deque()
    units = _units_by_chapter(pronunciations, manifest, options.drill_chars, pending)

    # One stream per speed for the whole book, so worker pools load the voice once;
    # tee hands both streams the same units and buffers only the distance between them.
    slow = None
    if options.slow_pass:
        slow_settings = replace(settings, speed=round(settings.speed * options.slow_pass, 4))
        normal_units, slow_units = tee(units, 2)
        slow = synthesize(slow_units, engine, slow_settings, **common)
    else:
        normal_units = units
    normal = synthesize(normal_units, engine, settings, **common)
    return {
        "repeat": options.repeat,
        "gap": options.gap,
        "slow_pass": options.slow_pass,
        "drill_chars": options.drill_chars,
        "chapters": _write_drills(output_dir, normal, slow, pending, options, manifest.get("sample_rate"), bitrate),
    }


def _units_by_chapter(pronunciations: Iterable[Pronunciation], manifest: Mapping[str, Any], drill_chars: int,
                      pending: deque) -> Iterator[Pronunciation]:
    """Each sentence's drill units in order, each noted in `pending` with the manifest's chapter it is in."""
    chapter_of = {s["id"]: s["chapter"] for s in manifest.get("sentences", ())}
    chapters = {c["index"]: c for c in manifest.get("chapters", ())}
    for pron in pronunciations:
        index = chapter_of.get(pron.sentence.id, 1)
        chapter = chapters.get(index) or {"index": index, "title": f"Chapter {index}"}
        for unit in drill_units(pron, drill_chars):
            pending.append((chapter, unit))
            yield unit.pronunciation


def _write_drills(output_dir: Path, normal: Iterator[tuple[Pronunciation, Clip]],
                  slow: Iterator[tuple[Pronunciation, Clip]] | None, pending: deque, options: ShadowingOptions,
                  target_rate: int | None, bitrate: str) -> list[dict[str, Any]]:
    """Every unit played into its chapter's drill (slowly first, when asked), a chapter's drill closed when the
    next one's first unit comes; the manifest entry of each chapter's drill."""
    entries: list[dict[str, Any]] = []
    drill: _ChapterDrill | None = None
    try:
        for _, clip in normal:
            chapter, unit = pending.popleft()
            if drill is None or drill.chapter["index"] != chapter["index"]:
                if drill is not None:
                    entries.append(drill.close())
                drill = _ChapterDrill(output_dir, chapter, int(target_rate or clip.sample_rate), options, bitrate)
            if slow is not None:
                _, slow_clip = next(slow)
                drill.play(unit, drill.prepare(slow_clip), slow_clip.engine, slow=True, round_=0)
            audio = drill.prepare(clip)
            for round_ in range(1, options.repeat + 1):
                drill.play(unit, audio, clip.engine, slow=False, round_=round_)
    except BaseException:
        if drill is not None:
            drill.kill()
        raise
    if drill is not None:
        entries.append(drill.close())
    return entries


class _ChapterDrill:
    """Writes one chapter's drill audio and LRC, and keeps its timeline."""

    def __init__(
        self, output_dir: Path, chapter: Mapping[str, Any], rate: int, options: ShadowingOptions, bitrate: str
    ) -> None:
        self.chapter = chapter
        self.options = options
        self.rate = rate
        stem = chapter_stem(chapter)
        self.file = f"shadowing/{stem}.mp3"
        self.lrc = f"shadowing/{stem}.lrc"
        self.output_dir = output_dir
        (output_dir / "shadowing").mkdir(parents=True, exist_ok=True)
        self.encoder = ffmpeg.StreamEncoder(output_dir / self.file, rate, ffmpeg.CODECS["mp3"], bitrate)
        self.samples_written = 0
        self.plays: list[dict[str, Any]] = []
        self._silence(LEAD_IN)

    @property
    def time(self) -> float:
        return self.samples_written / self.rate

    def _silence(self, seconds: float) -> None:
        self._write(np.zeros(int(round(seconds * self.rate)), dtype="<i2"))

    def _write(self, pcm: np.ndarray) -> None:
        self.encoder.write(pcm.tobytes())
        self.samples_written += len(pcm)

    def prepare(self, clip: Clip) -> np.ndarray:
        """The clip as the book has it (rate, trimmed edges, fades), levelled by the book's rule (stitch.level):
        its loudness, and true peaks held low enough that the encoded drill stays under the ceiling."""
        return level(sentence_audio(clip, self.rate, PausePlan()), self.rate).pcm

    def play(self, unit: DrillUnit, pcm: np.ndarray, engine: str, *, slow: bool, round_: int) -> None:
        start = self.time
        self._write(pcm)
        end = self.time
        self._silence(self.options.gap * (end - start))
        self.plays.append(
            {
                "sentence": unit.sentence_id,
                "kind": unit.kind,
                "pass": "slow" if slow else "normal",
                "round": round_,
                "text": unit.text,
                "pinyin": pinyin_line(unit.pronunciation.tokens),
                "engine": engine,
                "start": round(start, 3),
                "end": round(end, 3),
                "gap_end": round(self.time, 3),
            }
        )

    def kill(self) -> None:
        self.encoder.kill()

    def close(self) -> dict[str, Any]:
        self.encoder.close()
        self._write_lrc()
        return {
            "index": self.chapter["index"],
            "title": self.chapter.get("title", ""),
            "file": self.file,
            "lrc": self.lrc,
            "duration": round(self.time, 3),
            "units": self.plays,
        }

    def _write_lrc(self) -> None:
        lines = [f"[ti:{self.chapter.get('title', '')} (shadowing)]", "[re:tts-pipeline]"]
        for play in self.plays:
            stamp = lrc_time(play["start"])
            label = "慢 " if play["pass"] == "slow" else ""
            lines.append(f"[{stamp}]{label}{play['text']}")
            if play["pinyin"]:
                lines.append(f"[{stamp}]{play['pinyin']}")
        lines.append(f"[{lrc_time(self.time)}]")
        write_atomic(self.output_dir / self.lrc, "\n".join(lines) + "\n")


__all__ = [
    "DrillUnit",
    "ShadowingError",
    "ShadowingOptions",
    "clause_pronunciation",
    "drill_units",
    "render_shadowing",
    "spoken_length",
]
