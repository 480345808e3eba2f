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
arithmetic, 两, 幺) are in docs/reference/numbers.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import partial

from ..hanzi import HAN_CLASS
from ..parse import latin
from .numbers import tables as T
from .numbers.letters import spell
from .numbers.words import MAX_CARDINAL_DIGITS, UnreadNumber, cardinal, decimal, digit_by_digit, with_liang


@dataclass(frozen=True)
class Reading:
    """How to say `text[start:end]`: `spoken` in hanzi; `pinyin` when hanzi can't say it; `unread` why the
    rules could not say the number, when it is read digit by digit instead (the pronounce stage tells the user)."""

    start: int
    end: int
    spoken: str
    pinyin: str | None = None
    unread: str | None = None
    latin: str | None = None  # a Latin run's kind (parse/latin.py): how the pronounce stage may speak it


# Full-width digits, letters and number symbols as ASCII, one character for
# one, so offsets in the folded text are offsets in the original.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
_FOLD.update({ord(a): ord(b) for a, b in zip("％．－＋／～：＄＝＜＞", "%.-+/~:$=<>")})

_SYMBOLS = "-+~—–〜/×*÷=−≠<>≤≥≈±²³"
_START = re.compile(r"[0-9A-Za-z]|[¥￥$€£₩₹](?=[0-9])|(?:[<>]=|[-+~—–〜/×*÷=−≠<>≤≥≈±])(?= ?[0-9A-Za-z])|[²³]"
                    r"|/(?=[" + HAN_CLASS + "])")
# A number and one or two characters after it (5万, 3.5元): a dash or slash that
# follows them joins two amounts (5万-10万, 元/吨).
_COUNTED = re.compile(r"\d[" + HAN_CLASS + "]{1,2}")
_LETTERS = re.compile(r"[A-Za-z]+")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?")
_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d|\.\d)")
_DATE_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?!\d|\.\d)")
_YEAR_MONTH = re.compile(r"(\d{4})([-/.])(\d{1,2})(?!\d|\2\d|:\d)")
_MONTH_DAY = re.compile(r"(\d{1,2})([-/])(\d{1,2})(?!\d|\2\d|[.:]\d)")
# Between two numbers: a range (3-5, 3——5, 3 - 5), or a score.
_RANGE_DASH = re.compile(r"——|[-~—–〜]| (?:——|[-~—–〜]) ")
_MONTH_ONLY = re.compile(r"\d{1,2}(?!\d|[-/.:]\d)")  # 2023.1-6: the month a range ends in
_HOUR = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?")
_HYPHENATED = re.compile(r"(\+86[- ]?|\+\d{1,3}[- ])?\d+(?:-\d+)*(?!\d|\.\d)")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_RATIO = re.compile(r"(\d+):(\d+)(?![\d:])")
_FRACTION = re.compile(r"(\d+)/(\d+)(?!\d|[/.]\d)")
_DOTTED = re.compile(r"\d+(?:\.\d+){2,}(?!\d)")
# Only a digit run followed by one of these can be a date, phone number, time...
_DIGIT_RUN = re.compile(r"\+?\d+")
_SHAPE_MARKS = frozenset("-/.: ")
_FALLBACK_RUN = re.compile(r"[-+−¥￥$€£]?\d+")
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# What may stand on either side of an operator: 3 + 4, x², 5% ...
_OPERAND_ENDS = _ASCII_ALNUM | frozenset("²³%)")
# A currency code and the amount after it (USD 5, HK$12.5), or after the amount (5 USD).
_CODE_AMOUNT = re.compile(T.CURRENCY_CODE.pattern + r" ?(?=[0-9])")
_CODE_AFTER = re.compile(" ?" + T.CURRENCY_CODE.pattern)
# A unit with a power standing alone (单位：m³).
_POWER_UNIT = re.compile(r"(?<![A-Za-z])(?:" + "|".join(re.escape(u) for u in T.UNITS if u[-1] in T.POWERS)
                         + r")(?![A-Za-z])")
# Operators read only after something they act on ("+86" is a sign, "C++" silent);
# comparisons are read before a number too (<5 小于五).
_NEEDS_LEFT = frozenset("+=×*÷−")
# How far around a - or / to look for an = or comparison that makes the line arithmetic.
_EQUATION_WINDOW = 24


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
        found = _START.search(folded, pos)
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
        amount = _CODE_AMOUNT.match(folded, i) is not None  # USD 5, HK$12.5: a number, not letters
        if i in runs and not amount:
            readings.append(_latin_reading(text, folded, runs[i]))
            pos = runs[i].end
            continue
        if head.isascii() and head.isalpha() and not amount:  # letters left after a number took the first ones
            end = _LETTERS.match(folded, i).end()
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


@dataclass(frozen=True)
class _Quantity:
    """One number with what is written around it: -¥3.5万, 25℃, 5.2%."""

    start: int
    end: int
    sign: str
    currency: str
    number: str
    suffix: str  # a percent sign or a unit key, or ""
    magnitude: str  # 万/亿 joined after a currency amount
    grouped: bool = False  # written with thousands separators: an amount, never a code


class _Context:
    """The rules for one text; `folded` is `text` with full-width forms made ASCII."""

    def __init__(self, text: str, folded: str):
        self.text = text
        self.folded = folded

    def before(self, i: int, width: int = T.CUE_WINDOW) -> str:
        return self.text[max(0, i - width):i]

    def after(self, i: int, width: int = T.CUE_WINDOW) -> str:
        return self.text[i:i + width]

    def is_sign(self, i: int) -> bool:
        """A - or + that belongs to the number after it: -5, 气温-5℃, +86."""
        folded = self.folded
        return (folded[i] in "-+−" and folded[i + 1:i + 2].isdigit()
                and not (i and folded[i - 1] in _ASCII_ALNUM) and not self._counted_before(i))

    def _counted_before(self, i: int) -> bool:
        return _COUNTED.fullmatch(self.folded, max(0, i - 3), i) is not None or (
            _COUNTED.fullmatch(self.folded, max(0, i - 2), i) is not None)

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
        if head in T.ARITHMETIC_ONLY and operand_before and self._arithmetic(i):
            return Reading(i, i + 1, T.ARITHMETIC_ONLY[head])  # 10 - 3 = 7, 6/3=2
        after_alnum = i > 0 and folded[i - 1] in _ASCII_ALNUM
        if after_alnum or not self._counted_before(i):
            return None  # COVID-19, and/or: silent
        if head in T.RANGE_DASHES:
            return Reading(i, i + 1, "到")
        if head == "/":
            unit = T.UNIT_PATTERN.match(folded, i + 1)
            if unit and not _LETTERS.match(folded, unit.end()):
                return Reading(i, unit.end(), "每" + T.UNITS[unit.group()][0])
            return Reading(i, i + 1, "每")
        return None

    def _operand_before(self, i: int) -> bool:
        """A number, letter, power or % ends right before `i`, or one space before it."""
        j = i - 1 if self.folded[i - 1:i] != " " else i - 2
        return j >= 0 and self.folded[j] in _OPERAND_ENDS

    def _arithmetic(self, i: int) -> bool:
        """The - or / at `i` (or the space before it) sits in a line of arithmetic: an = or a comparison
        near it, with only numbers, letters, spaces and signs between (10-3=7, 10 - 3 = 7, 6/3=2)."""
        folded = self.folded
        for step in (-1, 1):
            k = i + step
            while 0 <= k < len(folded) and abs(k - i) <= _EQUATION_WINDOW:
                c = folded[k]
                if c in T.EQUATION_SIGNS:
                    return True
                if not (c in _OPERAND_ENDS or c in " .+-−×*÷/"):
                    break
                k += step
        return False

    def number_at(self, i: int) -> Reading:
        meridiem = self._meridiem(i)
        if meridiem is not None:
            return meridiem
        run = _DIGIT_RUN.match(self.folded, i)
        if run is not None and self.folded[run.end():run.end() + 1] in _SHAPE_MARKS:
            dates = (self._date, self._year_month, self._month_day)
            for rule in dates + (self._hyphenated, self._dotted, self._clock, self._ratio, self._fraction):
                reading = rule(i)
                if reading is not None:
                    return self._until(reading) if rule in dates else reading
        return self._quantities(i)

    def _until(self, first: Reading) -> Reading:
        """A date and a dash and another date (2023.1-2023.6, 11/05-11/10): 到 between them."""
        folded, end = self.folded, first.end
        if folded[end:end + 1] not in T.RANGE_DASHES or not folded[end + 1:end + 2].isdigit():
            return first
        for rule in (self._date, self._year_month, partial(self._month_day, dated=True)):
            second = rule(end + 1)
            if second is not None:
                return Reading(first.start, second.end, first.spoken + "到" + second.spoken)
        month = _MONTH_ONLY.match(folded, end + 1)
        if first.spoken.endswith("月") and month and 1 <= int(month.group()) <= 12 and not self._counts(month.end()):
            return Reading(first.start, month.end(), first.spoken + "到" + _date_words(None, month.group()))
        return first

    # -- shapes recognised before plain quantities ---------------------------

    def _date(self, i: int) -> Reading | None:
        """2024-07-04 with the year first; 05-11-2023 -> 二零二三年十一月五日 with the year last, the day
        first unless only the first number can be the month (11-25-2023)."""
        m = _DATE.match(self.folded, i)
        if m:
            year, _, month, day = m.groups()
        else:
            m = _DATE_DAY_FIRST.match(self.folded, i)
            if not m:
                return None
            first, _, second, year = m.groups()
            day, month = (second, first) if int(second) > 12 else (first, second)
        if not _is_date(month, day):
            return None
        return Reading(i, m.end(), _date_words(year, month, day))

    def _year_month(self, i: int) -> Reading | None:
        """2023-11, 2023/11, 2023.11 -> 二零二三年十一月; not an amount (2023.11元, 2023.5万)."""
        m = _YEAR_MONTH.match(self.folded, i)
        if not m:
            return None
        year, mark, month = m.groups()
        earliest = 1900 if mark == "." else 1000
        if not (earliest <= int(year) <= 2099 and 1 <= int(month) <= 12) or self._counts(m.end()):
            return None
        if self.after(m.end()).startswith(T.YEAR_AFTER):
            return None  # 2008-09赛季: two years
        return Reading(i, m.end(), _date_words(year, month))

    def _month_day(self, i: int, dated: bool = False) -> Reading | None:
        """11/05, 11-05 -> 十一月五日, when a part is written with a leading 0 or a date word is near
        (截至11/5, 11-5起); else 3/4 is a fraction and 3-5 a range."""
        m = _MONTH_DAY.match(self.folded, i)
        if not m:
            return None
        month, _, day = m.groups()
        if not _is_date(month, day) or self._counts(m.end()):
            return None
        padded = any(len(part) == 2 and part[0] == "0" for part in (month, day))
        before, after = self.before(i), self.after(m.end())
        if not (dated or padded or before.endswith(T.DATE_CUES_BEFORE) or after.startswith(T.DATE_CUES_AFTER)
                or _CLOCK.match(self.folded, m.end() + 1) and self.folded[m.end():m.end() + 1] == " "):
            return None
        return Reading(i, m.end(), _date_words(None, month, day))

    def _counts(self, end: int) -> bool:
        """What follows `end` makes the number before it an amount: a unit, %, measure word or magnitude."""
        folded = self.folded
        return (folded[end:end + 1] in T.PERCENT_SIGNS or T.UNIT_PATTERN.match(folded, end) is not None
                or T.MEASURE_WORD.match(self.text, end) is not None)

    def _hyphenated(self, i: int) -> Reading | None:
        """Phone numbers and codes: 023-63862288, 400-820-8820, +86-10-12345678."""
        m = _HYPHENATED.match(self.folded, i)
        if not m:
            return None
        prefix = m.group(1) or ""
        groups = self.folded[i + len(prefix):m.end()].split("-")
        if not prefix and len(groups) == 1:
            return None
        phone_shaped = (prefix or groups[0].startswith("0") or len(groups) >= 3
                        or any(len(g) >= 5 for g in groups))
        if not phone_shaped or len(groups) == 2 and (self._is_score(i, m.end(), colon=False)
                                                     or all(len(g) <= 2 for g in groups)):  # 0-0, 05-10
            return None
        spoken = "加" + digit_by_digit(prefix, yao=True) if prefix else ""
        spoken += "".join(digit_by_digit(g, yao=True) for g in groups)
        return Reading(i, m.end(), spoken)

    def _dotted(self, i: int) -> Reading | None:
        """Version numbers and addresses: 192.168.1.1 -> 一九二点一六八点一点一."""
        m = _DOTTED.match(self.folded, i)
        if not m:
            return None
        groups = m.group().split(".")
        return Reading(i, m.end(), "点".join(digit_by_digit(g) for g in groups))

    def _clock(self, i: int) -> Reading | None:
        """8:30 -> 八点三十分, 08:05 -> 八点零五分, 8:30-9:00 as a range of times."""
        first = self._clock_time(i)
        if first is None:
            return None
        end, spoken = first
        if end < len(self.folded) and self.folded[end] in T.RANGE_DASHES:
            second = self._clock_time(end + 1)
            if second is not None:
                end, last = second
                spoken += "到" + last
        return Reading(i, end, spoken)

    def _clock_time(self, i: int) -> tuple[int, str] | None:
        m = _CLOCK.match(self.folded, i)
        if not m:
            return None
        hour, minute, second = m.groups()
        if int(hour) > 24 or int(minute) > 59 or (second and int(second) > 59):
            return None
        if self._is_score(i, m.end(), colon=True):
            return None
        return m.end(), _time_words(hour, minute, second)

    def _meridiem(self, i: int) -> Reading | None:
        """8:30 a.m. -> 上午八点三十分, 3pm -> 下午三点: the a.m./p.m. after a time said before it."""
        m = _HOUR.match(self.folded, i)
        if not m:
            return None
        mark = T.MERIDIEM.match(self.folded, m.end())
        if not mark:
            return None
        hour, minute, second = m.groups()
        if not 1 <= int(hour) <= 12 or int(minute or 0) > 59 or int(second or 0) > 59:
            return None
        spoken = T.MERIDIEM_WORDS[mark.group(1).lower()] + _time_words(hour, minute, second)
        return Reading(i, mark.end(), spoken)

    def _ratio(self, i: int) -> Reading | None:
        """Scores and ratios: 2:1 -> 二比一, 1:50000 -> 一比五万."""
        m = _RATIO.match(self.folded, i)
        if not m:
            return None
        left, right = m.groups()
        return Reading(i, m.end(), _plain(left) + "比" + _plain(right))

    def _fraction(self, i: int) -> Reading | None:
        m = _FRACTION.match(self.folded, i)
        if not m or self._arithmetic(m.end(1)):
            return None  # 6/3=2: the slash is 除以
        numerator, denominator = m.groups()
        return Reading(i, m.end(), _plain(denominator) + "分之" + _plain(numerator))

    def _is_score(self, start: int, end: int, colon: bool) -> bool:
        before = self.before(start).rstrip(" ")
        if before.endswith(T.SCORE_CUES_BEFORE) or any(c in before for c in T.SCORE_CUES_NEAR):
            return True
        if colon and before.endswith("以"):  # 以2:1战胜; but 以3-5人为一组 is a range
            return True
        return self.after(end).lstrip(" ").startswith(T.SCORE_CUES_AFTER)

    # -- quantities and ranges of them ---------------------------------------

    def _quantities(self, i: int) -> Reading:
        first = self._quantity(i)
        end = first.end
        second = None
        folded = self.folded
        dash = _RANGE_DASH.match(folded, end)
        if dash and not self._arithmetic(end):
            dash_end = dash.end()
            if dash_end < len(folded) and (folded[dash_end].isdigit()
                                          or _START.match(folded, dash_end)):
                candidate = self._quantity(dash_end)
                if candidate.number:
                    second = candidate
        if second is None:
            return Reading(i, end, self._say(first, first.end))
        if self._is_score(i, second.end, colon=False) or self._falls(first, second, dash.group().strip()):
            spoken = _plain(first.number) + "比" + _plain(second.number)
            return Reading(i, second.end, spoken)
        # What is written once at one end belongs to both: 10-20% is 百分之十到百分之二十, 5-8k 五千到八千.
        if not first.suffix and second.suffix in T.PERCENT_SIGNS:
            first = replace(first, suffix=second.suffix)
        if not first.magnitude and second.magnitude in T.CASUAL_MAGNITUDES:
            first = replace(first, magnitude=second.magnitude)
        currency = first.currency or second.currency
        spoken = self._say(replace(first, currency=""), second.end)
        if first.sign == "-" and not first.suffix and second.suffix in T.TEMPERATURE_UNITS:
            spoken = "零下" + spoken[1:]  # -5~3℃: 零下五到三摄氏度
        spoken += "到" + self._say(replace(second, currency=""), second.end)
        if currency:
            spoken += self._currency_word(currency, second.end)
        return Reading(i, second.end, spoken)

    def _falls(self, first: _Quantity, second: _Quantity, dash: str) -> bool:
        """a-b of plain one- or two-digit numbers with a >= b and nothing counted after: a range never
        falls, so it is a score (国安2-1申花, 1-1); b > a is a score only next to a score word."""
        plain = all(not (q.sign or q.currency or q.suffix or q.magnitude) and q.number.isdigit()
                    and len(q.number) <= 2 for q in (first, second))
        return (plain and dash == "-" and int(first.number) >= int(second.number)
                and not self.before(first.start).endswith("第") and not self._counts(second.end)
                and not self.after(second.end).startswith(_CALENDAR_AFTER))

    def _quantity(self, i: int) -> _Quantity:
        folded = self.folded
        j = i
        sign = currency = ""
        if folded[j] in "-+−":
            sign = "+" if folded[j] == "+" else "-"
            j += 1
        code = _CODE_AMOUNT.match(folded, j) if folded[j:j + 1].isupper() else None
        if j < len(folded) and folded[j] in T.CURRENCY_PREFIXES:
            currency = folded[j]
            j += 1
        elif code:
            currency = code.group().rstrip()
            j = code.end()
        m = _NUMBER.match(folded, j)
        if not m:
            return _Quantity(i, j, sign, currency, "", "", "")
        number = m.group().replace(",", "")
        end = m.end()
        suffix = magnitude = ""
        if end < len(folded) and folded[end] in T.PERCENT_SIGNS:
            suffix = folded[end]
            end += 1
        else:
            gap = 1 if folded[end:end + 1] == " " else 0
            unit = T.UNIT_PATTERN.match(folded, end + gap)
            if unit and not _LETTERS.match(folded, unit.end()):
                suffix = unit.group()
                end = unit.end()
            elif self._casual_magnitude(i, end):
                magnitude = folded[end].lower()  # 300w, 5k, 月薪5K
                end += 1
        code = None if currency or suffix or not folded[end:end + 2].strip().isupper() else _CODE_AFTER.match(folded, end)
        if code:  # 5 USD
            currency = code.group().lstrip()
            end = code.end()
        elif currency and not magnitude:
            k = end
            while k < len(folded) and k - end < 2 and folded[k] in T.MAGNITUDES:
                k += 1
            magnitude = folded[end:k]
            end = k
        return _Quantity(i, end, sign, currency, number, suffix, magnitude,
                         grouped="," in m.group())

    def _say(self, q: _Quantity, context_end: int) -> str:
        """`context_end`: where the Han text that decides 两 and codes begins."""
        if not q.number:
            return digit_by_digit(q.sign) or "零"
        unit = T.UNITS.get(q.suffix)
        if q.suffix in T.PERCENT_SIGNS:
            spoken = T.PERCENT_SIGNS[q.suffix] + decimal(q.number)
        elif q.magnitude in T.CASUAL_MAGNITUDES:
            spoken = with_liang(_scaled(q.number, q.magnitude), alone=True) + self._currency_word(q.currency, q.end)
        elif unit or q.currency:
            spoken = decimal(q.number)
            takes_liang = q.currency != "" or unit[1]
            if takes_liang:
                spoken = with_liang(spoken, alone=True)
            spoken += q.magnitude
            spoken += unit[0] if unit else self._currency_word(q.currency, q.end)
        elif "." in q.number:
            spoken = with_liang(decimal(q.number), alone=False)
        else:
            spoken = self._bare_integer(q, context_end)
        if q.sign == "-":
            spoken = ("零下" if q.suffix in T.TEMPERATURE_UNITS or q.suffix == "°" else "负") + spoken
        elif q.sign == "+":
            spoken = "正" + spoken
        return spoken

    def _casual_magnitude(self, start: int, end: int) -> bool:
        """A w or k right after the number at `start` stands for 万 or 千: always in lower case, in upper
        case only after a word of money or counts (月薪5K; but 4K电视, 3W功率)."""
        letter = self.folded[end:end + 1].lower()
        if not letter or letter not in T.CASUAL_MAGNITUDES or _LETTERS.match(self.folded, end + 1):
            return False
        return self.folded[end].islower() or any(cue in self.before(start) for cue in T.CASUAL_MAGNITUDE_CUES)

    def _currency_word(self, currency: str, end: int) -> str:
        """元 for ¥, 美元 for USD...; "" when there is no currency or the text says the word next (¥3.5万元)."""
        word = T.CURRENCIES.get(currency, "")
        return "" if self.text.startswith(word, end) else word

    def _bare_integer(self, q: _Quantity, context_end: int) -> str:
        """A digit run with nothing written around it: Han context decides."""
        digits = q.number
        before, after = self.before(q.start), self.after(context_end)
        if before.endswith("第"):
            return cardinal(digits)
        if q.grouped:
            return with_liang(cardinal(digits), alone=T.MEASURE_WORD.match(after) is not None)
        if (len(digits) == 4 and after.startswith(T.YEAR_AFTER)) or before.endswith(("公元", "公元前")):
            return digit_by_digit(digits)
        if len(digits) == 2 and digits[1] == "0" and after.startswith("后"):
            return digit_by_digit(digits)  # 90后 -> 九零后
        if before.endswith("点") and after.startswith("分"):
            return _two_digit(digits)  # minutes: 8点05分
        if len(digits) > MAX_CARDINAL_DIGITS or digits[0] == "0" and len(digits) > 1:
            return digit_by_digit(digits)
        measure = T.MEASURE_WORD.match(after) is not None
        if measure:
            return with_liang(cardinal(digits), alone=True)
        if len(digits) >= 3 and (_cued(before, after, T.PHONE_CUES) or before.endswith(T.PHONE_CUES_RIGHT_BEFORE)
                                 or len(digits) == 11 and digits[0] == "1"):
            return digit_by_digit(digits, yao=True)
        if len(digits) >= 3 and (self._quoted(q) or _cued(before, after, T.CODE_CUES)):
            return digit_by_digit(digits)
        if len(digits) >= 7 and not before.endswith(T.QUANTITY_CUES):
            return digit_by_digit(digits)  # a long run with no word of quantity before it is a code
        return with_liang(cardinal(digits), alone=False)

    def _quoted(self, q: _Quantity) -> bool:
        """The run is all there is between quotes: “33618” names something."""
        if q.start == 0 or q.end >= len(self.text):
            return False
        opening, closing = self.text[q.start - 1], self.text[q.end]
        return opening in T.OPENING_QUOTES and closing in T.CLOSING_QUOTES


def _cued(before: str, after: str, cues: tuple[str, ...]) -> bool:
    """A cue word right after the run, or ending at most two characters before it (电话：)."""
    if after.startswith(cues):
        return True
    for cue in cues:
        k = before.rfind(cue)
        if k >= 0 and len(before) - k - len(cue) <= 2:
            return True
    return False


# After a-b: a date or a time of day, never a score (12-10月).
_CALENDAR_AFTER = tuple("月日号时度级")


def _is_date(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _date_words(year: str | None, month: str, day: str | None = None) -> str:
    """二零二三年十一月五日: the year digit by digit, month and day as cardinals; a part not given is left out."""
    spoken = digit_by_digit(year) + "年" if year else ""
    spoken += cardinal(month.lstrip("0")) + "月"
    return spoken + (cardinal(day.lstrip("0")) + "日" if day else "")


def _time_words(hour: str, minute: str | None, second: str | None) -> str:
    """八点三十分, 八点零五分, 两点: a time of day; minutes and seconds only when there are some."""
    spoken = with_liang(cardinal(hour), alone=True) + "点"
    if minute and int(minute) or second:
        spoken += _two_digit(minute) + "分"
    if second:
        spoken += _two_digit(second) + "秒"
    return spoken


def _scaled(number: str, letter: str) -> str:
    """300w -> 三百万, 3.5w -> 三点五万, 5k -> 五千, 2.5k -> 两千五百 (a k amount said as the number it is)."""
    if letter == "w":
        return decimal(number) + "万"
    whole, _, fraction = number.partition(".")
    if len(fraction) > 3:
        return decimal(number) + "千"
    return cardinal((whole + fraction.ljust(3, "0")).lstrip("0") or "0")


def _plain(digits: str) -> str:
    """A number read as a number, no 两: scores, ratios, fractions."""
    if len(digits) > 1 and digits[0] == "0":
        return digit_by_digit(digits)
    return cardinal(digits)


def _two_digit(digits: str) -> str:
    """Minutes and seconds: 05 -> 零五, 30 -> 三十."""
    if len(digits) == 2 and digits[0] == "0":
        return "零" + digit_by_digit(digits[1])
    return cardinal(digits)


