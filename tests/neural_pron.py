"""Pronunciations for the neural engine's tests, built with jieba + pypinyin.

They follow the pronounce stage's contract (citation tones, 一 yi1 and 不 bu4,
word_start from segmentation) without depending on it.
"""
from __future__ import annotations

import jieba
from pypinyin import Style, pinyin

from tts_pipeline.model import Pronunciation, SourcePosition, Sentence, Token

CITATION = {"一": "yi1", "不": "bu4"}


def pron(text: str, readings: dict[int, str] | None = None, index: int = 0) -> Pronunciation:
    """`readings` overrides the syllable of the character at an offset (a hint)."""
    readings = readings or {}
    tokens: list[Token] = []
    offset = 0
    for word in jieba.lcut(text):
        syllables = pinyin(word, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: [None] * len(s))
        for k, char in enumerate(word):
            reading = syllables[k][0] if k < len(syllables) else None
            if reading is None or not reading[-1:].isdigit():
                reading = None
            reading = CITATION.get(char, reading) if reading else None
            reading = readings.get(offset, reading)
            source = "hint" if offset in readings else ("lexicon" if reading else "none")
            tokens.append(Token(char, reading, source, offset, char, word_start=(k == 0)))
            offset += 1
    sentence = Sentence(index, text, (), (), SourcePosition("<test>", 1, 1))
    return Pronunciation(sentence, tuple(tokens))
