"""Numbers as Chinese words: cardinals, decimals, digit-by-digit codes, 两."""
from __future__ import annotations

from functools import lru_cache

DIGITS = "零一二三四五六七八九"
_YAO_DIGITS = "零幺二三四五六七八九"

# cn2an reads up to 16 digits; longer runs are codes, never amounts.
MAX_CARDINAL_DIGITS = 16


class UnreadNumber(ValueError):
    """A number these words cannot say; normalize then reads its digits one by one, with a notice."""


def digit_by_digit(digits: str, yao: bool = False) -> str:
    """Each digit on its own: 2024 -> 二零二四; with `yao`, 1 is 幺 (phone numbers)."""
    names = _YAO_DIGITS if yao else DIGITS
    return "".join(names[ord(d) - 48] for d in digits if "0" <= d <= "9")


@lru_cache(maxsize=4096)
def cardinal(digits: str) -> str:
    """An integer written in ASCII digits as a cardinal: 10001 -> 一万零一.

    The words are cn2an's (an2cn) up to 亿, written here because importing
    cn2an costs ~0.2 s; from 亿 up the number is split at 亿, since cn2an
    drops the 零 a whole zero 万-group calls for (100001000 is 一亿零一千,
    cn2an says 一亿一千).
    """
    if len(digits.lstrip("0")) > MAX_CARDINAL_DIGITS:
        return digit_by_digit(digits)
    value = int(digits)
    if value < 10**8:
        return below_yi(value)
    high, low = divmod(value, 10**8)
    spoken = below_yi(high) + "亿"
    if low:
        if low < 10**7:
            spoken += "零"
        spoken += below_yi(low)
    return spoken


_PLACES = ("千", "百", "十", "")


def below_yi(value: int) -> str:
    """0 <= value < 10**8 in words, as cn2an.an2cn(str(value)) says it: 10 -> 十, 110 -> 一百一十,
    10010 -> 一万零一十, 10001000 -> 一千万一千 (no 零 before a 千 after 万)."""
    if not 0 <= value < 10**8:
        raise UnreadNumber(f"{value} is not below 亿")
    if value == 0:
        return DIGITS[0]
    wan, rest = divmod(value, 10**4)
    spoken = _group(wan) + "万" if wan else ""
    if rest:
        if wan and rest < 1000:
            spoken += DIGITS[0]
        spoken += _group(rest)
    return spoken[1:] if spoken.startswith("一十") else spoken


def _group(value: int) -> str:
    """1 <= value <= 9999 in words, a run of inner zeros read as one 零, trailing zeros unread."""
    words: list[str] = []
    zero = False
    for place, digit in zip(_PLACES, f"{value:04d}"):
        if digit == "0":
            zero = bool(words)
            continue
        if zero:
            words.append(DIGITS[0])
            zero = False
        words.append(DIGITS[ord(digit) - 48] + place)
    return "".join(words)


def decimal(number: str) -> str:
    """'3.14' -> 三点一四; an integer string reads as a cardinal."""
    whole, _, fraction = number.partition(".")
    spoken = cardinal(whole or "0")
    if fraction:
        spoken += "点" + digit_by_digit(fraction)
    return spoken


def with_liang(spoken: str, alone: bool) -> str:
    """Swap a leading 二 for 两 where Mandarin says 两.

    Before 千, 万 and 亿 at the head of a number (2000 -> 两千, 2.5万 stays
    二点五万); and for a bare 2 when `alone` says a measure word follows
    (2个 -> 两个). 二百 stays: both are heard, and 二百 is the reading
    broadcasters use.
    """
    if not spoken.startswith("二"):
        return spoken
    if spoken == "二":
        return "两" if alone else spoken
    if spoken[1] in "千万亿":
        return "两" + spoken[1:]
    return spoken


def plain_number(digits: str) -> str:
    """A number read as a number, no 两: scores, ratios, fractions."""
    if len(digits) > 1 and digits[0] == "0":
        return digit_by_digit(digits)
    return cardinal(digits)


def two_digits(digits: str) -> str:
    """Minutes and seconds: 05 -> 零五, 30 -> 三十."""
    if len(digits) == 2 and digits[0] == "0":
        return "零" + digit_by_digit(digits[1])
    return cardinal(digits)
