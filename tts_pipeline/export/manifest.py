"""manifest.json: what a build wrote, as frozen objects and as JSON.

`Manifest.read(path)` gives back the same objects, so the player and other
tools read a folder without knowing how it was built. Times are seconds with
three decimals; files are paths relative to the output folder, with "/".
"""
from __future__ import annotations

import json
import math
from copy import deepcopy
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..timing import Timing, seconds

if TYPE_CHECKING:
    from ..model import Notice

FORMAT = "tts-pipeline/1"


@dataclass(frozen=True)
class EngineInfo:
    name: str
    settings: Mapping[str, Any]
    fallback: str | None = None


@dataclass(frozen=True)
class Files:
    book: str
    book_m4b: str | None
    lrc: str
    srt: str
    vtt: str
    player: str | None
    chapters: str | None = None  # Podcasting 2.0 JSON chapters, for podcast:chapters in a feed
    anki: str | None = None


@dataclass(frozen=True)
class ChapterEntry:
    index: int
    title: str
    file: str
    start: float
    end: float
    source: str = ""
    loudness: float | None = None
    true_peak: float | None = None


@dataclass(frozen=True)
class TokenEntry:
    """A token; a spoken one has its times: `start`/`end` in seconds within its sentence's
    file (as that file decodes), `book_start`/`book_end` within the book. `estimated`:
    the engine gave no timing, these are guessed from the audio."""

    text: str
    pinyin: str | None
    source: str
    start: float | None = None
    end: float | None = None
    book_start: float | None = None
    book_end: float | None = None
    estimated: bool = False
    # Who spoke it when not the sentence's engine: "espeak:<voice>" for English. Written only when set.
    engine: str | None = None

    @classmethod
    def of(cls, token, latin_voice: str) -> "TokenEntry":
        return cls(token.text, token.pinyin, token.source,
                   engine=f"espeak:{latin_voice}" if token.source == "english" else None)


@dataclass(frozen=True)
class VocabularyItem:
    """A vocabulary list's item as the learner renders use it: the fields as written, `syllables` as read."""

    word: str
    pinyin: str
    syllables: str
    pos: str
    gloss: str

    @classmethod
    def of(cls, pronunciation) -> "VocabularyItem | None":
        entry = pronunciation.sentence.entry
        if entry is None:
            return None
        word = [t.pinyin for t in pronunciation.tokens[:len(entry.word)] if t.pinyin]
        return cls(entry.word, entry.pinyin, " ".join(word), entry.pos, entry.gloss)


_TIMES = ("start", "end", "book_start", "book_end", "estimated")


def timed_tokens(tokens: Sequence[TokenEntry], timing: Timing | None, book_offset: int) -> tuple[TokenEntry, ...]:
    """`tokens` with the times `timing` gives them, counted from their sentence's first
    sample, which is sample `book_offset` of the book (at the timing's rate)."""
    if timing is None:
        return tuple(tokens)
    out = list(tokens)
    rate = timing.sample_rate
    for index, start, end in zip(timing.tokens, timing.starts, timing.ends):
        out[index] = replace(out[index], start=seconds(start, rate), end=seconds(end, rate),
                             book_start=seconds(book_offset + start, rate), book_end=seconds(book_offset + end, rate),
                             estimated=timing.estimated)
    return tuple(out)


@dataclass(frozen=True)
class SentenceEntry:
    id: str
    index: int
    chapter: int
    paragraph: int
    text: str
    pinyin: str
    tokens: tuple[TokenEntry, ...]
    engine: str | None  # None, like `file`, for a sentence with nothing to speak
    file: str | None
    start: float
    end: float
    book_start: float
    book_end: float
    # The text a text-reading engine (gtts, edge) was sent, homophones
    # swapped in; None for engines that take pinyin and for unspoken sentences.
    sent: str | None = None
    speaker: str | None = None  # the dialogue speaker whose turn the sentence is
    vocabulary: VocabularyItem | None = None  # the vocabulary list item the sentence is


@dataclass(frozen=True)
class WarningEntry:
    code: str
    message: str
    sentence: str | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None
    text: str | None = None
    hint: str | None = None
    used: str | None = None


@dataclass(frozen=True)
class Manifest:
    title: str
    source: str
    created_by: str
    engine: EngineInfo
    sample_rate: int
    duration: float
    files: Files
    chapters: tuple[ChapterEntry, ...]
    sentences: tuple[SentenceEntry, ...]
    warnings: tuple[WarningEntry, ...] = ()
    sources: tuple[str, ...] = ()
    format: str = FORMAT
    pauses: Mapping[str, float] = field(default_factory=dict)
    shadowing: Mapping[str, Any] | None = None
    # profile, author, cover file, genre, date, and what export.check measured of the files the profile is about
    publishing: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON data, `format` first: what `dataclasses.asdict` gives, but built field by field,
        since a book has tens of thousands of tokens and asdict copies each of their values; a token has its times
        only when heard, `estimated` only where true and `engine` only where set; a chapter's loudness or true
        peak that is not finite is None."""
        data = {"format": self.format}
        for name in _MANIFEST_FIELDS:
            if name == "chapters":
                data[name] = tuple({**vars(chapter), **{key: None for key in ("loudness", "true_peak")
                                                        if _infinite(getattr(chapter, key))}}
                                   for chapter in self.chapters)
            elif name == "sentences":
                data[name] = tuple(_sentence_dict(sentence) for sentence in self.sentences)
            else:
                data[name] = _plain(getattr(self, name))
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Manifest":
        def build(kind, values):
            names = {f.name for f in fields(kind)}
            return kind(**{k: v for k, v in values.items() if k in names})

        sentences = tuple(
            build(SentenceEntry, {**s, "tokens": tuple(build(TokenEntry, t) for t in s["tokens"]),
                                  "vocabulary": s.get("vocabulary") and build(VocabularyItem, s["vocabulary"])})
            for s in data["sentences"]
        )
        return build(
            cls,
            {
                **data,
                "engine": build(EngineInfo, data["engine"]),
                "files": build(Files, data["files"]),
                "chapters": tuple(build(ChapterEntry, c) for c in data["chapters"]),
                "sentences": sentences,
                "warnings": tuple(build(WarningEntry, w) for w in data.get("warnings", ())),
                "sources": tuple(data.get("sources", ())),
            },
        )

    @property
    def vocabulary(self) -> tuple[tuple[SentenceEntry, VocabularyItem], ...]:
        """The vocabulary list of the book: each item with the sentence (and so the clip) that says it."""
        return tuple((s, s.vocabulary) for s in self.sentences if s.vocabulary is not None)

    @classmethod
    def read(cls, path: str | Path) -> "Manifest":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


_MANIFEST_FIELDS = tuple(f.name for f in fields(Manifest) if f.name != "format")
_SHOWN_WHEN_SET = frozenset((*_TIMES, "engine"))  # a token's fields left out when None (or False)


def _plain(value: Any) -> Any:
    """`value` as `dataclasses.asdict` copies it: dataclasses as dicts of their fields, lists, tuples and dicts
    rebuilt, anything else deep-copied (the manifest holds only plain values besides)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return type(value)((_plain(key), _plain(item)) for key, item in value.items())
    return deepcopy(value)


def _sentence_dict(sentence: SentenceEntry) -> dict[str, Any]:
    data = dict(vars(sentence))  # the rest are str, int, float or None
    data["tokens"] = [{key: value for key, value in vars(token).items()
                       if key not in _SHOWN_WHEN_SET or (value is not None and value is not False)}
                      for token in sentence.tokens]
    if sentence.vocabulary is not None:
        data["vocabulary"] = dict(vars(sentence.vocabulary))
    return data


def _infinite(value: float | None) -> bool:
    return value is not None and not math.isfinite(value)


def warning_entry(notice: Notice, sentence_id: str) -> WarningEntry:
    """The manifest's entry for a notice about sentence `sentence_id`."""
    position = notice.position
    return WarningEntry(
        code=notice.code,
        message=notice.message,
        sentence=sentence_id,
        path=position.path if position else None,
        line=position.line if position else None,
        column=position.column if position else None,
        text=notice.text,
        hint=notice.hint,
        used=notice.used,
    )
