"""Latin-script runs in Chinese text, told apart: pinyin, abbreviations, part-of-speech labels, English.

This is the one place that decides what a run of Latin letters is; the
parser (pinyin written after a word becomes a hint of it) and the pronounce
stage (how each run is spoken) both ask `latin_runs`.

- **pinyin**: the words parse as Hanyu Pinyin syllables (tone marks, tone
  numbers, or none; apostrophes and spaces allowed) and at least one word of
  the run carries a tone. A run with no tone at all (`China`, `men`, `a`)
  could as well be English: on its own it is English; right after Han
  characters whose readings it spells it is still taken as their pinyin (the
  parser checks that against the characters, see `parse/annotations.py`).
- **abbreviation**: all capitals, up to six ASCII letters (GDP, NBA, CPI):
  spelled letter by letter, as before.
- **pos**: a part-of-speech label with its full stop (`n.`, `v.`, `adj.`):
  never spoken.
- **english**: any other word or phrase of Latin letters (English, or
  another language in Latin script).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .annotations import read_syllables

PINYIN = "pinyin"
ABBREVIATION = "abbreviation"
POS = "pos"
ENGLISH = "english"

ABBREVIATION_LETTERS = 6
# Part-of-speech labels of vocabulary lists, as textbooks abbreviate them (always written with a full stop).
POS_LABELS = frozenset(
    "n v adj adv prep pron conj num m mw meas int interj part aux vt vi pl abbr det suf pref ono".split()
)
# The same in Chinese, as the column of a vocabulary list writes them (名 名词, 动 动词 …): silent there only.
POS_LABELS_ZH = frozenset("名 动 形 副 介 量 连 代 数 助 叹 拟声 名词 动词 形容词 副词 介词 量词 连词 代词 数词 助词 叹词".split())

# A letter: ASCII, Latin-1 and the Latin Extended blocks (á, ü, ǚ, ḿ, ế), or a combining mark after one.
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_WORD = re.compile(rf"[{_LETTER}][{_LETTER}\u0300-\u036f]*(?:[0-5](?=[^0-9]|$))?"
                   rf"(?:['’]?[{_LETTER}][{_LETTER}\u0300-\u036f]*(?:[0-5](?=[^0-9]|$))?)*")
_LETTERS_ONLY = re.compile(rf"[{_LETTER}\u0300-\u036f]+")
_LONGEST_NUMBERED_WORD = 48
_ONE_LETTER = re.compile(f"[{_LETTER}]")
# What may stand between two words of one run: spaces, a hyphen.
_JOIN = re.compile(r"[ \t\u00a0-]+")
# Full-width Latin letters, folded to ASCII before classifying (the offsets stay the same).
_FOLD = {c: c - 0xFEE0 for c in (*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


def is_letter(char: str) -> bool:
    """Whether `char` is a Latin letter (with or without diacritics, full-width included)."""
    return _ONE_LETTER.fullmatch(char.translate(_FOLD)) is not None


@dataclass(frozen=True)
class LatinRun:
    """text[start:end] is one run of kind PINYIN, ABBREVIATION, POS or ENGLISH; `syllables` for pinyin."""

    start: int
    end: int
    kind: str
    syllables: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    kind: str  # as LatinRun.kind, or "toneless" for pinyin without any tone
    syllables: tuple[str, ...] = ()


def _word_at(text: str, i: int) -> tuple[int, str, tuple[str, ...]]:
    """The word starting at text[i] (a letter): its end, its kind and its syllables when it is pinyin."""
    letters_end = _LETTERS_ONLY.match(text, i).end()
    letters = text[i:letters_end]
    if letters.isascii() and letters.isupper() and len(letters) <= ABBREVIATION_LETTERS:
        return letters_end, ABBREVIATION, ()
    if letters.lower() in POS_LABELS and text[letters_end:letters_end + 1] == ".":
        return letters_end + 1, POS, ()
    # a pinyin word with tone numbers is short: looking no further keeps a long run of a1a1a1… linear
    end = _WORD.match(text, i, min(len(text), letters_end + _LONGEST_NUMBERED_WORD)).end()
    parsed = read_syllables(unicodedata.normalize("NFC", text[i:end]))
    if end != letters_end and any(c.isdigit() for c in text[i:end]) and (parsed is None or not parsed[1]):
        end = letters_end  # MP3, H5N1: letters, then a number
        parsed = read_syllables(unicodedata.normalize("NFC", letters))
    if parsed is None:
        return end, ENGLISH, ()
    syllables, toned = parsed
    return end, (PINYIN if toned else "toneless"), syllables


def _words(text: str) -> list[_Word]:
    words = []
    i = 0
    while i < len(text):
        if is_letter(text[i]) and (i == 0 or not is_letter(text[i - 1])):
            end, kind, syllables = _word_at(text, i)
            words.append(_Word(i, end, kind, syllables))
            i = end
        else:
            i += 1
    return words


@lru_cache(maxsize=4096)
def latin_runs(text: str) -> tuple[LatinRun, ...]:
    """Every Latin run of `text`, in order, classified (see the module docstring)."""
    folded = text.translate(_FOLD)
    words = _words(folded)
    joined = [i + 1 < len(words) and _JOIN.fullmatch(folded, words[i].end, words[i + 1].start) is not None
              for i in range(len(words))]
    # A toneless word is pinyin when it is joined to a toned pinyin word (ni3 hao3 ma), else English; capitals
    # joined to an English word are part of the phrase (US dollar, SIM card, I am), not an abbreviation.
    kinds = [w.kind for w in words]
    for becomes, among, next_to in (("toneless", PINYIN, PINYIN), (ABBREVIATION, ENGLISH, ENGLISH)):
        changed = True
        while changed:
            changed = False
            for i, kind in enumerate(kinds):
                if kind == becomes and ((i and joined[i - 1] and kinds[i - 1] == next_to)
                                        or (joined[i] and kinds[i + 1] == next_to)):
                    kinds[i] = among
                    changed = True
        kinds = [ENGLISH if k == "toneless" else k for k in kinds]
    words = [w if kinds[i] == PINYIN else _Word(w.start, w.end, kinds[i]) for i, w in enumerate(words)]
    runs: list[LatinRun] = []
    for i, word in enumerate(words):
        kind = kinds[i]
        previous = runs[-1] if runs else None
        if (previous is not None and kind in (PINYIN, ENGLISH) and previous.kind == kind
                and joined[i - 1]):
            runs[-1] = LatinRun(previous.start, word.end, kind, previous.syllables + word.syllables)
        else:
            runs.append(LatinRun(word.start, word.end, kind, word.syllables))
    return tuple(runs)


def run_at(text: str, start: int) -> LatinRun | None:
    """The run of `text` that begins at `start`, if any."""
    return next((run for run in latin_runs(text) if run.start == start), None)
