"""Unambiguous homophones: for each syllable and tone, a common character that reads only that way.

An engine that takes text (gtts) cannot be told how to read a polyphone, but
it can be sent a different character with the wanted sound.  The table is
built from pypinyin's character and phrase dictionaries: a candidate has one
reading in the character dictionary and no other reading in any phrase.
Among candidates the most frequent wins, frequency being the summed counts of
the words in jieba's dictionary that contain the character.  Only the
`COMMON_CHARACTERS` most frequent characters count as common; a syllable
without such a character has no entry.
"""
from __future__ import annotations

import functools
import os
from collections import Counter

from ..hanzi import is_han

# About the size of the 3,500-character list of commonly used characters
# (现代汉语常用字表) with some slack; rarer characters would confuse a listener
# who reads the request or a voice that does not know them.
COMMON_CHARACTERS = 4000


@functools.lru_cache(maxsize=1)
def character_frequencies() -> Counter[str]:
    """Occurrences of each Han character, weighted by the counts in jieba's word list."""
    import jieba

    counts: Counter[str] = Counter()
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as words:
        for line in words:
            word, count, _ = line.split(" ", 2)
            weight = int(count)
            for character in set(word):
                counts[character] += weight
    return counts


@functools.lru_cache(maxsize=None)
def _tone_number(marked: str) -> str:
    from pypinyin.contrib.tone_convert import to_tone3

    return to_tone3(marked, neutral_tone_with_five=True)


@functools.lru_cache(maxsize=1)
def _readings() -> dict[str, set[str]]:
    """Every tone-number reading pypinyin knows for each basic-plane Han character, phrases included."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    readings: dict[str, set[str]] = {}
    for codepoint, marked in pinyin_dict.items():
        character = chr(codepoint)
        if is_han(character):
            readings[character] = {_tone_number(r) for r in marked.split(",")}
    for phrase, syllables in phrases_dict.items():
        if len(phrase) != len(syllables):
            continue
        for character, options in zip(phrase, syllables):
            if character in readings:
                readings[character].update(_tone_number(r) for r in options)
    return readings


def reading_count(character: str) -> int:
    """How many readings pypinyin knows for `character` (0 when it knows none)."""
    return len(_readings().get(character, ()))


@functools.lru_cache(maxsize=1)
def homophone_table() -> dict[str, str]:
    """Tone-number syllable -> the most frequent common character whose only reading it is."""
    frequencies = character_frequencies()
    ranked = [c for c, _ in frequencies.most_common() if is_han(c)]
    common = set(ranked[:COMMON_CHARACTERS])
    table: dict[str, str] = {}
    for character, readings in _readings().items():
        if len(readings) != 1 or character not in common:
            continue
        (syllable,) = readings
        best = table.get(syllable)
        if best is None or (frequencies[character], best) > (frequencies[best], character):
            table[syllable] = character
    return table


def homophone(syllable: str) -> str | None:
    """A common character that reads only `syllable` (tone-number form, e.g. "hang2"), or None."""
    return homophone_table().get(syllable)
