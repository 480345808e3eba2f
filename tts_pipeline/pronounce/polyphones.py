"""Reading every Han character of a sentence in context, without hints.

For a character the context model knows as a polyphone, each of its readings
gets a score: the model's log-probability, plus `DICTIONARY_VOTE` for each
phrase dictionary that reads the jieba word it sits in that way (when no
dictionary lists that word, the known word of it that holds the character:
银行行长 -> 银行 + 行长). The model alone is right 97.4% of the time on the CPP
dev split, pypinyin's dictionaries alone 87.5%; together 98.0%
(benchmarks/polyphones.py). That weight and the floor under the model's
probabilities are the only parameters tuned on dev.

Other characters read as the dictionaries read the word they sit in (which
settles neutral tones such as 朋友 péngyou), else as their first dictionary
reading.

A grammatical rule (grammar.py: the preposition 为 wèi before a verb of
benefit) adds `RULE_VOTE`, more than the model and the dictionaries together
can give any other reading; the reading it decides counts as the model's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..hanzi import is_han
from .context_model import context_model
from .grammar import RuleReading, rule_readings
from .lexicon import lexicon, word_votes
from .readings import char_readings, citation
from .segment import tokenizer, words

DICTIONARY_VOTE = 3.0
# The model is overconfident (会计室: kuài at 1e-24); below this probability it
# has no more say, so that three dictionaries agreeing (9 nats) always win.
PROBABILITY_FLOOR = 1e-3
# Beats the widest gap the model (floored) and three dictionary votes can open.
RULE_VOTE = 20.0


@dataclass(frozen=True)
class Resolved:
    """The reading of one character and what decided it: "lexicon", "model" or "default"."""

    pinyin: str
    source: str


def _known(piece: str) -> bool:
    return bool(lexicon().get(piece)) or tokenizer().FREQ.get(piece, 0) > 0


def _pieces(word: str) -> list[tuple[int, int]]:
    """The fewest known words (shorter than `word`) and single characters that make up `word`."""
    best: list[tuple[int, int] | None] = [(0, 0)] + [None] * len(word)  # (pieces, start of last piece)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 8), end):
            if best[start] is None or (end - start > 1 and (end - start == len(word) or not _known(word[start:end]))):
                continue
            count = best[start][0] + 1
            if best[end] is None or count < best[end][0]:
                best[end] = (count, start)
    pieces = []
    end = len(word)
    while end > 0:
        start = best[end][1]
        pieces.append((start, end))
        end = start
    return pieces[::-1]


def _part_votes(text: str, start: int, end: int, position: int) -> dict[str, int]:
    """Votes for the character at `position` from the part of the unlisted word text[start:end] that holds it.

    The word is split into the fewest words jieba or the lexicon knows
    (银行行长 -> 银行 + 行长), so that overlapping words (行行) have no say.
    """
    for first, last in _pieces(text[start:end]):
        if first <= position - start < last:
            if last - first < 2:
                return {}
            return word_votes(text[start + first : start + last], position - start - first)
    return {}


def resolve(
    text: str, spans: list[tuple[int, int]] | None = None, rules: dict[int, RuleReading] | None = None
) -> dict[int, Resolved]:
    """The reading of every Han character of `text`, by offset.

    `spans` are the word boundaries (segment.words(text) when not given),
    `rules` what grammar.rule_readings decides (computed when not given).
    """
    if spans is None:
        spans = words(text)
    if rules is None:
        rules = rule_readings(text, spans)
    model = context_model()
    result: dict[int, Resolved] = {}
    polyphones: list[tuple[int, dict[str, int], dict[str, int]]] = []
    for start, end in spans:
        for position in range(start, end):
            char = text[position]
            if not is_han(char):
                continue
            whole = word_votes(text[start:end], position - start) if end - start > 1 else {}
            if model.is_polyphone(char):
                part = _part_votes(text, start, end, position) if not whole and end - start > 2 else {}
                polyphones.append((position, whole, part))
                continue
            readings = char_readings(char)
            if whole:
                best = max(whole.items(), key=lambda item: item[1])[0]
                decided = len(readings) != 1 or best != readings[0]
                result[position] = Resolved(best, "lexicon" if decided else "default")
            elif readings:
                result[position] = Resolved(readings[0], "default")
    if polyphones:
        guesses = model.guess(text, [position for position, _, _ in polyphones])
        for position, whole, part in polyphones:
            guess = guesses[position]
            ruled = rules.get(position)
            scored = [
                (
                    math.log(max(p, PROBABILITY_FLOOR))
                    + DICTIONARY_VOTE * (whole.get(s, 0) + part.get(s, 0))
                    + (RULE_VOTE if ruled is not None and ruled.pinyin == s else 0.0),
                    s,
                )
                for s, p in guess.candidates
            ]
            best = citation(text[position], max(scored)[1])
            result[position] = Resolved(best, "lexicon" if whole.get(best) or part.get(best) else "model")
    return result
