"""Numbers as Chinese words: cardinals, decimals, digit-by-digit codes, 两."""
from __future__ import annotations

from functools import lru_cache

DIGITS = "零一二三四五六七八九"
_YAO_DIGITS = "零幺二三四五六七八九"

# cn2an reads up to 16 digits; longer runs are codes, never amounts.
MAX_CARDINAL_DIGITS = 16


def digit_by_digit(digits: str, yao: bool = False) -> str:
    """Each digit on its own: 2024 -> 二零二四; with `yao`, 1 is 幺 (phone numbers)."""
    names = _YAO_DIGITS if yao else DIGITS
    return "".join(names[ord(d) - 48] for d in digits if "0" <= d <= "9")


@lru_cache(maxsize=4096)
def cardinal(digits: str) -> str:
    """An integer written in ASCII digits as a cardinal: 10001 -> 一万零一.

    cn2an does the work, except that it drops the 零 a whole zero 万-group
    calls for (100001000 is 一亿零一千, cn2an says 一亿一千), so numbers of
    亿 and above are split at 亿 here.
    """
    import cn2an  # deferred: importing it costs ~0.2 s

    if len(digits.lstrip("0")) > MAX_CARDINAL_DIGITS:
        return digit_by_digit(digits)
    value = int(digits)
    if value < 10**8:
        return cn2an.an2cn(str(value))
    high, low = divmod(value, 10**8)
    spoken = cn2an.an2cn(str(high)) + "亿"
    if low:
        if low < 10**7:
            spoken += "零"
        spoken += cn2an.an2cn(str(low))
    return spoken


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
