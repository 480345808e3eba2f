"""The annotation grammar: `汉(hàn)`, `重庆(chóngqìng)`, `重庆（chong2 qing4）`.

A parenthetical is a hint only when its whole content reads as k pinyin
syllables and the k characters just before it are Han characters that no
earlier annotation covered; anything else stays in the text as written.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..model import Hint, SourcePosition
from ..hanzi import is_han
from .syllables import CIRCUMFLEX, DIAERESIS, TONE_MARKS, canonical_letters, readings_of

_PARENTHETICAL = re.compile(r"[(（]([^()（）]*)[)）]")
_SEPARATORS = frozenset(" \t\u3000'’‘-")
_LONGEST_SYLLABLE = 6  # zhuang, chuang, shuang
_ER = "儿兒"
_LONGEST_ANNOTATION = 160  # letters; longer parentheticals are prose, not hints


@dataclass(frozen=True)
class _Atom:
    kind: str  # "letter", "digit" or "gap"
    value: str = ""
    tone: int | None = None


@lru_cache(maxsize=8192)
def _atoms(content: str) -> tuple[_Atom, ...] | None:
    """Letters with their tone marks, tone digits and gaps; None if not pinyin-shaped."""
    atoms: list[_Atom] = []
    for ch in unicodedata.normalize("NFD", content.lower()).replace("u:", "v"):
        last = atoms[-1] if atoms else None
        if "a" <= ch <= "z":
            atoms.append(_Atom("letter", ch))
        elif ch in "012345":
            atoms.append(_Atom("digit", tone=int(ch) or 5))
        elif ch in _SEPARATORS:
            if last is not None and last.kind != "gap":
                atoms.append(_Atom("gap"))
        elif last is not None and last.kind == "letter" and ch in TONE_MARKS and last.tone is None:
            atoms[-1] = _Atom("letter", last.value, TONE_MARKS[ch])
        elif last is not None and last.kind == "letter" and ch == DIAERESIS and last.value == "u":
            atoms[-1] = _Atom("letter", "v", last.tone)
        elif last is not None and last.kind == "letter" and ch == CIRCUMFLEX and last.value == "e":
            atoms[-1] = _Atom("letter", "ê", last.tone)
        else:
            return None
    while atoms and atoms[-1].kind == "gap":
        atoms.pop()
    return tuple(atoms)


def _syllable_at(atoms: tuple[_Atom, ...], start: int, stop: int) -> tuple[tuple[str, ...], int] | None:
    """The syllable spelled by letters atoms[start:stop] (plus a tone digit right after).

    Returns its tone-number readings and the index after it. An erhua
    spelling such as nǎr or diǎnr gives two readings, the syllable and er5,
    for the character and the 儿 after it.
    """
    letters = atoms[start:stop]
    if any(a.kind != "letter" for a in letters):
        return None
    marks = [a.tone for a in letters if a.tone is not None]
    if len(marks) > 1:
        return None
    spelled = "".join(a.value for a in letters)
    canonical = canonical_letters(spelled)
    erhua = canonical is None and len(spelled) > 1 and spelled[-1] == "r" and letters[-1].tone is None
    if erhua:
        canonical = canonical_letters(spelled[:-1])
    if canonical is None:
        return None
    after = stop
    tone = marks[0] if marks else None
    if stop < len(atoms) and atoms[stop].kind == "digit":
        if tone is not None and tone != atoms[stop].tone:
            return None
        tone = atoms[stop].tone
        after = stop + 1
    reading = f"{canonical}{tone or 5}"
    return ((reading, "er5") if erhua else (reading,)), after


def _fit(reading: str, char: str) -> int:
    """2 when the syllable is a dictionary reading of char, 1 when only the tone differs."""
    readings = readings_of(char)
    if reading in readings:
        return 2
    return 1 if any(r[:-1] == reading[:-1] for r in readings) else 0


def segment(content: str, characters: str) -> tuple[str, ...] | None:
    """Read content as syllables for the last k of `characters`, or None if it is not a hint.

    Of all the ways to cut an unseparated run into syllables, the one whose
    syllables best fit the characters they land on wins, then the one with
    fewer syllables. An annotation without any tone mark or number must fit
    every character it covers and be written in lower case: `爱(AI)` is an
    acronym and `重庆(Chongqing)` a romanised name, not neutral-tone hints.
    """
    atoms = _atoms(content)
    if not atoms or not characters:
        return None
    letters = sum(a.kind == "letter" for a in atoms)
    if letters == 0 or letters > _LONGEST_ANNOTATION or atoms[0].kind != "letter":
        return None
    toneless = not any(a.tone is not None for a in atoms)
    if toneless and content != content.lower():
        return None
    return _best_cut(atoms, characters[-letters:], toneless)


def _options(atoms: tuple[_Atom, ...]) -> list[list[tuple[tuple[str, ...], int]]]:
    """The syllables that can start at each atom: (readings, index of the next syllable's first atom)."""
    options: list[list[tuple[tuple[str, ...], int]]] = []
    for start in range(len(atoms)):
        here = []
        for stop in range(start + 1, min(start + _LONGEST_SYLLABLE + 1, len(atoms)) + 1):
            syllable = _syllable_at(atoms, start, stop)
            if syllable is not None:
                readings, after = syllable
                here.append((readings, after + 1 if after < len(atoms) and atoms[after].kind == "gap" else after))
        options.append(here)
    return options


@lru_cache(maxsize=8192)
def read_syllables(content: str) -> tuple[tuple[str, ...], bool] | None:
    """Pinyin written on its own (`yínháng`, `yin2 hang2`, `Xi'an`) as tone-number syllables, with whether any
    tone was written; None when it is not pinyin. Of the ways to cut it, the one with fewest syllables wins
    (xian is xian1/xian5, not xi an). No characters check it: callers decide how far to trust a toneless run."""
    atoms = _atoms(content)
    if not atoms or atoms[0].kind != "letter" or sum(a.kind == "letter" for a in atoms) > _LONGEST_ANNOTATION:
        return None
    options = _options(atoms)

    @lru_cache(maxsize=None)
    def fewest(start: int) -> tuple[str, ...] | None:
        if start == len(atoms):
            return ()
        found = None
        for readings, after in options[start]:
            rest = fewest(after)
            if rest is not None and (found is None or len(readings) + len(rest) < len(found)):
                found = (*readings, *rest)
        return found

    syllables = fewest(0)
    if not syllables:
        return None
    return syllables, any(a.tone is not None for a in atoms)


@lru_cache(maxsize=8192)
def _best_cut(atoms: tuple[_Atom, ...], characters: str, toneless: bool) -> tuple[str, ...] | None:
    options = _options(atoms)

    @lru_cache(maxsize=None)
    def best(start: int, count: int) -> tuple[int, tuple[str, ...]] | None:
        """Best reading of atoms[start:] as exactly `count` syllables ending on characters[-1]."""
        if start == len(atoms):
            return (0, ()) if count == 0 else None
        found: tuple[int, tuple[str, ...]] | None = None
        for readings, after in options[start]:
            if count < len(readings) or (len(readings) == 2 and characters[-count + 1] not in _ER):
                continue
            fits = [_fit(r, characters[-count + i]) for i, r in enumerate(readings)]
            if toneless and 0 in fits:
                continue
            fit = sum(fits)
            rest = best(after, count - len(readings))
            if rest is not None and (found is None or fit + rest[0] > found[0]):
                found = (fit + rest[0], (*readings, *rest[1]))
        return found

    choices = []
    for count in range(1, len(characters) + 1):
        result = best(0, count)
        if result is not None:
            choices.append((result[0], -count, result[1]))
    return max(choices)[2] if choices else None


def scan_line(
    line: str, path: str = "<text>", line_number: int = 1, first_column: int = 1, unit: str = "line"
) -> tuple[str, tuple[Hint, ...], tuple[int, ...]]:
    """Remove the annotations from one line.

    Returns the clean text, the hints (offsets into the clean text) and the
    source column of every clean character; `first_column` is the column of
    line[0] in the file. `unit` says what `line_number` counts (SourcePosition).
    """
    clean: list[str] = []
    columns: list[int] = []
    hints: list[Hint] = []
    covered = 0  # clean offset up to which characters already carry a hint
    done = 0
    for match in _PARENTHETICAL.finditer(line):
        clean.extend(line[done : match.start()])
        columns.extend(range(first_column + done, first_column + match.start()))
        done = match.start()
        run = 0
        limit = min(len(clean) - covered, _LONGEST_ANNOTATION)
        while run < limit and is_han(clean[-1 - run]):
            run += 1
        syllables = segment(match.group(1), "".join(clean[len(clean) - run:])) if run else None
        if syllables is None:
            continue
        start = len(clean) - len(syllables)
        position = SourcePosition(path, line_number, first_column + match.start(), unit)
        hints.append(Hint(start, syllables, match.group(1), position))
        covered = len(clean)
        done = match.end()
    clean.extend(line[done:])
    columns.extend(range(first_column + done, first_column + len(line)))
    return "".join(clean), tuple(hints), tuple(columns)


def extract_annotations(line: str) -> tuple[str, tuple[Hint, ...]]:
    """One line -> (text without annotations, hints with offsets into that text).

    Hint positions name "<text>", line 1 and the column of the opening
    parenthesis; read_article and parse_text give the real file and line.
    """
    clean, hints, _ = scan_line(line)
    return clean, hints
