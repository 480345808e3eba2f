"""Spoken forms of numbers, units and Latin letters, used by `pronunciation.normalize`: the words (words.py,
letters.py), the tables of units, currencies and cue words (tables.py), and the rules by kind (calendar.py,
shapes.py, amounts.py) over the line they read (context.py)."""
from .letters import LETTER_PINYIN, spell
from .words import cardinal, decimal, digit_by_digit, with_liang

__all__ = ["LETTER_PINYIN", "cardinal", "decimal", "digit_by_digit", "spell", "with_liang"]
