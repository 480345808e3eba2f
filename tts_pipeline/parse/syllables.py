"""Pinyin syllables as authors write them, reduced to one tone-number form.

The canonical form is lower-case, ü written as v, the tone as a trailing digit
1-5 with 5 for the neutral tone: "lve4", "zhong4", "de5".
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Combining marks left after NFD decomposition of a written syllable.
TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
DIAERESIS = "\u0308"
CIRCUMFLEX = "\u0302"

# Spellings authors use that the dictionary writes differently.
_ALIASES = {"lue": "lve", "nue": "nve", "jv": "ju", "qv": "qu", "xv": "xu", "yv": "yu",
            "jve": "jue", "qve": "que", "xve": "xue", "yve": "yue",
            "jvan": "juan", "qvan": "quan", "xvan": "xuan", "yvan": "yuan",
            "jvn": "jun", "qvn": "qun", "xvn": "xun", "yvn": "yun"}


def split_written(syllable: str) -> tuple[str, int | None, bool] | None:
    """Split one written syllable into (toneless letters, tone, malformed).

    Letters come back lower-case with ü as v and ê kept; the tone is 1-5 or
    None when nothing marks it. Returns None for characters pinyin never uses.
    """
    text = unicodedata.normalize("NFD", syllable.strip().lower()).replace("u:", "v")
    letters: list[str] = []
    tones: list[int] = []
    for ch in text:
        if ch in TONE_MARKS:
            tones.append(TONE_MARKS[ch])
        elif ch == DIAERESIS and letters and letters[-1] == "u":
            letters[-1] = "v"
        elif ch == CIRCUMFLEX and letters and letters[-1] == "e":
            letters[-1] = "ê"
        elif "a" <= ch <= "z":
            letters.append(ch)
        else:
            return None
    return "".join(letters), (tones[0] if tones else None), len(tones) > 1


def _toneless(reading: str) -> tuple[str, int]:
    split = split_written(reading)
    assert split is not None, reading
    letters, tone, _ = split
    return letters, tone or 5


@lru_cache(maxsize=1)
def valid_syllables() -> frozenset[str]:
    """Every toneless syllable pypinyin's character dictionary knows, ü as v."""
    return frozenset(_syllable_table().meta["syllables"])


def _build_syllable_table() -> tuple[dict[str, str], dict]:
    from ..pronunciation.readings import pypinyin_char_dict  # pypinyin's table, without importing pypinyin (0.25 s)

    table: dict[str, str] = {}
    syllables: set[str] = set()
    for code, raw in pypinyin_char_dict().items():
        readings = [_toneless(reading) for reading in raw.split(",")] if raw else []
        syllables.update(letters for letters, _ in readings)
        table[chr(code)] = " ".join(sorted({f"{letters}{tone}" for letters, tone in readings}))
    return table, {"syllables": sorted(syllables)}


@lru_cache(maxsize=1)
def _syllable_table():
    """char -> its readings in pypinyin's dictionary, space-separated tone-number syllables, with
    every toneless syllable in meta["syllables"]; stored in the cache folder so that reading an
    article needs neither pypinyin's 41,000-character table (0.15 s to load) nor a pass over it
    (0.1 s). The name carries a digest of this file, so a change here builds the table again."""
    import hashlib

    from ..pronunciation.once import stored_table

    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]
    return stored_table(f"syllables-{digest}", "str", ("pypinyin",), _build_syllable_table,
                        legacy=("syllables-*.packed",))


def canonical_letters(letters: str) -> str | None:
    """The dictionary spelling of toneless letters, or None if not a syllable."""
    letters = _ALIASES.get(letters, letters)
    return letters if letters in valid_syllables() else None


def normalize_syllable(written: str) -> str | None:
    """Any written pinyin syllable -> tone-number form ("luè" -> "lve4"), None if not pinyin.

    Accepts tone marks (incl. ǖǘǚǜ), a trailing tone number 0-5 (0 and 5 are
    neutral), no tone at all (neutral), v or u: for ü, lue/nue for lüe/nüe,
    and any letter case.
    """
    body = written.strip()
    digit: int | None = None
    if body and body[-1] in "012345":
        digit = int(body[-1]) or 5
        body = body[:-1]
    split = split_written(body)
    if split is None:
        return None
    letters, mark, malformed = split
    if malformed or (mark is not None and digit is not None and mark != digit):
        return None
    canonical = canonical_letters(letters)
    if canonical is None:
        return None
    return f"{canonical}{digit or mark or 5}"


# A tone-marked letter as its plain letter and tone digit, the way pypinyin's
# TONE3 style writes it; a few are a letter and a combining mark (m̄, ê̄).
_MARKED_LETTERS = {
    marked: plain + str(tone)
    for plain, row in (("a", "āáǎà"), ("e", "ēéěè"), ("o", "ōóǒò"), ("i", "īíǐì"), ("u", "ūúǔù"), ("v", "ǖǘǚǜ"))
    for tone, marked in enumerate(row, 1)
}
_MARKED_LETTERS.update({"ü": "v", "ń": "n2", "ň": "n3", "ǹ": "n4", "ḿ": "m2", "ế": "ê2", "ề": "ê4"})
_MARKED_PAIRS = (("m\u0304", "m1"), ("m\u0300", "m4"), ("ê\u0304", "ê1"), ("ê\u030c", "ê3"))
_TONE_INSIDE = re.compile(r"^([a-zêü]+)([1-5])([a-zêü]*)$")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=4096)
def tone3(written: str) -> str:
    """One written syllable, tone-marked or tone-numbered, in tone-number form ("xíng" -> "xing2",
    "de" -> "de5", "lǜ" -> "lv4"), the same string for any input as pypinyin's
    `to_tone3(written, neutral_tone_with_five=True)`, without importing pypinyin (0.25 s).

    Like pypinyin, it lower-cases nothing: "Xíng" -> "Xi2ng"."""
    text = "".join(_MARKED_LETTERS.get(ch, ch) for ch in written.replace("5", ""))
    for pair, numbered in _MARKED_PAIRS:
        text = text.replace(pair, numbered)
    text = _TONE_INSIDE.sub(r"\1\3\2", text)
    tone = _DIGIT.search(text)
    if tone is None:
        if not text:
            return ""
        tone_digit = "5"
        letters = text.replace("ü", "v")
    else:
        tone_digit = tone.group()
        letters = _DIGIT.sub("", text).replace("ü", "v")
    # pypinyin puts the digit after the letter that carries the mark, then moves a digit
    # that stands between letters to the end; a syllable it cannot parse keeps it inside.
    at = _mark_index(letters)
    at = len(letters) - 1 if at is None else at
    spelled = letters[: at + 1] + tone_digit + letters[at + 1 :]
    return _TONE_INSIDE.sub(r"\1\3\2", spelled)


def _mark_index(letters: str) -> int | None:
    """Where a tone mark goes in toneless `letters` (v for ü), by the rule pypinyin follows."""
    for group, carrier in (("iou", "u"), ("uei", "i"), ("uen", "u")):
        if group in letters:
            return letters.index(carrier)
    for vowel in "aoe":
        if vowel in letters:
            return letters.index(vowel)
    for pair in ("iu", "ui"):
        if pair in letters:
            return letters.index(pair) + 1
    for letter in "iuvünmê":
        if letter in letters:
            return letters.index(letter)
    return None


@lru_cache(maxsize=None)
def readings_of(char: str) -> frozenset[str]:
    """The tone-number readings pypinyin's dictionary lists for one character."""
    packed = _syllable_table().get(char) if len(char) == 1 else None
    return frozenset(packed.split()) if packed else frozenset()
