"""Frozen data passed between the pipeline's stages.

parse -> Article (Chapter > Paragraph > Sentence, with Hints)
pronounce -> Pronunciation (Tokens and Notices for one Sentence)
synthesize -> Clip
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # the stages that read or write a Clip's samples import numpy; parse and pronounce need not
    import numpy as np

from .timing import Timing


@dataclass(frozen=True)
class SourcePosition:
    """Where something stands in the input; line and column count from 1.

    `unit` is "line" for text files; readers of documents without lines
    (EPUB, web pages, Word) count paragraphs instead, and `path` names the
    document part too (`book.epub:text/ch03.xhtml`).
    """

    path: str
    line: int
    column: int
    unit: str = "line"

    def __str__(self) -> str:
        if self.unit == "paragraph":
            return f"{self.path}:paragraph {self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Hint:
    """An author's pinyin annotation for the Han characters just before it.

    `syllables` are normalised to tone-number form (neutral tone 5, ü written
    as v), one per annotated character; `written` keeps the annotation as the
    author typed it, for messages.
    """

    start: int
    syllables: tuple[str, ...]
    written: str
    position: SourcePosition
    # Pinyin written after its word without brackets (`银行 yínháng`) stays in the text, at this offset;
    # None for a bracketed annotation, which is removed from the text.
    written_at: int | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.syllables)

    def moved(self, offset) -> "Hint":
        """The same hint in a text whose offsets are `offset(old)` (a cut or a dropped character moves them)."""
        return replace(self, start=offset(self.start),
                       written_at=None if self.written_at is None else offset(self.written_at))


@dataclass(frozen=True)
class VocabularyEntry:
    """One item of a vocabulary list (`1. 银行 yínháng n. bank`): each field as written, "" when absent;
    `pos_start`/`pos_end` place the part-of-speech label in the sentence's text (it is not spoken)."""

    word: str
    pinyin: str
    pos: str
    gloss: str
    pos_start: int = 0
    pos_end: int = 0


@dataclass(frozen=True)
class Sentence:
    """One sentence with its annotations removed.

    `index` counts from 0 across the whole article. `clause_ends` are offsets
    in `text` just after each clause-splitting mark (，；：、 and their ASCII
    forms), so later stages can pause or split there.
    """

    index: int
    text: str
    hints: tuple[Hint, ...]
    clause_ends: tuple[int, ...]
    position: SourcePosition
    # Lessons (parse/lesson.py): the dialogue turn's speaker, the length of its label at the start of
    # `text` ("A：", shown but not spoken), and the vocabulary item the sentence is.
    speaker: str | None = None
    speaker_number: int = 0  # the speaker's place in the order the dialogue's speakers first speak, from 0
    label_end: int = 0
    entry: "VocabularyEntry | None" = None

    @property
    def id(self) -> str:
        return f"s{self.index + 1:04d}"


@dataclass(frozen=True)
class Paragraph:
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Chapter:
    """A chapter; `index` counts from 1."""

    index: int
    title: str
    paragraphs: tuple[Paragraph, ...]

    def sentences(self) -> Iterator[Sentence]:
        for paragraph in self.paragraphs:
            yield from paragraph.sentences


@dataclass(frozen=True)
class Article:
    title: str
    source: str
    chapters: tuple[Chapter, ...]
    author: str = ""  # from a book's or page's metadata; "" when the input names none

    def sentences(self) -> Iterator[Sentence]:
        for chapter in self.chapters:
            yield from chapter.sentences()


# Where a token's reading came from.
# "english": a Latin-script word for the Latin voice (engines/mixed.py); "silent": shown, deliberately not
# spoken (a speaker label, a part of speech, pinyin that already read its word, a word under --latin skip).
SOURCES = ("hint", "rule", "lexicon", "model", "default", "normalized", "english", "silent", "none")


@dataclass(frozen=True)
class Token:
    """One Han character, one number or symbol run, one Latin word, or punctuation.

    `pinyin` is space-separated tone-number syllables as a dictionary prints
    them (no tone sandhi), or None for what is not spoken (punctuation,
    spaces). `spoken` is what an engine that reads characters should say:
    the character itself, or the Chinese reading of a number (2024年 ->
    二零二四). `start` is the offset of `text` in the sentence. `word_start`
    marks the first token of a word, for prosody.
    """

    text: str
    pinyin: str | None
    source: str
    start: int
    spoken: str
    word_start: bool = True


@dataclass(frozen=True)
class Notice:
    """A warning for the user: a hint not used as written, a character no engine can say.

    `hint` and `used` hold syllables in tone numbers ("hang2"), never tone marks: those are added
    where a notice is rendered (`message`, the player). Where the code is about an engine or a
    number, `used` names the engine or holds the number's spoken form.
    """

    code: str
    message: str
    sentence: int | None = None
    position: SourcePosition | None = None
    text: str | None = None
    hint: str | None = None
    used: str | None = None

    @classmethod
    def on(cls, sentence: Sentence, code: str, message: str, **details: str | None) -> "Notice":
        """A notice about `sentence`, placed where the sentence stands; `details`: text, hint, used."""
        return cls(code, message, sentence.index, sentence.position, **details)


@dataclass(frozen=True)
class Pronunciation:
    """A sentence with a reading for every token."""

    sentence: Sentence
    tokens: tuple[Token, ...]
    notices: tuple[Notice, ...] = ()

    @property
    def syllables(self) -> list[str]:
        return [s for t in self.tokens if t.pinyin for s in t.pinyin.split()]

    @property
    def speaks(self) -> bool:
        """Whether there is anything to say: a sentence of punctuation, symbols
        or space (`……`, `* * *`, `——`) has no syllable. Such a sentence keeps
        its place in the text, the manifest and the transcripts, but no stage
        asks an engine for it and it has no clip, no file and no pause."""
        return bool(self.syllables) or any(t.source == "english" for t in self.tokens)

    def unspoken_notice(self) -> Notice:
        """What the build tells the user about a sentence that does not `speak`."""
        sentence = self.sentence
        return Notice(
            code="nothing-to-speak",
            message=f"sentence {sentence.id} ({sentence.text}) has nothing to speak: it keeps its place in the "
                    "text and transcripts, without audio",
            sentence=sentence.index,
            position=sentence.position,
            text=sentence.text,
        )


@dataclass(frozen=True)
class WordTime:
    """When the engine said one word of a sentence: seconds from the start of its clip.

    `first_token` and `last_token` index the sentence's `Pronunciation.tokens`
    the word covers (None when the engine's word could not be placed in the
    text).  Engines that report words (edge) fill these; per-character timing
    is derived from them later.
    """

    text: str
    start: float
    end: float
    first_token: int | None = None
    last_token: int | None = None


@dataclass(frozen=True, eq=False)
class Clip:
    """Synthesised audio for one sentence: mono float32 samples in [-1, 1].

    `words` are the engine's own word timings, where it gives any; `timing` says
    when each token is heard (tts_pipeline.timing; None: not known yet)."""

    samples: np.ndarray
    sample_rate: int
    engine: str
    notices: tuple[Notice, ...] = field(default=())
    words: tuple[WordTime, ...] = field(default=())
    timing: Timing | None = None
    # The sentence already levelled (and encoded) by the backend that spoke it, an
    # `export.sentencefile.Finished`: Ray actors do this work so that the driver does not.
    finished: Any = field(default=None, repr=False)
    # How many samples were spoken, when `samples` was left on the node that spoke them (`spoken_only`).
    length: int | None = None

    @property
    def duration(self) -> float:
        return (len(self.samples) if self.length is None else self.length) / self.sample_rate

    def spoken_only(self) -> Clip:
        """This clip without its samples, for a clip whose sentence and cache file were finished where it was
        spoken (`finished`): the driver needs only its length, and `audio()` refuses to give them."""
        return replace(self, samples=self.samples[:0], length=len(self.samples))

    def audio(self) -> np.ndarray:
        """The samples; a ValueError for a clip sent without them (`spoken_only`), rather than silence."""
        if self.length is not None and len(self.samples) != self.length:
            raise ValueError(f"the clip's {self.length} samples were left where it was spoken")
        return self.samples
