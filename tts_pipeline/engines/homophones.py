"""Unambiguous homophones: for each syllable and tone, a common character that reads only that way.

An engine that takes text (gtts, edge) cannot be told how to read a polyphone,
but it can be sent a different character with the wanted sound: `substitute`
plans the text such an engine sends for a pronounced sentence.  The table is
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
from dataclasses import dataclass

from ..hanzi import is_han
from ..model import Notice, Pronunciation

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


def plain_readings(text: str) -> list[str | None]:
    """The reading pypinyin gives each character of `text` read in context (None for non-Han).

    It stands for what a voice that reads plain text will say."""
    from pypinyin import Style, pinyin

    readings: list[str | None] = [None] * len(text)
    start = 0
    while start < len(text):
        if not is_han(text[start]):
            start += 1
            continue
        end = start
        while end < len(text) and is_han(text[end]):
            end += 1
        run = pinyin(text[start:end], style=Style.TONE3, neutral_tone_with_five=True, heteronym=False)
        if len(run) != end - start:  # characters pypinyin does not know come back grouped
            run = [pinyin(c, style=Style.TONE3, neutral_tone_with_five=True)[0] for c in text[start:end]]
        for offset, item in enumerate(run):
            reading = item[0]
            readings[start + offset] = reading if reading[-1:].isdigit() else None
        start = end
    return readings


def _same_for_text_reader(character: str, wanted: str, plain: str | None) -> bool:
    if plain is None or wanted == plain:
        return True
    # Text voices apply the tone changes of 一 and 不 and neutral tones from
    # context, and no character reads only a neutral tone, so a difference in
    # tone alone there is nothing a swap could fix.
    if wanted.rstrip("12345") == plain.rstrip("12345"):
        return character in "一不" or wanted.endswith("5")
    return False


def _spoken_targets(pronunciation: Pronunciation) -> tuple[str, list[str | None]]:
    """The sentence as a text voice should read it, and the wanted reading of each Han character in it."""
    pieces: list[str] = []
    wanted: list[str | None] = []
    for token in pronunciation.tokens:
        if token.source == "english":
            continue  # the Latin voice says it (engines/mixed.py), not the text voice
        spoken = token.spoken
        pieces.append(spoken)
        syllables = token.pinyin.split() if token.pinyin else []
        if syllables and len(syllables) == len(spoken) and all(is_han(c) for c in spoken):
            wanted.extend(syllables)
        else:
            wanted.extend([None] * len(spoken))
    return "".join(pieces), wanted


@dataclass(frozen=True)
class Substitution:
    """The text a text-reading engine sends for one sentence."""

    text: str
    swaps: tuple[tuple[int, str, str], ...] = ()  # (offset in text, original, sent)
    notices: tuple[Notice, ...] = ()


def substitute(pronunciation: Pronunciation, engine: str, service: str) -> Substitution:
    """The sentence's spoken text with each character that a plain reader would misread swapped for a homophone.

    `engine` names the notice (`<engine>-no-homophone`) for a reading no common
    character has alone; `service` is who reads the text, for its message.
    """
    original, wanted = _spoken_targets(pronunciation)
    text = list(original)
    swapped: dict[int, str] = {}
    unfixable: dict[int, str] = {}
    # A swap changes the context its neighbours are read in, so check again
    # until nothing changes (two rounds in practice).
    for _ in range(4):
        plain = plain_readings("".join(text))
        changed = False
        for i, target in enumerate(wanted):
            if target is None or i in unfixable or _same_for_text_reader(original[i], target, plain[i]):
                continue
            replacement = homophone(target)
            if replacement is None:
                unfixable[i] = plain[i] or ""
            elif text[i] != replacement:
                text[i] = replacement
                swapped[i] = replacement
                changed = True
        if not changed:
            break
    sentence = pronunciation.sentence
    notices = tuple(
        Notice(
            code=f"{engine}-no-homophone",
            message=(
                f"{sentence.position}: sentence {sentence.id}: {engine} cannot make {service} read "
                f"{original[i]} as {wanted[i]} (no common character reads only {wanted[i]}); "
                f"sent as written, {service} will likely say {said}"
            ),
            sentence=sentence.index,
            position=sentence.position,
            text=original[i],
            hint=wanted[i],
            used=said,
        )
        for i, said in sorted(unfixable.items())
    )
    swaps = tuple((i, original[i], swapped[i]) for i in sorted(swapped))
    return Substitution("".join(text), swaps, notices)


@functools.lru_cache(maxsize=1)
def _any_sounding() -> dict[str, str]:
    """Tone-number syllable -> the most frequent common character with that reading among others."""
    frequencies = character_frequencies()
    table: dict[str, str] = {}
    for character, readings in _readings().items():
        if not frequencies[character]:
            continue
        for syllable in readings:
            best = table.get(syllable)
            if best is None or (frequencies[character], best) > (frequencies[best], character):
                table[syllable] = character
    return table


def sounding(syllable: str) -> str | None:
    """A character to write `syllable` with for an engine that reads characters (pinyin written in a lesson):
    the unambiguous homophone when there is one, else the most frequent character that has the reading
    (好 for hao3; `substitute` then sends a homophone where a text voice's plain reading would differ)."""
    return homophone(syllable) or _any_sounding().get(syllable)
