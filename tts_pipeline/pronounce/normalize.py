"""Spoken forms for the digits, symbols and Latin letters in a line of Chinese.

`normalize(text)` finds every run of `text` that is not plain Han text or
punctuation and must be spoken, and says how: 2024年 -> the run "2024" reads
二零二四, 5.2% -> 百分之五点二, AI -> the letters A I with the Mandarin
syllables ei1 ai1. The Han characters around a run decide its reading but
stay outside it (年 stays a character for the pronounce stage), with one
exception: a 万/亿 after a currency sign joins the run, so that ¥3.5万 can
read 三点五万元 in the right order.

The rules and the choices behind them (years, codes, 两, 幺) are in the
README section "Numbers, symbols and Latin letters".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..hanzi import HAN_CLASS
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


# Full-width digits, letters and number symbols as ASCII, one character for
# one, so offsets in the folded text are offsets in the original.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
_FOLD.update({ord(a): ord(b) for a, b in zip("％．－＋／～：＄−", "%.-+/~:$-")})

_SYMBOLS = "-+~—–〜/×÷="
_START = re.compile(r"[0-9A-Za-z]|[¥￥$€£](?=[0-9])|[-+~—–〜/×÷=](?=[0-9A-Za-z])|/(?=[" + HAN_CLASS + "])")
# A number and one or two characters after it (5万, 3.5元): a dash or slash that
# follows them joins two amounts (5万-10万, 元/吨).
_COUNTED = re.compile(r"\d[" + HAN_CLASS + "]{1,2}")
_LETTERS = re.compile(r"[A-Za-z]+")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?")
_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d|\.\d)")
_HYPHENATED = re.compile(r"(\+86[- ]?|\+\d{1,3}[- ])?\d+(?:-\d+)*(?!\d|\.\d)")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_RATIO = re.compile(r"(\d+):(\d+)(?![\d:])")
_FRACTION = re.compile(r"(\d+)/(\d+)(?!\d|[/.]\d)")
_DOTTED = re.compile(r"\d+(?:\.\d+){2,}(?!\d)")
# Only a digit run followed by one of these can be a date, phone number, time...
_DIGIT_RUN = re.compile(r"\+?\d+")
_SHAPE_MARKS = frozenset("-/.: ")
_OPERATORS = {"+": "加", "×": "乘", "÷": "除以", "=": "等于"}
_FALLBACK_RUN = re.compile(r"[-+¥￥$€£]?\d+")
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def normalize(text: str) -> list[Reading]:
    """Readings for every number, symbol run and Latin word in `text`, in order.

    A number the rules cannot say (UnreadNumber) is read digit by digit, its
    reading marked `unread`; any other failure is a bug and propagates.
    """
    folded = text.translate(_FOLD)
    context = _Context(text, folded)
    readings: list[Reading] = []
    pos = 0
    while True:
        found = _START.search(folded, pos)
        if found is None:
            return readings
        i = found.start()
        head = folded[i]
        if head.isascii() and head.isalpha():
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
        return (folded[i] in "-+" and folded[i + 1:i + 2].isdigit()
                and not (i and folded[i - 1] in _ASCII_ALNUM) and not self._counted_before(i))

    def _counted_before(self, i: int) -> bool:
        return _COUNTED.fullmatch(self.folded, max(0, i - 3), i) is not None or (
            _COUNTED.fullmatch(self.folded, max(0, i - 2), i) is not None)

    def symbol_at(self, i: int) -> Reading | None:
        """A symbol between words or numbers: 1+1 加, 3×4 乘, 5万-10万 到, 元/kg 每公斤; None: silent."""
        folded, head = self.folded, self.folded[i]
        after_alnum = i > 0 and folded[i - 1] in _ASCII_ALNUM
        if after_alnum and head in _OPERATORS:
            return Reading(i, i + 1, _OPERATORS[head])
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

    def number_at(self, i: int) -> Reading:
        run = _DIGIT_RUN.match(self.folded, i)
        if run is not None and self.folded[run.end():run.end() + 1] in _SHAPE_MARKS:
            for rule in (self._date, self._hyphenated, self._dotted, self._clock,
                         self._ratio, self._fraction):
                reading = rule(i)
                if reading is not None:
                    return reading
        return self._quantities(i)

    # -- shapes recognised before plain quantities ---------------------------

    def _date(self, i: int) -> Reading | None:
        m = _DATE.match(self.folded, i)
        if not m:
            return None
        year, _, month, day = m.groups()
        if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
            return None
        spoken = (digit_by_digit(year) + "年" + cardinal(month) + "月"
                  + cardinal(day) + "日")
        return Reading(i, m.end(), spoken)

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
        if not phone_shaped:
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
        spoken = with_liang(cardinal(hour), alone=True) + "点"
        if int(minute) or second:
            spoken += _two_digit(minute) + "分"
        if second:
            spoken += _two_digit(second) + "秒"
        return m.end(), spoken

    def _ratio(self, i: int) -> Reading | None:
        """Scores and ratios: 2:1 -> 二比一, 1:50000 -> 一比五万."""
        m = _RATIO.match(self.folded, i)
        if not m:
            return None
        left, right = m.groups()
        return Reading(i, m.end(), _plain(left) + "比" + _plain(right))

    def _fraction(self, i: int) -> Reading | None:
        m = _FRACTION.match(self.folded, i)
        if not m:
            return None
        numerator, denominator = m.groups()
        return Reading(i, m.end(), _plain(denominator) + "分之" + _plain(numerator))

    def _is_score(self, start: int, end: int, colon: bool) -> bool:
        before = self.before(start)
        if before.endswith(T.SCORE_CUES_BEFORE) or any(c in before for c in T.SCORE_CUES_NEAR):
            return True
        if colon and before.endswith("以"):  # 以2:1战胜; but 以3-5人为一组 is a range
            return True
        return self.after(end).startswith(T.SCORE_CUES_AFTER)

    # -- quantities and ranges of them ---------------------------------------

    def _quantities(self, i: int) -> Reading:
        first = self._quantity(i)
        end = first.end
        second = None
        folded = self.folded
        if end < len(folded) and folded[end] in T.RANGE_DASHES:
            dash_end = end + 1
            if folded[end] == "—" and folded[dash_end:dash_end + 1] == "—":
                dash_end += 1
            if dash_end < len(folded) and (folded[dash_end].isdigit()
                                          or _START.match(folded, dash_end)):
                candidate = self._quantity(dash_end)
                if candidate.number:
                    second = candidate
        if second is None:
            return Reading(i, end, self._say(first, first.end))
        if self._is_score(i, second.end, colon=False):
            spoken = _plain(first.number) + "比" + _plain(second.number)
            return Reading(i, second.end, spoken)
        # What is written once at one end belongs to both: 10-20% is 百分之十到百分之二十.
        if not first.suffix and second.suffix in T.PERCENT_SIGNS:
            first = replace(first, suffix=second.suffix)
        currency = first.currency or second.currency
        spoken = self._say(replace(first, currency=""), second.end)
        if first.sign == "-" and not first.suffix and second.suffix in T.TEMPERATURE_UNITS:
            spoken = "零下" + spoken[1:]  # -5~3℃: 零下五到三摄氏度
        spoken += "到" + self._say(replace(second, currency=""), second.end)
        if currency:
            spoken += T.CURRENCY_PREFIXES[currency]
        return Reading(i, second.end, spoken)

    def _quantity(self, i: int) -> _Quantity:
        folded = self.folded
        j = i
        sign = currency = ""
        if folded[j] in "-+":
            sign = folded[j]
            j += 1
        if j < len(folded) and folded[j] in T.CURRENCY_PREFIXES:
            currency = folded[j]
            j += 1
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
        if currency:
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
        elif unit or q.currency:
            spoken = decimal(q.number)
            takes_liang = q.currency != "" or unit[1]
            if takes_liang:
                spoken = with_liang(spoken, alone=True)
            spoken += q.magnitude
            spoken += unit[0] if unit else T.CURRENCY_PREFIXES[q.currency]
        elif "." in q.number:
            spoken = with_liang(decimal(q.number), alone=False)
        else:
            spoken = self._bare_integer(q, context_end)
        if q.sign == "-":
            spoken = ("零下" if q.suffix in T.TEMPERATURE_UNITS or q.suffix == "°" else "负") + spoken
        elif q.sign == "+":
            spoken = "正" + spoken
        return spoken

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
        if len(digits) >= 3 and (_cued(before, after, T.PHONE_CUES)
                                 or len(digits) == 11 and digits[0] == "1"):
            return digit_by_digit(digits, yao=True)
        if (len(digits) >= 7 or len(digits) >= 3
                and (self._quoted(q) or _cued(before, after, T.CODE_CUES))):
            return digit_by_digit(digits)
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


