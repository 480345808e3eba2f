"""What counts as a Han character: one rule for every stage.

A Han character is a CJK unified ideograph of any block (the URO, extensions
A to H), a compatibility ideograph, or 〇 (U+3007, the ideographic zero of
二〇二四年). The parser lets a hint annotate exactly these; the pronouncer
gives each a reading; the engines treat each as one spoken syllable.
"""
from __future__ import annotations

import functools
import re

_RANGES = (
    (0x4E00, 0x9FFF),  # unified ideographs
    (0x3400, 0x4DBF),  # extension A
    (0x20000, 0x3134F),  # extensions B to H
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x3007, 0x3007),  # 〇
)


# The same ranges as a regular-expression character class body, for patterns.
HAN_CLASS = "".join(f"\\U{low:08x}-\\U{high:08x}" if low != high else f"\\U{low:08x}" for low, high in _RANGES)
_HAN = re.compile(f"[{HAN_CLASS}]")


def is_han(char: str) -> bool:
    """Whether the one-character string `char` is a Han character (asked for every character the pronouncer
    reads, so by one compiled character class rather than a loop over the ranges)."""
    return _HAN.fullmatch(char) is not None


def simplified(text: str) -> str:
    """`text` in simplified characters, one character for one, for reading it: 我們去銀行 -> 我们去银行.

    The dictionaries, the segmenter and the context model know simplified
    Chinese, so traditional text (Taiwan, Hong Kong, older books) is read in its
    simplified form while every text shown keeps the author's characters.
    OpenCC's Taiwan-to-simplified conversion is used (its phrase tables settle
    著 as 着 in 說著 and as 著 in 著名); where a phrase would change the length,
    the characters are converted one by one, so offsets stay offsets. Text
    that is already simplified (`_written_simplified`: more characters only
    simplified script writes, such as 这, than ones only traditional script
    writes) is returned as it is: a character that is both a traditional form
    and a simplified character of its own (閤 for 合, and 阁 in 北閤) is then
    the author's.
    """
    if text.isascii():
        return text
    converter = _converter("tw2s")
    converted = converter.convert(text)
    if converted != text and _written_simplified(text, converted):
        return text  # 北閤 in simplified text is 阁, not the 合 that 閤 stands for in traditional text
    if len(converted) != len(text):
        singles = [converter.convert(char) for char in text]
        converted = "".join(new if len(new) == 1 else old for old, new in zip(text, singles))
    return _ZHU.sub("着", converted)


# 著 that OpenCC leaves after a verb (背著書包, 划著小船) is the particle 着; zhù is in its words (著名,
# 显著, 名著 …), which the lookarounds keep.
_ZHU = re.compile(f"(?<=[{HAN_CLASS}])(?<![显土卓昭原名巨编译遗专论新拙合大所撰著])著(?!(?:[名作称述录者]|书(?!包)))")


def _written_simplified(text: str, converted: str) -> bool:
    """Whether `text` is simplified Chinese: more of its characters are ones only simplified script
    writes (the traditional-to-simplified conversion `converted` keeps them, the other way changes
    them: 这) than ones only traditional script writes (the conversion changes them: 這), or as many.
    Both scripts write some of the first kind (台 beside 臺 in Taiwan) and simplified text some of the
    second (閤 beside 阁, and 著 in 专著, which the conversion would make 着), so a tie keeps the text
    as written."""
    back = _converter("s2tw").convert(text)
    if len(back) != len(text) or len(converted) != len(text):
        return False
    simplified_only = sum(a == b != c for a, b, c in zip(text, converted, back))
    traditional_only = sum(a != b for a, b in zip(text, converted))
    return simplified_only >= max(1, traditional_only)


@functools.lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


# Words ending in 儿 where 儿 is its own syllable ("child"), not the erhua suffix.
FULL_ER_WORDS = frozenset({
    "女儿", "婴儿", "孤儿", "幼儿", "健儿", "胎儿", "宠儿", "少儿", "男儿", "患儿",
    "孩儿", "乳儿", "育儿", "弃儿", "小儿", "新生儿", "混血儿", "侄儿", "孙儿",
    "病儿", "托儿", "产儿", "早产儿", "残疾儿", "留守儿",
})


def is_erhua(word: str, offset: int) -> bool:
    """Whether word[offset] is the erhua suffix 儿 (哪儿, 一会儿, 玩儿), not the syllable ér (女儿, 儿子, 幼儿园):
    儿 ending a word of two or more characters that is not, and does not end in, a word of FULL_ER_WORDS."""
    return (
        word[offset] in "儿兒" and offset == len(word) - 1 and len(word) > 1
        and not any(word.endswith(w) for w in FULL_ER_WORDS)
    )
