"""Each chapter planned before its audio: its sentences' readings and cache keys, and what of it the
previous output holds (the keys file's record of the chapter, written and read here)."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .errors import EngineError, InputError, OutputError
from .export import ffmpeg
from .export.folder import slug
from .model import Article, Chapter, Notice, Pronunciation
from .modeljson import notice_from_json, notice_to_json
from .options import BuildOptions
from .progress import Stages
from .stitch import ChapterTiming, SentenceTiming
from .timing import Timing


@dataclass(frozen=True)
class ChapterPlan:
    """One chapter before its audio: its sentences' readings and, when the previous output holds this
    exact chapter (same clip cache keys and so on), that output's record of it."""

    number: int
    chapter: Chapter
    file: str
    closing: float
    pronunciations: tuple[Pronunciation, ...]
    paragraphs: tuple[int, ...]  # each sentence's paragraph in the chapter
    plan: str | None  # incremental.chapter_plan_key; None without a cache or when a clip key failed
    previous: dict | None = None
    timing: ChapterTiming | None = None  # from `previous`, chapter-relative
    recalled: tuple["Recalled", ...] = ()  # from `previous`, a stand-in for each clip
    # MP3 chapters (joined from sentence files): each sentence's piece key (incremental.piece_key; None
    # without a cache) and the previous output's record of a sentence file made from the same clip
    pieces: tuple[str | None, ...] = ()
    kept: tuple[dict | None, ...] = ()

    @property
    def sentence_files(self) -> list[str | None]:
        """Each sentence's file; None for a sentence with nothing to speak, which has none."""
        extension = self.file.rsplit(".", 1)[1]
        return [f"sentences/{p.sentence.id}.{extension}" if p.speaks else None for p in self.pronunciations]

    @property
    def files(self) -> list[str]:
        return [self.file] + [name for name in self.sentence_files if name]
PLANNING = "pronounce and plan"
# What stands for the clip of a sentence with nothing to speak in a chapter's keys.
UNSPOKEN = "nothing to speak"
def plan_chapters(article: Article, pronunciations: Iterable[Pronunciation], options: BuildOptions, keys, speaker,
                  codec: ffmpeg.Codec, rate: int, reusable: bool, stages: Stages,
                  joined: bool = False) -> Iterator[ChapterPlan]:
    from .incremental import chapter_plan_key, piece_key
    from .engines.speaking import key_with

    width = max(2, len(str(len(article.chapters))))
    pronunciations = iter(pronunciations)
    pauses = options.pauses
    speaks = False
    for number, chapter in enumerate(article.chapters):
        started = time.perf_counter()
        file = f"chapters/{chapter.index:0{width}d}-{slug(chapter.title, 'chapter', 40)}.{codec.extension}"
        closing = max(options.profile.tail, pauses.paragraph if number == len(article.chapters) - 1 else pauses.chapter)
        paragraphs = tuple(i for i, paragraph in enumerate(chapter.paragraphs) for _ in paragraph.sentences)
        prons = tuple(p if p.speaks else replace(p, notices=(*p.notices, p.unspoken_notice()))
                      for p in itertools.islice(pronunciations, len(paragraphs)))
        speaks = speaks or any(p.speaks for p in prons)
        plan_key = None
        clips = None
        if options.cache is not None and len(prons) == len(paragraphs):
            try:
                clips = [(key_with(speaker, p) if p.speaks else UNSPOKEN, p.sentence.id, paragraph)
                         for p, paragraph in zip(prons, paragraphs)]
            except EngineError:  # the engine cannot say a sentence: no plan, and the synthesis loop gives the
                clips = None     # sentence to the fallback engine or stops the build naming it
            if clips is not None:
                plan_key = chapter_plan_key(chapter.title, file, pauses, options.format, options.bitrate, closing,
                                            rate, clips, levelling(options))
        pieces: tuple[str | None, ...] = (None,) * len(prons)
        if joined and clips is not None:
            pieces = tuple(piece_key(key, rate, pauses, codec.extension, options.bitrate, levelling(options))
                           if p.speaks else None
                           for p, (key, _, _) in zip(prons, clips))
        plan = ChapterPlan(number, chapter, file, closing, prons, paragraphs, plan_key, pieces=pieces,
                            kept=(None,) * len(prons))
        if reusable:
            previous = keys.planned_chapter(plan_key, plan.files)
            if joined and previous is not None and not joinable(keys.root / file):
                previous = None
            recorded = recorded_chapter(previous, plan, rate)
            if recorded is not None:
                plan = replace(plan, previous=previous, timing=recorded[0], recalled=recorded[1])
            elif joined:
                kept = (keys.previous_piece(key) for key in pieces)
                plan = replace(plan, kept=tuple(k if k and joinable(keys.root / k["file"]) else None for k in kept))
        stages.add(PLANNING, time.perf_counter() - started)
        yield plan
    if not speaks:
        raise InputError(f"{article.source}: nothing to speak: every sentence is punctuation, symbols or space")
def levelling(options: BuildOptions) -> tuple[float, float, int | None]:
    """What of the profile changes the samples of a chapter or sentence file."""
    return options.profile.loudness, options.profile.peak - options.profile.headroom, options.profile.sample_rate


def joinable(path: Path) -> bool:
    """Whether the MP3 join can read `path`, a file of the previous output found as it was written (same size
    and modification time): damage that leaves both as they were (a time stamp put back, a failing disk) shows
    here, and the file is then made again from its clips instead of failing the join."""
    from .export.mp3frames import read_info

    try:
        read_info(path)
    except OutputError:
        return False
    return True
def recorded_chapter(record: dict | None, plan: ChapterPlan, rate: int) -> tuple[ChapterTiming, tuple] | None:
    """The chapter's timing and clips as a previous build recorded them, or None if the record is not whole."""
    if record is None:
        return None
    try:
        timing = record["timing"]
        spans = timing["spans"]
        if len(spans) != len(plan.pronunciations) or len(record["clips"]) != len(spans):
            return None
        recalled = tuple(Recalled.recorded(int(end) - int(start), clip, rate)
                         for (start, end), clip in zip(spans, record["clips"]))
        tokens = [Timing.from_json(t) for t in timing.get("tokens") or [None] * len(spans)]
        return ChapterTiming(
            index=plan.chapter.index,
            title=plan.chapter.title,
            start=0,
            length=int(timing["length"]),
            sentences=tuple(SentenceTiming(p.sentence.index, paragraph, int(start), int(end), times)
                            for p, paragraph, (start, end), times in zip(plan.pronunciations, plan.paragraphs, spans,
                                                                         tokens, strict=True)),
            loudness=float(timing["loudness"]),
            true_peak=float(timing["true_peak"]),
        ), recalled
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
def chapter_record(timing: ChapterTiming, clips: Sequence[Any], plan: str | None, pieces: list | None = None) -> dict:
    """What the keys file keeps of a chapter so that the next build can reuse it without its audio
    (and, for a chapter joined from sentence files, each of those files without its clip)."""
    record = {
        "plan": plan,
        "timing": {
            "length": timing.length,
            "loudness": timing.loudness,
            "true_peak": timing.true_peak,
            "spans": [[span.start, span.end] for span in timing.sentences],
            "tokens": [None if span.tokens is None else span.tokens.to_json() for span in timing.sentences],
        },
        "clips": [{"engine": clip.engine, "notices": [notice_to_json(n) for n in clip.notices]} for clip in clips],
    }
    if pieces is not None:
        record["pieces"] = pieces
    return record
def fell_back(clips: Sequence[Any], speaker) -> bool:
    """A fallback clip may not come back the same way: its chapter (or sentence file) is made again next time."""
    return any(from_fallback(clip, speaker) for clip in clips)
def from_fallback(clip: Any, speaker) -> bool:
    return clip.engine not in (speaker.name, None) or any(n.code == "engine-fallback" for n in clip.notices)
def placed(plan: ChapterPlan, parts: Sequence[Any], tokens: Sequence[Timing | None]) -> tuple[SentenceTiming, ...]:
    """Each sentence's span in a joined chapter from where its file landed (`parts`, one per sentence that
    speaks, with its `tokens`); a sentence with nothing to speak is the instant where the sentence before it
    ends. A file decodes without its encoder delay and padding, so its token times hold in the chapter too."""
    spans, found, position = [], iter(zip(parts, tokens, strict=True)), 0
    for pron, paragraph in zip(plan.pronunciations, plan.paragraphs):
        start, times = position, None
        if pron.speaks:
            part, times = next(found)
            start, position = part.start, part.start + part.samples
        spans.append(SentenceTiming(pron.sentence.index, paragraph, start, position, times))
    return tuple(spans)
@dataclass(frozen=True)
class Recalled:
    """What a build keeps of a clip once it is levelled: its length, engine and notices (the samples of a
    book would not fit in memory; a reused chapter's clips are not read at all)."""

    duration: float
    engine: str | None  # None: the sentence has nothing to speak, and no engine was asked
    notices: tuple[Notice, ...]

    @classmethod
    def of(cls, clip: Any) -> "Recalled":
        return cls(clip.duration, clip.engine, tuple(clip.notices))

    @classmethod
    def recorded(cls, samples: int, record: dict, rate: int) -> "Recalled":
        """From the keys file's record of a clip (its engine and notices) and its length in samples."""
        engine = None if record["engine"] is None else str(record["engine"])
        return cls(samples / rate, engine, tuple(notice_from_json(n) for n in record["notices"]))

    @classmethod
    def unspoken(cls, pronunciation: Pronunciation, progress) -> "Recalled":
        """The stand-in for the clip of a sentence with nothing to speak (after telling `progress` it is done)."""
        recalled = cls(0.0, None, ())
        if progress is not None:
            progress.sentence_done(pronunciation, recalled, False)
        return recalled
