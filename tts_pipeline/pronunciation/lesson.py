"""How the Latin runs and labels of a lesson are spoken: the pronounce stage's side of parse/latin.py.

    --latin voice|skip|spell        English (any Latin word that is neither pinyin nor an abbreviation)
    --pinyin-words hint|speak|skip  pinyin written after its word (`银行 yínháng`)
    --speak-labels                  speak dialogue labels (`A：`), silent by default

`voice` (default): an English word becomes a token of source "english" with
no pinyin; the synthesis stage gives it to the Latin voice (engines/latin.py).
`skip`: silent, with a notice. `spell`: letter by letter in Mandarin syllables,
as before this option existed.

`hint` (default): the pinyin decides (and checks, under the hint policy) the
word's reading and is not spoken again: the learner hears the word once, in
the reading its pinyin gave. `speak`: the same, and the syllables are spoken
after the word. `skip`: the pinyin is shown only; neither hint nor spoken.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Notice, Sentence, Token

LATIN_MODES = ("voice", "skip", "spell")
PINYIN_WORD_MODES = ("hint", "speak", "skip")

LATIN_SKIPPED = "latin-skipped"


@dataclass(frozen=True)
class LessonOptions:
    latin: str = "voice"
    pinyin_words: str = "hint"
    speak_labels: bool = False

    def __post_init__(self) -> None:
        for label, value, choices in (("--latin", self.latin, LATIN_MODES),
                                      ("--pinyin-words", self.pinyin_words, PINYIN_WORD_MODES)):
            if value not in choices:
                raise ValueError(f"{label} {value!r}: choose one of {', '.join(choices)}")


DEFAULT = LessonOptions()


def lesson_options(args) -> LessonOptions:
    """The options of the `build` command line (cli.py)."""
    return LessonOptions(getattr(args, "latin", "voice"), getattr(args, "pinyin_words", "hint"),
                         bool(getattr(args, "speak_labels", False)))


def hints_used(sentence: Sentence, options: LessonOptions):
    """The sentence's hints the hint policy should judge: pinyin written after a word counts unless skipped."""
    if options.pinyin_words == "skip":
        return tuple(h for h in sentence.hints if h.written_at is None)
    return sentence.hints


def silent_spans(sentence: Sentence, options: LessonOptions) -> list[tuple[int, int]]:
    """Parts of the text shown but never spoken: the speaker label, a vocabulary item's part of speech."""
    spans = []
    if sentence.label_end and not options.speak_labels:
        spans.append((0, sentence.label_end))
    entry = sentence.entry
    if entry is not None and entry.pos_end > entry.pos_start:
        spans.append((entry.pos_start, entry.pos_end))
    return spans


def latin_token(sentence: Sentence, start: int, reading, options: LessonOptions) -> tuple[Token, Notice | None]:
    """The token for a Latin run that normalize read (`reading.latin` set), under `options`."""
    text = sentence.text[start:reading.end]
    inline = next((h for h in sentence.hints if h.written_at == start), None)
    if inline is not None:  # pinyin written after its word: the hint already read the word
        if options.pinyin_words == "speak":
            return Token(text, " ".join(inline.syllables), "normalized", start, reading.spoken or text), None
        return silent(text, start), None
    if reading.latin == "pinyin":
        return Token(text, reading.pinyin, "normalized", start, reading.spoken), None
    if reading.latin == "pos":
        return silent(text, start), None
    if options.latin == "spell" and reading.pinyin:
        return Token(text, reading.pinyin, "normalized", start, text), None
    if options.latin == "skip":
        notice = Notice.on(sentence, LATIN_SKIPPED, f"{text}: Latin-script text, not spoken (--latin skip)",
                           text=text)
        return silent(text, start), notice
    return Token(text, None, "english", start, text), None


def silent(text: str, start: int) -> Token:
    """A token shown in the text and transcripts that no engine says (its `spoken` is empty)."""
    return Token(text, None, "silent", start, "")
