"""Quantities and ranges of them: a number with its sign, currency, percent sign, unit or magnitude (-¥3.5万,
25℃, 5.2%, 5-8k), and a bare digit run whose Han context decides how it is read (a year, a phone number, a code,
a count with 两)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import tables as T
from .context import LETTERS, START, Context, Reading
from .words import MAX_CARDINAL_DIGITS, cardinal, decimal, digit_by_digit, plain_number, two_digits, with_liang

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?")
# Between two numbers: a range (3-5, 3——5, 3 - 5), or a score.
_RANGE_DASH = re.compile(r"——|[-~—–〜]| (?:——|[-~—–〜]) ")
# A currency code and the amount after it (USD 5, HK$12.5), or after the amount (5 USD).
CODE_AMOUNT = re.compile(T.CURRENCY_CODE.pattern + r" ?(?=[0-9])")
_CODE_AFTER = re.compile(" ?" + T.CURRENCY_CODE.pattern)


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


class AmountRules(Context):
    """The rules for a number read as a quantity: always some reading, never None."""

    def quantities(self, i: int) -> Reading:
        first = self._quantity(i)
        end = first.end
        second = None
        folded = self.folded
        dash = _RANGE_DASH.match(folded, end)
        if dash and not self.arithmetic(end):
            dash_end = dash.end()
            if dash_end < len(folded) and (folded[dash_end].isdigit()
                                          or START.match(folded, dash_end)):
                candidate = self._quantity(dash_end)
                if candidate.number:
                    second = candidate
        if second is None:
            return Reading(i, end, self._say(first, first.end))
        whole = first.number.isdigit() and second.number.isdigit()  # a score has no decimals: 2-1.5 is a range
        if whole and (self.is_score(i, second.end, colon=False) or self._falls(first, second, dash.group().strip())):
            spoken = plain_number(first.number) + "比" + plain_number(second.number)
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
                and not self.before(first.start).endswith("第") and not self.counts(second.end)
                and not self.after(second.end).startswith(_CALENDAR_AFTER))

    def _quantity(self, i: int) -> _Quantity:
        folded = self.folded
        j = i
        sign = currency = ""
        if folded[j] in "-+−":
            sign = "+" if folded[j] == "+" else "-"
            j += 1
        code = CODE_AMOUNT.match(folded, j) if folded[j:j + 1].isupper() else None
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
            if unit and not LETTERS.match(folded, unit.end()):
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
        if not letter or letter not in T.CASUAL_MAGNITUDES or LETTERS.match(self.folded, end + 1):
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
            return two_digits(digits)  # minutes: 8点05分
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


def _scaled(number: str, letter: str) -> str:
    """300w -> 三百万, 3.5w -> 三点五万, 5k -> 五千, 2.5k -> 两千五百 (a k amount said as the number it is)."""
    if letter == "w":
        return decimal(number) + "万"
    whole, _, fraction = number.partition(".")
    if len(fraction) > 3:
        return decimal(number) + "千"
    return cardinal((whole + fraction.ljust(3, "0")).lstrip("0") or "0")
