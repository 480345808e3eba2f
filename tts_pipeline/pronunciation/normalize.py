"""Spoken forms for the digits, symbols and Latin letters in a line of Chinese.

`normalize(text)` finds every run of `text` that is not plain Han text or
punctuation and must be spoken, and says how: 2024年 -> the run "2024" reads
二零二四, 5.2% -> 百分之五点二, AI -> the letters A I with the Mandarin
syllables ei1 ai1. The Han characters around a run decide its reading but
stay outside it (年 stays a character for the pronounce stage), with two
exceptions: a 万/亿 after a currency sign joins the run, so that ¥3.5万 can
read 三点五万元 in the right order, and a.m./p.m. joins the time before it
(3pm -> 下午三点).

The rules and the choices behind them (years, dates, codes, currencies,
arithmetic, 两, 幺) are in docs/reference/numbers.md. They live by kind in
numbers/: calendar.py (dates, times), shapes.py (phone numbers, codes,
versions, ratios, fractions), amounts.py (quantities and ranges), all reading
the line through numbers/context.py. The order they are tried in is decided
here, once: symbols, then `number_at`.
"""
from __future__ import annotations

import re

from ..parse import latin
from .numbers import tables as T
from .numbers.amounts import CODE_AMOUNT, AmountRules
from .numbers.calendar import CalendarRules
from .numbers.context import ASCII_ALNUM, LETTERS, OPERAND_ENDS, START, Reading
from .numbers.letters import spell
from .numbers.shapes import ShapeRules
from .numbers.words import UnreadNumber, digit_by_digit

__all__ = ["Reading", "normalize", "spoken_line"]

# Full-width digits, letters and number symbols as ASCII, one character for
# one, so offsets in the folded text are offsets in the original.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
_FOLD.update({ord(a): ord(b) for a, b in zip("％．－＋／～：＄＝＜＞", "%.-+/~:$=<>")})

_SYMBOLS = "-+~—–〜/×*÷=−≠<>≤≥≈±²³"
# Only a digit run followed by one of these can be a date, phone number, time...
_DIGIT_RUN = re.compile(r"\+?\d+")
_SHAPE_MARKS = frozenset("-/.: ")
_FALLBACK_RUN = re.compile(r"[-+−¥￥$€£]?\d+")
# A unit with a power standing alone (单位：m³).
_POWER_UNIT = re.compile(r"(?<![A-Za-z])(?:" + "|".join(re.escape(u) for u in T.UNITS if u[-1] in T.POWERS)
                         + r")(?![A-Za-z])")
# Operators read only after something they act on ("+86" is a sign, "C++" silent);
# comparisons are read before a number too (<5 小于五).
_NEEDS_LEFT = frozenset("+=×*÷−")


def normalize(text: str) -> list[Reading]:
    """Readings for every number, symbol run and Latin word in `text`, in order.

    A number the rules cannot say (UnreadNumber) is read digit by digit, its
    reading marked `unread`; any other failure is a bug and propagates.
    """
    folded = text.translate(_FOLD)
    context = _Context(text, folded)
    readings: list[Reading] = []
    runs = {run.start: run for run in latin.latin_runs(text)}
    pos = 0
    while True:
        found = START.search(folded, pos)
        i = found.start() if found else None
        latin_start = min((start for start in runs if start >= pos), default=None)
        if latin_start is not None and (i is None or latin_start <= i):
            i = latin_start
        if i is None:
            return readings
        head = folded[i]
        power_unit = _POWER_UNIT.match(folded, i)
        if power_unit:
            readings.append(Reading(i, power_unit.end(), T.UNITS[power_unit.group()][0]))
            pos = power_unit.end()
            continue
        amount = CODE_AMOUNT.match(folded, i) is not None  # USD 5, HK$12.5: a number, not letters
        if i in runs and not amount:
            readings.append(_latin_reading(text, folded, runs[i]))
            pos = runs[i].end
            continue
        if head.isascii() and head.isalpha() and not amount:  # letters left after a number took the first ones
            end = LETTERS.match(folded, i).end()
            readings.append(Reading(i, end, text[i:end], spell(folded[i:end])))
            pos = end
            continue
        if head in _SYMBOLS and not context.is_sign(i):
            reading = context.symbol_at(i)
            if reading is not None:
                readings.append(reading)
            pos = reading.end if reading is not None else i + 1
            continue
        try:
            reading = context.number_at(i)
        except UnreadNumber as exc:  # a rule's blind spot must not cost the sentence its audio
            run = _FALLBACK_RUN.match(folded, i)
            end = run.end() if run else i + 1
            reading = Reading(i, end, digit_by_digit(folded[i:end]) or "零", unread=str(exc))
        readings.append(reading)
        pos = reading.end


def spoken_line(text: str) -> str:
    """`text` with every reading put in place of what it covers (Latin words stay letters):
    "增长5.2%" -> "增长百分之五点二"."""
    parts, position = [], 0
    for reading in normalize(text):
        parts += [text[position:reading.start], reading.spoken]
        position = reading.end
    return "".join(parts) + text[position:]


def _latin_reading(text: str, folded: str, run: latin.LatinRun) -> Reading:
    """A Latin run's reading: pinyin as its syllables (spoken as homophone characters by engines that read
    characters), an abbreviation spelled, English with the spelled letters kept for --latin spell, a
    part-of-speech label with nothing. The pronounce stage picks what to use (pronunciation/lesson.py)."""
    written = text[run.start:run.end]
    if run.kind == latin.PINYIN:
        from ..engines.homophones import sounding

        characters = [sounding(s) for s in run.syllables]
        spoken = "".join(characters) if all(characters) else written
        return Reading(run.start, run.end, spoken, " ".join(run.syllables), latin=run.kind)
    if run.kind == latin.POS:
        return Reading(run.start, run.end, "", None, latin=run.kind)
    spelled = spell(_ascii_letters(folded[run.start:run.end])) or None
    if run.kind == latin.ABBREVIATION:
        return Reading(run.start, run.end, written, spelled)
    return Reading(run.start, run.end, written, spelled, latin=run.kind)


def _ascii_letters(written: str) -> str:
    """é -> e, ü -> u: the letters a speller names."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", written) if c.isascii())


class _Context(CalendarRules, ShapeRules, AmountRules):
    """The rules for one text: symbols here, numbers by their shape (calendar.py, shapes.py), else as amounts
    (amounts.py)."""

    def symbol_at(self, i: int) -> Reading | None:
        """A symbol between words or numbers: 1+1 加, 3×4 乘, 2 = 1 + 1 等于, x² 的平方, ±3 正负,
        5万-10万 到, 元/kg 每公斤; None: silent."""
        folded, head = self.folded, self.folded[i]
        operand_before = self._operand_before(i)
        operator = T.OPERATOR_PATTERN.match(folded, i)
        if head in T.POWERS:
            return Reading(i, i + 1, T.POWERS[head]) if operand_before else None
        if head == T.PLUS_MINUS:
            return Reading(i, i + 1, "正负")
        if operator is not None and (operand_before or operator.group() not in _NEEDS_LEFT
                                     and folded[operator.end():operator.end() + 2].strip()[:1].isdigit()):
            return Reading(i, operator.end(), T.OPERATORS[operator.group()])
        if head in T.ARITHMETIC_ONLY and operand_before and self.arithmetic(i):
            return Reading(i, i + 1, T.ARITHMETIC_ONLY[head])  # 10 - 3 = 7, 6/3=2
        after_alnum = i > 0 and folded[i - 1] in ASCII_ALNUM
        if after_alnum or not self.counted_before(i):
            return None  # COVID-19, and/or: silent
        if head in T.RANGE_DASHES:
            return Reading(i, i + 1, "到")
        if head == "/":
            unit = T.UNIT_PATTERN.match(folded, i + 1)
            if unit and not LETTERS.match(folded, unit.end()):
                return Reading(i, unit.end(), "每" + T.UNITS[unit.group()][0])
            return Reading(i, i + 1, "每")
        return None

    def _operand_before(self, i: int) -> bool:
        """A number, letter, power or % ends right before `i`, or one space before it."""
        j = i - 1 if self.folded[i - 1:i] != " " else i - 2
        return j >= 0 and self.folded[j] in OPERAND_ENDS

    def number_at(self, i: int) -> Reading:
        meridiem = self.meridiem(i)
        if meridiem is not None:
            return meridiem
        run = _DIGIT_RUN.match(self.folded, i)
        if run is not None and self.folded[run.end():run.end() + 1] in _SHAPE_MARKS:
            dates = (self.date, self.year_month, self.month_day)
            for rule in dates + (self.hyphenated, self.dotted, self.clock, self.ratio, self.fraction):
                reading = rule(i)
                if reading is not None:
                    return self.until(reading) if rule in dates else reading
        return self.quantities(i)
