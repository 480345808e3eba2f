"""What counts as a Han character: one rule for every stage.

A Han character is a CJK unified ideograph of any block (the URO, extensions
A to H), a compatibility ideograph, or 〇 (U+3007, the ideographic zero of
二〇二四年). The parser lets a hint annotate exactly these; the pronouncer
gives each a reading; the engines treat each as one spoken syllable.
"""
from __future__ import annotations

_RANGES = (
    (0x4E00, 0x9FFF),  # unified ideographs
    (0x3400, 0x4DBF),  # extension A
    (0x20000, 0x3134F),  # extensions B to H
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x3007, 0x3007),  # 〇
)


def is_han(char: str) -> bool:
    """Whether the one-character string `char` is a Han character."""
    code = ord(char)
    return any(low <= code <= high for low, high in _RANGES)


# The same ranges as a regular-expression character class body, for patterns.
HAN_CLASS = "".join(f"\\U{low:08x}-\\U{high:08x}" if low != high else f"\\U{low:08x}" for low, high in _RANGES)
