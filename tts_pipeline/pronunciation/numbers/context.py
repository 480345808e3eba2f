"""What every number rule reads: the text around a run, and the questions the rules ask of it.

`Reading` is what a rule gives: how to say a stretch of the text. `Context` holds one line twice, as written
and with full-width forms folded to ASCII (offsets are the same in both), and answers what the date, shape and
amount rules (calendar.py, shapes.py, amounts.py) share: is this a sign, is this arithmetic, a score, an amount.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...hanzi import HAN_CLASS
from . import tables as T


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


# Where a run to be spoken may begin: a digit or letter, a currency sign or operator before one, a power.
START = re.compile(r"[0-9A-Za-z]|[¥￥$€£₩₹](?=[0-9])|(?:[<>]=|[-+~—–〜/×*÷=−≠<>≤≥≈±])(?= ?[0-9A-Za-z])|[²³]"
                   r"|/(?=[" + HAN_CLASS + "])")
# A number and one or two characters after it (5万, 3.5元): a dash or slash that
# follows them joins two amounts (5万-10万, 元/吨).
_COUNTED = re.compile(r"\d[" + HAN_CLASS + "]{1,2}")
LETTERS = re.compile(r"[A-Za-z]+")
ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# What may stand on either side of an operator: 3 + 4, x², 5% ...
OPERAND_ENDS = ASCII_ALNUM | frozenset("²³%)")
# How far around a - or / to look for an = or comparison that makes the line arithmetic.
_EQUATION_WINDOW = 24


class Context:
    """The text a rule reads; `folded` is `text` with full-width forms made ASCII."""

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
                and not (i and folded[i - 1] in ASCII_ALNUM) and not self.counted_before(i))

    def counted_before(self, i: int) -> bool:
        """A number and one or two Han characters end at `i` (5万-, 3.5元/)."""
        return _COUNTED.fullmatch(self.folded, max(0, i - 3), i) is not None or (
            _COUNTED.fullmatch(self.folded, max(0, i - 2), i) is not None)

    def arithmetic(self, i: int) -> bool:
        """The - or / at `i` (or the space before it) sits in a line of arithmetic: an = or a comparison
        near it, with only numbers, letters, spaces and signs between (10-3=7, 10 - 3 = 7, 6/3=2)."""
        folded = self.folded
        for step in (-1, 1):
            k = i + step
            while 0 <= k < len(folded) and abs(k - i) <= _EQUATION_WINDOW:
                c = folded[k]
                if c in T.EQUATION_SIGNS:
                    return True
                if not (c in OPERAND_ENDS or c in " .+-−×*÷/"):
                    break
                k += step
        return False

    def counts(self, end: int) -> bool:
        """What follows `end` makes the number before it an amount: a unit, %, measure word or magnitude."""
        folded = self.folded
        return (folded[end:end + 1] in T.PERCENT_SIGNS or T.UNIT_PATTERN.match(folded, end) is not None
                or T.MEASURE_WORD.match(self.text, end) is not None)

    def is_score(self, start: int, end: int, colon: bool) -> bool:
        before = self.before(start).rstrip(" ")
        if before.endswith(T.SCORE_CUES_BEFORE) or any(c in before for c in T.SCORE_CUES_NEAR):
            return True
        if colon and before.endswith("以"):  # 以2:1战胜; but 以3-5人为一组 is a range
            return True
        return self.after(end).lstrip(" ").startswith(T.SCORE_CUES_AFTER)
