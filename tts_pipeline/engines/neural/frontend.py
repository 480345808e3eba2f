"""From a pronounced sentence to the voice's input symbols.

The Baker corpus spells each syllable as an initial and a toned final
(`zh ong1`, zero initial `^`), joined by prosody marks: `#0` inside a prosodic
word, `#1` between words, `#2` between phrases, `#3` at clause punctuation,
`sil` at both ends.  Its pinyin labels are surface tones: 卡尔普 is labelled
ka2 er2 pu3 and 老虎 lao2 hu3, so third-tone sandhi and the tone changes of
一 and 不 are applied here to the citation tones the pronounce stage gives.
Erhua is labelled as the root syllable followed by `er5` with no mark between.

The plan is pure data (`Script`), so it can be inspected and tested without
running the model.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...hanzi import is_erhua, is_han
from ...model import Notice, Pronunciation, Token

CLAUSE_MARKS = set("，。！？；：,.!?;:…—～~")
ENUMERATION_MARKS = set("、")

# Interjections the corpus has no syllable for, spelled with its nearest ones.
# The Baker processor itself reads 嗯 (n) as `^ en`; the mapper does the same for ng.
SUBSTITUTES = {
    "n": ("^", "en"),
    "ng": ("^", "en"),
    "m": ("m", "u"),
    "hm": ("h", "en"),
    "hng": ("h", "eng"),
    "ea": ("^", "ei"),
    "ê": ("^", "ei"),
}
QUIET_SUBSTITUTES = {"n", "ng"}  # what the corpus itself did: no notice

# Numerals before which 一 keeps its first tone (一一, 一九四九); 百千万亿 do not count.
DIGITS = set("零〇一二三四五六七八九十两")
# Units and measure words that form one prosodic word with the number before them.
NUMBER_FOLLOWERS = set("年月日号时点分秒个岁元块角次人名位家条项件届天周倍米里斤吨度亿万千百")
# In a number read out (normalized), 一 changes tone only before these.
NUMBER_UNITS = set("百千万亿")
# 第一, 十一: 一 after these keeps its first tone as well.
ORDINAL_BEFORE = set("第十")

MAX_SYLLABLES = 20
"""A model call's syllable budget.  The voice was trained on short sentences and
garbles longer input: on the sample article a speech recogniser's pinyin error
rate was 4% with pieces of at most 20 syllables and 25% with 60 (docs/performance.md)."""


@dataclass(frozen=True)
class Syllable:
    """One spoken syllable on its way to the voice."""

    pinyin: str  # tone-number, as given (after sandhi: the surface tone)
    char: str  # the character it reads, "" when unknown (normalized runs)
    word: int  # index of the word it belongs to
    token: int
    erhua: bool = False
    number: bool = False  # part of a number or symbol read out

    @property
    def base(self) -> str:
        return self.pinyin[:-1]

    @property
    def tone(self) -> str:
        return self.pinyin[-1]


# A syllable on its way into a piece: the mark level before it (-1: erhua, no mark), its symbols, its token.
_Item = tuple[int, list[str], int]


@dataclass(frozen=True)
class Break:
    level: int  # 1 (word gap), 2 (enumeration comma) or 3 (clause mark)


@dataclass(frozen=True)
class Script:
    """What the voice will say: one tuple of symbols per model call."""

    pieces: tuple[tuple[str, ...], ...]
    notices: tuple[Notice, ...] = ()
    surface: tuple[str, ...] = field(default=())  # surface-tone pinyin that was spoken
    joins: tuple[int, ...] = field(default=())  # mark level (1-3) where each later piece was cut off
    # per piece, the token (index in Pronunciation.tokens) each symbol belongs to; -1 for the opening sil
    owners: tuple[tuple[int, ...], ...] = field(default=())

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(s for piece in self.pieces for s in piece)

    @property
    def syllables(self) -> int:
        return len(self.surface)


class Frontend:
    """Turns Pronunciations into Scripts for one voice's symbol table."""

    def __init__(self, symbol_to_id: dict[str, int], pinyin_dict: dict[str, list[str]],
                 max_syllables: int = MAX_SYLLABLES) -> None:
        self.symbol_to_id = symbol_to_id
        self.pinyin_dict = {k: tuple(v) for k, v in pinyin_dict.items()}
        self.max_syllables = max_syllables

    @classmethod
    def from_mapper(cls, path: Path, **options) -> "Frontend":
        mapper = json.loads(path.read_text(encoding="utf-8"))
        return cls(mapper["symbol_to_id"], mapper["pinyin_dict"], **options)

    def script(self, pron: Pronunciation) -> Script:
        notices: list[Notice] = []
        units = _units(pron, notices)
        units = apply_sandhi(units)
        clauses: list[list[_Item]] = [[]]  # per clause: (mark level before, symbols, token)
        surface: list[str] = []
        pending = 0  # strongest boundary seen since the last spoken syllable
        previous: Syllable | None = None
        for unit in units:
            if isinstance(unit, Break):
                pending = max(pending, unit.level)
                continue
            symbols = self._symbols(unit, pron, notices)
            if symbols is None:
                continue
            if previous is None:
                level = 0
            elif unit.erhua:
                level = -1
            elif pending:
                level = pending
            elif unit.word != previous.word:
                level = 1
            else:
                level = 0
            if level == 3 and clauses[-1]:
                clauses.append([])
            clauses[-1].append((level, symbols, unit.token))
            surface.append(unit.pinyin)
            previous, pending = unit, 0
        groups = [part for group in self._group(clauses) if group for part in self._balance(group)]
        rendered = [_render(group) for group in groups]
        joins = tuple(group[0][0] for group in groups[1:])
        return Script(tuple(symbols for symbols, _ in rendered), tuple(notices), tuple(surface), joins,
                      tuple(owners for _, owners in rendered))

    def _symbols(self, unit: Syllable, pron: Pronunciation, notices: list[Notice]) -> list[str] | None:
        if unit.erhua:
            return ["er5"]
        base, tone = unit.base, unit.tone
        parts = self.pinyin_dict.get(base)
        if parts is None and base.endswith("r") and base[:-1] in self.pinyin_dict and base != "er":
            initial, final = self.pinyin_dict[base[:-1]]
            return [initial, final + tone, "er5"]
        if parts is None and base in SUBSTITUTES:
            parts = SUBSTITUTES[base]
            if base not in QUIET_SUBSTITUTES:
                notices.append(_notice(pron, unit, "approximated",
                                       f"the neural voice has no syllable {unit.pinyin}; "
                                       f"said as {''.join(parts).lstrip('^')}{tone}"))
        if parts is None or f"{parts[1]}{tone}" not in self.symbol_to_id:
            notices.append(_notice(pron, unit, "unspeakable",
                                   f"the neural voice has no syllable {unit.pinyin!r}; it was left out"))
            return None
        return [parts[0], f"{parts[1]}{tone}"]

    def _group(self, clauses: list[list[_Item]]) -> list[list[_Item]]:
        """Clauses packed into pieces of at most max_syllables (a longer clause stays whole)."""
        pieces: list[list[_Item]] = [[]]
        count = 0
        for clause in clauses:
            size = sum(1 for level, *_ in clause if level >= 0)
            if pieces[-1] and count + size > self.max_syllables:
                pieces.append([])
                count = 0
            pieces[-1].extend(clause)
            count += size
        return pieces

    def _balance(self, items: list[_Item]) -> list[list[_Item]]:
        """A clause longer than max_syllables cut at word boundaries into near-equal parts."""
        starts = [i for i, (level, *_) in enumerate(items) if level >= 0]  # items that begin a syllable
        size = len(starts)
        if size <= self.max_syllables:
            return [items]
        parts = -(-size // self.max_syllables)
        cuts: list[int] = []
        for j in range(1, parts):
            ideal = j * size / parts
            low = cuts[-1] + 1 if cuts else 1
            candidates = [k for k in range(low, size) if items[starts[k]][0] >= 1] or list(range(low, size))
            best = min(candidates, key=lambda k: (abs(k - ideal), -items[starts[k]][0]))
            cuts.append(best)
        bounds = [0] + [starts[k] for k in cuts] + [len(items)]
        return [items[a:b] for a, b in zip(bounds, bounds[1:])]


def _render(group: list[_Item]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A piece's symbols, and the token each one belongs to (-1: the opening sil).

    A prosody mark and the closing sil belong to the token before them: the model
    spends their frames on that syllable's final drawing out and fading (seen on a
    spectrogram with the symbols' boundaries drawn, docs/guides/timing.md), so a
    token lasts until the next one starts."""
    out, owners = ["sil"], [-1]
    token = -1
    for index, (level, symbols, token) in enumerate(group):
        if index and level >= 0:
            out.append(f"#{level}")
            owners.append(owners[-1])
        out.extend(symbols)
        owners.extend([token] * len(symbols))
    out.append("sil")
    owners.append(token)
    return tuple(out), tuple(owners)


def _notice(pron: Pronunciation, unit: Syllable | Token, code: str, message: str) -> Notice:
    token = pron.tokens[unit.token] if isinstance(unit, Syllable) else unit
    sentence = pron.sentence
    return Notice.on(sentence, code, f"sentence {sentence.id}: {token.text!r}: {message}", text=token.text,
                     used=unit.pinyin if isinstance(unit, Syllable) else None)


def _units(pron: Pronunciation, notices: list[Notice]) -> list[Syllable | Break]:
    """Tokens as a flat list of syllables and punctuation breaks, with word indices."""
    units: list[Syllable | Break] = []
    word = -1
    tokens = pron.tokens
    for index, token in enumerate(tokens):
        if not token.pinyin:
            if token.source == "silent":
                continue
            if token.text.isspace() and 0 < index < len(tokens) - 1:
                # A space between Han runs is a headline's comma; between normalized runs a word gap.
                near_latin = tokens[index - 1].source == "normalized" or tokens[index + 1].source == "normalized"
                units.append(Break(1 if near_latin else 3))
            elif any(c in CLAUSE_MARKS for c in token.text):
                units.append(Break(3))
            elif any(c in ENUMERATION_MARKS for c in token.text):
                units.append(Break(2))
            elif any(is_han(c) or (c.isascii() and c.isalnum()) for c in token.text):
                notices.append(_notice(pron, token, "unspeakable",
                                       "no reading for it, so the neural voice left it out"))
            continue
        syllables = [s.lower().replace("ü", "v").replace("u:", "v") for s in token.pinyin.split()]
        syllables = [s if s[-1:].isdigit() else s + "5" for s in syllables]
        syllables = [s[:-1] + "5" if s.endswith("0") else s for s in syllables]
        if len(token.spoken) == len(syllables):
            chars = token.spoken
        else:
            chars = token.text if len(token.text) == len(syllables) else ""
        if word < 0 or (token.word_start and not _clings(tokens, index, syllables)):
            word += 1
        for k, syllable in enumerate(syllables):
            erhua = token.text == "儿" and _is_erhua(tokens, index, syllable)
            units.append(Syllable(syllable, chars[k] if chars else "", word, index, erhua,
                                  number=token.source == "normalized"))
    return units


def _clings(tokens: tuple[Token, ...], index: int, syllables: list[str]) -> bool:
    """Whether a token starting a word still belongs to the prosodic word before it:
    a one-syllable neutral-tone word (的, 了, 吗), or a unit after a number (7月, 2024年)."""
    token = tokens[index]
    if token.source == "normalized" or len(syllables) != 1 or not (token.text and is_han(token.text[0])):
        return False
    if syllables[0].endswith("5"):
        return True
    return index > 0 and tokens[index - 1].source == "normalized" and token.text in NUMBER_FOLLOWERS


def _is_erhua(tokens: tuple[Token, ...], index: int, syllable: str) -> bool:
    if index == 0 or not tokens[index - 1].pinyin or not syllable.startswith("er"):
        return False
    if syllable == "er5":
        return True
    if tokens[index].word_start:
        return False
    if index + 1 < len(tokens) and not tokens[index + 1].word_start and tokens[index + 1].pinyin:
        return False  # 儿 inside a word (幼儿园) is a full syllable
    start = index
    while start > 0 and not tokens[start].word_start:
        start -= 1
    word = "".join(t.text for t in tokens[start:index + 1])
    return is_erhua(word, len(word) - 1)


def apply_sandhi(units: list[Syllable | Break]) -> list[Syllable | Break]:
    """Citation tones to the surface tones the corpus was labelled with."""
    out = list(units)
    spoken = [i for i, u in enumerate(out) if isinstance(u, Syllable) and not u.erhua]

    def neighbours(pos: int) -> tuple[Syllable | None, Syllable | None]:
        i = spoken[pos]
        before = out[spoken[pos - 1]] if pos > 0 and spoken[pos - 1] == i - 1 else None
        after = out[spoken[pos + 1]] if pos + 1 < len(spoken) and _adjacent(out, i, spoken[pos + 1]) else None
        return before, after

    for pos, i in enumerate(spoken):
        unit = out[i]
        before, after = neighbours(pos)
        if unit.char == "一" and unit.pinyin == "yi1":
            out[i] = replace(unit, pinyin=_yi(unit, before, after))
        elif unit.char == "不" and unit.pinyin == "bu4" and after is not None:
            if before is not None and before.base == after.base:
                out[i] = replace(unit, pinyin="bu5")  # A不A: 是不是
            elif after.tone == "4":
                out[i] = replace(unit, pinyin="bu2")

    # Third tone before third tone rises, within a word, and after a
    # one-syllable word (很好, 我想); in a run all but the last rise.  Going
    # forwards, each syllable still sees the citation tone of the next one.
    for pos, i in enumerate(spoken):
        unit = out[i]
        _, after = neighbours(pos)
        if unit.tone != "3" or after is None or after.tone != "3":
            continue
        single = sum(1 for j in spoken if out[j].word == unit.word) == 1
        if after.word == unit.word or single:
            out[i] = replace(unit, pinyin=unit.base + "2")
    return out


def _adjacent(units: list[Syllable | Break], i: int, j: int) -> bool:
    """True when only erhua syllables stand between units i and j (no punctuation)."""
    return all(isinstance(u, Syllable) for u in units[i + 1:j + 1])


def _yi(unit: Syllable, before: Syllable | None, after: Syllable | None) -> str:
    if unit.number and (after is None or after.char not in NUMBER_UNITS):
        return "yi1"
    if after is None or after.char in DIGITS or (before is not None and before.char in ORDINAL_BEFORE):
        return "yi1"
    if before is not None and before.word == unit.word != after.word:
        return "yi1"  # 统一, 唯一: 一 ending a word
    if before is not None and before.base == after.base and before.char == after.char:
        return "yi5"  # 看一看
    if after.tone in "45":
        return "yi2"
    return "yi4"
