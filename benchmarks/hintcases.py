"""Generated cases for the hint check: every listed word of fixed reading, annotated right and wrong.

A word of two to four Han characters holding a polyphone that at least two
phrase dictionaries read one way, and none another, is placed in carrier
sentences: alone, at the start, in the middle, at the end, and next to
words jieba joins it with (了, 的, 很, 都). Its polyphone is annotated with
each of the character's other readings (the check must flag each) and with
the right one (the check must say nothing). The words are a fixed sample
spread over the whole lexicon, so the cases are the same from run to run.

    .venv/bin/python benchmarks/polyphones.py --parts hints
"""
from __future__ import annotations

from dataclasses import dataclass

from tts_pipeline.hanzi import is_han
from tts_pipeline.pronunciation.lexicon import agreed_reading, lexicon
from tts_pipeline.pronunciation.readings import char_readings, marked, same_but_neutral

CARRIERS = (
    "{}。",
    "{}是大家常说的。",
    "今天我们谈一谈{}的问题。",
    "他说的就是{}",
    "我们都很{}了。",
)


@dataclass(frozen=True)
class HintCase:
    """One annotated sentence: the text with its hint, the word, and whether the check must flag it."""

    text: str
    word: str
    offset: int
    hint: str
    wrong: bool


def fixed_words(limit: int) -> list[tuple[str, int, str]]:
    """Up to `limit` (word, offset, reading) of fixed reading, spread evenly over the lexicon's words."""
    found = []
    for word in sorted(lexicon()):
        if not 2 <= len(word) <= 4 or not all(is_han(c) for c in word):
            continue
        for offset, char in enumerate(word):
            agreed = agreed_reading(word, offset)
            if len(char_readings(char)) > 1 and agreed:
                found.append((word, offset, agreed))
                break
    step = max(1, len(found) // limit)
    return found[::step][:limit]


def cases(limit: int) -> list[HintCase]:
    made = []
    for word, offset, right in fixed_words(limit):
        char = word[offset]
        wrong = [s for s in char_readings(char) if s != right and not same_but_neutral(s, right)]
        for carrier in CARRIERS:
            for hint, is_wrong in [(right, False)] + [(s, True) for s in wrong]:
                annotated = f"{word[: offset + 1]}({marked(hint)}){word[offset + 1 :]}"
                made.append(HintCase(carrier.format(annotated), word, offset, hint, is_wrong))
    return made


def check(case: HintCase) -> bool:
    """Whether the hint check tells the author the annotation is not read as written (overruled, or not
    a reading of the character as it is read: 騃 sì in simplified text becomes 𫘤, which has only ái)."""
    from tts_pipeline.pronunciation import pronounce_line

    return any(n.code in ("hint-overruled", "hint-not-a-reading") for n in pronounce_line(case.text).notices)
