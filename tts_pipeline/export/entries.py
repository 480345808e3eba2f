"""The manifest of a finished build: each sentence's entry with its times in its own file and in the book,
each chapter's entry, and the whole (tts_pipeline/export/manifest.py holds the dataclasses and reads them back).
"""
from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any, Sequence

from .. import __version__
from ..model import Article, Pronunciation
from ..options import BuildOptions
from ..stitch import SentenceTiming, Timeline
from .feed import CHAPTERS_FILE
from .manifest import (
    ChapterEntry,
    EngineInfo,
    Files,
    Manifest,
    SentenceEntry,
    TokenEntry,
    VocabularyItem,
    WarningEntry,
    timed_tokens,
)
from .transcripts import pinyin_line


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _sentence_entry(pron: Pronunciation, span: SentenceTiming, engine: str | None, chapter: int,
                    extension: str, rate: int, sent: str | None = None, latin_voice: str = "en") -> SentenceEntry:
    """The manifest entry of a sentence; its book times are set once the book's layout is known."""
    sentence = pron.sentence
    return SentenceEntry(
        id=sentence.id,
        index=sentence.index,
        chapter=chapter,
        paragraph=span.paragraph,
        text=sentence.text,
        pinyin=pinyin_line(pron.tokens),
        tokens=tuple(TokenEntry.of(t, latin_voice) for t in pron.tokens),
        engine=engine,
        file=f"sentences/{sentence.id}.{extension}" if pron.speaks else None,
        start=round(span.start / rate, 3),
        end=round(span.end / rate, 3),
        book_start=0.0,
        book_end=0.0,
        sent=sent,
        speaker=sentence.speaker,
        vocabulary=VocabularyItem.of(pron),
    )


def sentence_entries(made, timeline: Timeline, extension: str, rate: int, speaker) -> list[SentenceEntry]:
    """The manifest entry of every sentence, with its times in its own file and in the book, and the text the
    voice was sent where it was not the sentence's own (an online voice, homophones for resolved readings)."""
    starts = {t.index: t.start for t in timeline.chapters}
    entries = []
    for plan, timing, clips in made:
        for pron, span, clip in zip(plan.pronunciations, timing.sentences, clips):
            sent = speaker.sent_text(pron) if clip.engine == speaker.name else None
            entry = _sentence_entry(pron, span, clip.engine, plan.chapter.index, extension, rate, sent,
                                    speaker.settings.latin_voice)
            start = starts[entry.chapter]
            entries.append(replace(entry, book_start=round((start + span.start) / rate, 3),
                                   book_end=round((start + span.end) / rate, 3),
                                   tokens=timed_tokens(entry.tokens, span.tokens, start + span.start)))
    return entries


def book_manifest(article: Article, sources: Sequence[str], options: BuildOptions, timeline: Timeline,
                  entries: Sequence[SentenceEntry], chapter_files: Sequence[str], m4b: bool,
                  warnings: Sequence[WarningEntry], total: int) -> Manifest:
    """The manifest of the book: its chapters at their places in `timeline`, its sentences, the warnings."""
    rate = timeline.sample_rate
    chapters = [
        ChapterEntry(
            index=t.index,
            title=t.title,
            file=file,
            start=round(t.start / rate, 3),
            end=round(t.end / rate, 3),
            source=sources[number] if number < len(sources) else article.source,
            loudness=t.loudness,
            true_peak=t.true_peak,
        )
        for number, (t, file) in enumerate(zip(timeline.chapters, chapter_files))
    ]
    return Manifest(
        title=article.title,
        source=article.source,
        created_by=f"tts-pipeline {__version__}",
        engine=EngineInfo(options.engine, _plain(dataclasses.asdict(options.settings)), options.fallback),
        sample_rate=rate,
        duration=round(total / rate, 3),
        files=Files(
            book="book.mp3",
            book_m4b="book.m4b" if m4b else None,
            lrc="transcript.lrc",
            srt="transcript.srt",
            vtt="transcript.vtt",
            player="index.html" if options.player else None,
            chapters=CHAPTERS_FILE,
        ),
        chapters=tuple(chapters),
        sentences=tuple(entries),
        warnings=tuple(warnings),
        sources=tuple(dict.fromkeys(sources)),
        pauses=dataclasses.asdict(options.pauses),
    )
