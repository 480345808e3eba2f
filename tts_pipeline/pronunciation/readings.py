"""Syllables and the readings a character can have.

Syllables are kept in tone-number form ("xing2", "lve4", neutral "de5"); the
tone-marked form is only for people to read.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from ..model import Token

from .once import load_once, stored_table

_DISTRIBUTIONS = ("pypinyin", "g2pM")


@lru_cache(maxsize=4096)
def numbered(marked: str) -> str:
    """A tone-marked dictionary syllable ("lǜ", "de") in tone-number form ("lv4", "de5")."""
    from pypinyin.contrib.tone_convert import to_tone3

    return to_tone3(marked, neutral_tone_with_five=True)


@lru_cache(maxsize=4096)
def marked(syllable: str) -> str:
    """A tone-number syllable ("lve4", "de5") with tone marks ("lüè", "de")."""
    found = _marks().get(syllable)
    if found is not None:
        return found
    if syllable[-2:-1] == "r" and syllable[-1:] in "12345":  # erhua as shown (nar3): the syllable's marks, then r
        without = syllable[:-2] + syllable[-1]
        plain = _marks().get(without)
        if plain is not None and plain != without:  # a vowel took the mark (not "p1")
            return plain + "r"
    from pypinyin.contrib.tone_convert import to_tone

    return to_tone(syllable)


def marked_line(syllables: str) -> str:
    return " ".join(marked(s) for s in syllables.split())


# Dictionaries and the context model often print the tone 一 and 不 change
# to before another syllable (一个 yí gè, 不是 bú shì); tokens carry the
# citation tone, as Token's contract says, and the surface tone is the
# engine front end's business.
_SANDHI = {("一", "yi2"): "yi1", ("一", "yi4"): "yi1", ("不", "bu2"): "bu4"}


def citation(char: str, syllable: str) -> str:
    """`syllable` as read out of context: 一 yí/yì -> yī, 不 bú -> bù; any other is returned as is."""
    return _SANDHI.get((char, syllable), syllable)


def toneless(syllable: str) -> str:
    return syllable[:-1] if syllable[-1:].isdigit() else syllable


def same_but_neutral(a: str, b: str) -> bool:
    """True when two syllables differ only in that one of them is in the neutral tone (tóu / tou)."""
    return a != b and toneless(a) == toneless(b) and ("5" in (a[-1], b[-1]))


def is_erhua_token(text: str, pinyin: str | None) -> bool:
    """Whether a token is the erhua 儿 (哪儿, 一会儿): the resolver and annotations read it er5."""
    return text == "儿" and pinyin == "er5"


def shown_syllables(tokens: Iterable[Token]) -> list[tuple[Token, str | None]]:
    """Each token with the syllables shown for it, in tone numbers: as read, except that the erhua
    儿 is written as the r of the syllable before it (哪儿 -> nar3, 一会儿 -> yi1 huir4), as
    dictionaries and textbooks write it, and yields no pair of its own. Every pinyin line is
    built from these pairs."""
    shown: list[tuple[Token, str | None]] = []
    for token in tokens:
        if is_erhua_token(token.text, token.pinyin) and shown and shown[-1][1]:
            before, syllables = shown[-1]
            head, _, last = syllables.rpartition(" ")
            last = last[:-1] + "r" + last[-1] if last[-1:].isdigit() else last + "r"
            shown[-1] = (before, f"{head} {last}" if head else last)
            continue
        shown.append((token, token.pinyin))
    return shown


def _readings_from_dictionaries(char: str, listed: str | None, model_readings: tuple[str, ...]) -> tuple[str, ...]:
    found: list[str] = []
    if listed:
        for reading in listed.split(","):
            syllable = numbered(reading)
            if syllable not in found:
                found.append(syllable)
    for syllable in model_readings:
        if syllable not in found:
            found.append(syllable)
    return tuple(found)


@load_once
def pypinyin_char_dict() -> dict[int, str]:
    """pypinyin's character dictionary {code point: "reading,reading"}, equal to
    `pypinyin.pinyin_dict.pinyin_dict`, read without importing the pypinyin package,
    whose __init__ also loads its phrase dictionary (0.2-0.3 s)."""
    import sys

    loaded = sys.modules.get("pypinyin.pinyin_dict")
    if loaded is not None:
        return loaded.pinyin_dict
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")  # finds the package without running it
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
        try:
            return {int(code): readings for code, readings in json.loads(path.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError):
            pass  # another layout than pypinyin 0.55's: import it
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


def _build_char_table() -> tuple[dict[str, str], dict]:
    from .context_model import context_model

    pinyin_dict = pypinyin_char_dict()

    model_readings = context_model().all_readings
    chars = {chr(code) for code in pinyin_dict} | set(model_readings)
    table = {
        char: " ".join(_readings_from_dictionaries(char, pinyin_dict.get(ord(char)), model_readings.get(char, ())))
        for char in chars
    }
    return table, {}


@load_once
def _char_table():
    """char -> its readings, space-separated, as char_readings returns them."""
    return stored_table("chars", "str", _DISTRIBUTIONS, _build_char_table)


def _build_marks() -> tuple[dict[str, str], dict]:
    from pypinyin.contrib.tone_convert import to_tone

    bases = {toneless(s) for readings in _char_table().values() for s in readings.split()}
    return {base + tone: to_tone(base + tone) for base in bases for tone in "12345"}, {}


@load_once
def _marks():
    """Every syllable of every character's readings in each tone, neutral included (这个 zhè ge),
    in tone-number form -> tone-marked, so that marking a syllable needs no import of pypinyin
    (0.2-0.3 s, its phrase dictionary included)."""
    return stored_table("marks", "str", _DISTRIBUTIONS, _build_marks)


@lru_cache(maxsize=65536)
def char_readings(char: str) -> tuple[str, ...]:
    """Every reading dictionaries give `char`, the most common first; () for a non-Han character.

    pypinyin's character table comes first (its first reading is the usual
    one); readings that only CC-CEDICT (through g2pM) lists are added after.
    The result for every character is stored once in a packed table.
    """
    packed = _char_table().get(char)
    return tuple(packed.split()) if packed else ()


def is_reading(char: str, syllable: str) -> bool:
    """Whether `syllable` is a reading of `char`, its neutral-tone form included."""
    readings = char_readings(char)
    return syllable in readings or (syllable.endswith("5") and any(toneless(r) == syllable[:-1] for r in readings))
