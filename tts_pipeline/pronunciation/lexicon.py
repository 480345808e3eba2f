"""The phrase lexicon: how dictionaries read the polyphones of multi-character words.

Three phrase dictionaries that ship in PyPI wheels vote: pypinyin's own
(phrase-pinyin-data), and CC-CEDICT and the 汉典 词典 lists of `pypinyin-dict`.
Only words of two or more characters whose reading a dictionary of single
characters would not give are kept: those holding a character with more than
one reading, or a syllable other than its character's usual reading (the
neutral tone of 朋友 péngyou). 一 and 不 are stored in their citation tones.
A word maps to its distinct readings, each with the number of dictionaries
that give it, packed in one string ("shi2 xing2/3", "a b/2;c d/1") because a
table of 300,000 strings loads several times faster than one of 300,000
nested tuples. Where a dictionary gives a character of a word more than one
reading (CC-CEDICT: 大都 dàdū or dàdōu), the others follow the first after a
comma ("da4 du1,dou1/1"): they do not vote, but they make the word ambiguous
for the hint check.

Building the table reads about 500,000 entries (a few seconds), so the result
is kept in the user cache folder as a packed table (packed.py), stamped with
the versions of the packages it came from and this package's code; later runs
map it and look words up in place, without loading it.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path

from ..hanzi import is_han
from .once import load_once, stored_table
from .readings import char_readings, citation, numbered

# (module, attribute) of each phrase dictionary; a missing optional package just has no vote.
_SOURCES = (
    ("pypinyin.phrases_dict", "phrases_dict"),
    ("pypinyin_dict.phrase_pinyin_data.cc_cedict", "phrases_dict"),
    ("pypinyin_dict.phrase_pinyin_data.zdic_cibs", "phrases_dict"),
)
_DISTRIBUTIONS = ("pypinyin", "pypinyin-dict", "g2pM")

Lexicon = Mapping[str, str]


def build_lexicon() -> Lexicon:
    usual: dict[str, str | None] = {}  # None: a character with more than one reading

    def informative(word: str, reading: tuple[str, ...]) -> bool:
        for char, syllable in zip(word, reading):
            if char not in usual:
                readings = char_readings(char)
                usual[char] = readings[0] if len(readings) == 1 else None
            if usual[char] != syllable:
                return True
        return False

    votes: dict[str, dict[tuple[str, ...], int]] = {}
    for module_name, attribute in _SOURCES:
        try:
            entries = getattr(importlib.import_module(module_name), attribute)
        except ImportError:
            continue
        for word, syllables in entries.items():
            if len(word) < 2 or len(syllables) != len(word) or not all(is_han(c) for c in word):
                continue
            reading = tuple(
                ",".join(dict.fromkeys(citation(c, numbered(a)) for a in alternatives))
                for c, alternatives in zip(word, syllables)
            )
            if "," not in "".join(reading) and not informative(word, reading):
                continue
            counts = votes.setdefault(word, {})
            counts[reading] = counts.get(reading, 0) + 1
    return {
        word: ";".join(f"{' '.join(reading)}/{count}" for reading, count in sorted(counts.items(), key=lambda i: -i[1]))
        for word, counts in votes.items()
    }


# Words the phrase dictionaries read against 现代汉语词典, with its reading; they count as all three agreeing.
CORRECTED = {
    "角斗士": "jue2 dou4 shi4", "参将": "can1 jiang4", "玄参": "xuan2 shen1", "甚么": "shen2 me5",
    "憎恶": "zeng1 wu4", "拚命": "pin1 ming4", "清隽": "qing1 juan4", "咳咳": "ke2 ke2", "校射": "jiao4 she4",
    "温差": "wen1 cha1", "空地": "kong4 di4", "补给": "bu3 ji3", "几乎": "ji1 hu1", "本分": "ben3 fen4",
    "散文": "san3 wen2", "重刑": "zhong4 xing2", "当机": "dang4 ji1", "爱答不理": "ai4 da1 bu4 li3",
}


def _entries(word: str) -> list[tuple[list[str], int]]:
    """[(syllables of the word, votes), ...], most votes first; [] for a word no dictionary lists."""
    if word in CORRECTED:
        return [(CORRECTED[word].split(), len(_SOURCES))]
    packed = lexicon().get(word)
    if not packed:
        return []
    entries = []
    for item in packed.split(";"):
        reading, votes = item.rsplit("/", 1)
        entries.append((reading.split(), int(votes)))
    return entries


@load_once
def lexicon() -> Lexicon:
    """The shared lexicon, mapped from the cache folder or built and stored there on first use."""
    return _load_or_build()


def _load_or_build(folder: Path | None = None) -> Lexicon:
    # lexicon-v4-*.pickle: the whole table pickled, as stored before packed tables
    return stored_table(
        "lexicon", "str", _DISTRIBUTIONS, lambda: (build_lexicon(), {}), folder, legacy=("lexicon-v*.pickle",)
    )


def word_votes(word: str, offset: int) -> dict[str, int]:
    """How many dictionaries read the character at `offset` of `word` each way ({} when none lists the word)."""
    counts: dict[str, int] = {}
    for reading, votes in _entries(word):
        syllable = reading[offset].split(",", 1)[0]
        counts[syllable] = counts.get(syllable, 0) + votes
    return counts


def word_allows(word: str, offset: int) -> set[str]:
    """Every reading some dictionary allows the character at `offset` of `word` (empty when none lists the word)."""
    return {a for reading, _ in _entries(word) for a in reading[offset].split(",")}


def agreed_reading(word: str, offset: int, needed: int = 2) -> str | None:
    """The one reading the dictionaries allow the character at `offset` of `word`, when at least
    `needed` of them list the word and none reads it otherwise; else None."""
    allowed = word_allows(word, offset)
    if len(allowed) != 1 or sum(word_votes(word, offset).values()) < needed:
        return None
    return next(iter(allowed))


def word_reading(word: str) -> tuple[str, ...] | None:
    """The reading most dictionaries give `word`, or None when none lists it."""
    entries = _entries(word)
    return tuple(s.split(",", 1)[0] for s in entries[0][0]) if entries else None
