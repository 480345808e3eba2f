"""Spoken forms of numbers, units and Latin letters, used by `pronunciation.normalize`."""
from .letters import LETTER_PINYIN, spell
from .words import cardinal, decimal, digit_by_digit, with_liang

__all__ = ["LETTER_PINYIN", "cardinal", "decimal", "digit_by_digit", "spell", "with_liang"]
