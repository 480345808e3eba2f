"""Reading every Han character of a sentence in context, without hints.

`resolve` asks, in order: the erhua and everyday neutral-tone words
(neutral.py), grammatical rules (grammar.py: the preposition 为 wèi before a
verb of benefit), words whose reading the dictionaries agree on, rules about
the words around a polyphone that stands alone (lone_rules.py), the usual
reading of a lone character where the model was measured to do worse, and
last the context model (`score_in_context`). benchmarks/polyphones.py
measures each reader on everyday sentences and on CPP (docs/performance.md; the layers are described in
docs/reference/readings.md).

In `score_in_context`, for a character the context model knows as a
polyphone, each of its readings gets a score: the model's log-probability,
plus `DICTIONARY_VOTE` for each phrase dictionary that reads the jieba word
it sits in that way (when no dictionary lists that word, the known word of
it that holds the character: 银行行长 -> 银行 + 行长). The model alone is right
97.4% of the time on the CPP dev split, pypinyin's dictionaries alone 87.5%;
together 98.0%. That weight and the floor under the model's probabilities
are the only parameters tuned on CPP dev. Other characters read as the
dictionaries read the word they sit in (which settles neutral tones such as
朋友 péngyou), else as their first dictionary reading. The 为 rule adds
`RULE_VOTE` there, more than the model and the dictionaries together can
give any other reading.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..hanzi import is_erhua, is_han
from .context_model import context_model
from .grammar import RuleReading, rule_readings
from .lexicon import agreed_reading, lexicon, word_allows, word_votes
from .lone_rules import DEMONSTRATIVES, NUMERAL_ENDS, lone_reading
from .neutral import FULL_BEFORE_NOUN, FULL_LONGER, SENSE_WORDS, neutral_syllable
from .readings import char_readings, citation
from .segment import split_at, tokenizer, word_tag, words

DICTIONARY_VOTE = 3.0
# The model is overconfident (会计室: kuài at 1e-24); below this probability it
# has no more say, so that three dictionaries agreeing (9 nats) always win.
PROBABILITY_FLOOR = 1e-3
# Beats the widest gap the model (floored) and three dictionary votes can open.
RULE_VOTE = 20.0

# Characters that, standing alone as a word, take one reading far more often than
# any other in everyday text, where the context model (trained on Wikipedia) was
# measured to pick another reading more often than it is right (benchmarks/polyphones.py).
LONE_READINGS = {
    "的": "de5", "了": "le5", "着": "zhe5", "都": "dou1", "没": "mei2", "好": "hao3", "少": "shao3",
    "教": "jiao1", "差": "cha4", "还": "hai2", "要": "yao4", "便": "bian4", "更": "geng4",
    "难": "nan2", "发": "fa1", "数": "shu3", "背": "bei1", "尽": "jin4",
    "累": "lei4", "切": "qie1", "削": "xiao1", "降": "jiang4", "薄": "bao2",
}
# Characters whose lone-word rules are not asked when they sit in a word the dictionaries list.
LISTED_STAYS = frozenset("的地")


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


def _piece_holding(word: str, offset: int) -> tuple[str, int] | None:
    """The known word of two or more characters, among the fewest that make up `word`, that holds
    word[offset], and the offset in it; None when that character is a piece of its own.

    The word is split into the fewest words jieba or the lexicon knows
    (银行行长 -> 银行 + 行长), so that overlapping words (行行) have no say.
    """
    for first, last in _pieces(word):
        if first <= offset < last:
            return (word[first:last], offset - first) if last - first > 1 else None
    return None


def _part_votes(text: str, start: int, end: int, position: int) -> dict[str, int]:
    """Votes for the character at `position` from the part of the unlisted word text[start:end] that holds it."""
    piece = _piece_holding(text[start:end], position - start)
    return word_votes(*piece) if piece else {}


def resolve(
    text: str, spans: list[tuple[int, int]] | None = None, rules: dict[int, RuleReading] | None = None
) -> dict[int, Resolved]:
    """The reading of every Han character of `text`, by offset.

    `spans` are the word boundaries (segment.words(text) when not given),
    `rules` what grammar.rule_readings decides (computed when not given).
    A character is read by the first of these that decides it:

    1. the erhua 儿 ending a word (哪儿) is er5; a character with one reading
       is read in the neutral tone in an everyday neutral-tone word (neutral.py);
    2. a grammatical rule (grammar.py), source "rule";
    3. a word of fixed reading that holds it (`fixed_reading`), source "lexicon";
    4. a rule about the words around a character standing alone, or cut out of
       a word jieba joined (lone_rules.py), source "rule";
    5. for a character standing alone as a word, its usual reading where the
       context model was measured to do worse (LONE_READINGS), source "default";
    6. the context model with the dictionaries' votes (`score_in_context`), which
       is asked only about what the layers above leave.
    """
    if spans is None:
        spans = words(text)
    if rules is None:
        rules = rule_readings(text, spans)
    decided = _everyday_layers(text, spans, rules)
    result = score_in_context(text, spans, rules, skip=decided)
    result.update(decided)
    return result


def _everyday_layers(text: str, spans: list[tuple[int, int]], rules: dict[int, RuleReading]) -> dict[int, Resolved]:
    """What layers 1-5 of `resolve` decide, by offset."""
    decided: dict[int, Resolved] = {}
    for index, (start, end) in enumerate(spans):
        for position in range(start, end):
            char = text[position]
            readings = char_readings(char) if is_han(char) else ()
            if not readings:
                continue
            if is_erhua(text[start:end], position - start):
                decided[position] = Resolved("er5", "lexicon")  # the voice joins it to the syllable before
                continue
            neutral = _neutral(text, spans, index, position)
            if len(readings) < 2:
                if neutral is not None:
                    decided[position] = Resolved(neutral, "lexicon")
                continue
            ruled = rules.get(position)
            if ruled is not None:
                decided[position] = Resolved(ruled.pinyin, "rule")
                continue
            fixed = neutral or fixed_reading(text, start, end, position) or doubled_reading(text[start:end], position - start)
            if fixed is not None:
                decided[position] = Resolved(fixed, "lexicon")
                continue
            listed = end - start > 1 and bool(word_allows(text[start:end], position - start))
            # A listed word whose readings disagree is still a word (夺得, 取得), except where the
            # dictionaries list one sense of a phrase jieba joins (背着 bēi/bèi, 射中, 考中).
            lone = None if listed and char in LISTED_STAYS else lone_reading(text, *split_at(spans, index, position))
            if lone is not None and lone in readings:
                decided[position] = Resolved(lone, "rule")
                continue
            if not _alone(text, start, end, position):
                continue
            covered = covering_reading(text, spans, position)
            if covered is not None:
                decided[position] = Resolved(covered, "lexicon")
            elif char in LONE_READINGS:
                decided[position] = Resolved(LONE_READINGS[char], "default")
    return decided


def _alone(text: str, start: int, end: int, position: int) -> bool:
    """Whether text[position] stands alone in the word text[start:end]: it is the word, or jieba joined
    it into a word no dictionary lists and no listed part of which holds it (没少, 里教, 少雨)."""
    if end - start == 1:
        return True
    word = text[start:end]
    if word_tag(word) and position > start:
        return False  # 户数: a word jieba knows, ending in a noun morpheme the lone default would misread
    return not word_allows(word, position - start) and _piece_holding(word, position - start) is None


def _listed(text: str, start: int, end: int, position: int) -> tuple[str, int]:
    """The word that decides text[position]'s reading, and the offset in it: the jieba word
    text[start:end], or where no dictionary lists it, its listed part that holds the character
    (银行行长 -> 行长, 看不清楚 -> 清楚)."""
    word, offset = text[start:end], position - start
    if end - start > 2 and not word_allows(word, offset):
        return _piece_holding(word, offset) or (word, offset)
    return word, offset


_FULL_LONGER = tuple(sorted(FULL_LONGER))  # str.endswith takes a tuple


def _neutral(text: str, spans: list[tuple[int, int]], index: int, position: int) -> str | None:
    """The neutral-tone syllable of text[position] in its word, if it is read so (neutral.py)."""
    start, end = spans[index]
    if text[start : position + 1].endswith(_FULL_LONGER):
        return None  # 小学生, whether jieba's word or its listed part: not the xuésheng of its part 学生
    word, offset = _listed(text, start, end, position)
    if word in FULL_BEFORE_NOUN and offset == 1 and 0 < index < len(spans) - 1:
        before, after = (text[a:b] for a, b in (spans[index - 1], spans[index + 1]))
        kind = before in ("老", "好", "新", "别的", "同一") or word_tag(before).startswith(("r", "m", "q", "u"))
        if (word_tag(after).startswith("n") or after in SENSE_WORDS) and not kind:
            return None  # 地方政府, 东西走向: the other sense (not 这个地方风景很美)
    return neutral_syllable(word, offset)


def covering_reading(text: str, spans: list[tuple[int, int]], position: int) -> str | None:
    """The reading of text[position] in the words of fixed reading that hold it wherever the
    segmenter cut (休年/假 -> 年假 jià): `covering_word`'s, when at least two dictionaries list it."""
    found = covering_word(text, spans, position)
    return agreed_reading(*found) if found else None


def covering_word(text: str, spans: list[tuple[int, int]], position: int, longest: int = 4) -> tuple[str, int] | None:
    """The longest listed word of two to `longest` characters around text[position] that holds it
    with one reading, and the offset in it, when no other listed word holding it reads it otherwise;
    None when none holds it or they disagree. A word that would cut through a word jieba knows
    (破的 in 突破/的) is no candidate: only a cut jieba guessed (休年/假) may be crossed."""
    cuts = {start for start, _ in spans} | {end for _, end in spans}
    # (only the cuts the windows around `position` can begin or end at are asked about)
    guessed = {k for start, end in spans if start < position + longest and end > position - longest
               and not _known(text[start:end]) for k in range(start + 1, end)}
    best: tuple[str, int] | None = None
    agreed: set[str] = set()
    for first, last in _windows(len(text), position, longest):
        if not all(k in cuts or k in guessed for k in (first, last)):
            continue
        word = text[first:last]
        allowed = word_allows(word, position - first)
        agreed |= allowed
        if len(allowed) == 1 and (best is None or len(word) > len(best[0])):
            best = (word, position - first)
    return best if best is not None and len(agreed) == 1 else None


def _windows(length: int, position: int, longest: int):
    """(first, last) of every stretch of two to `longest` characters of a text of `length` that holds `position`."""
    for first in range(max(0, position - longest + 1), position + 1):
        for last in range(max(position + 1, first + 2), min(length, first + longest) + 1):
            yield first, last


def deciding_word(text: str, spans: list[tuple[int, int]], start: int, end: int, position: int) -> tuple[str, int]:
    """The word whose dictionary reading settles text[position], and the offset in it: the jieba word
    text[start:end] or its listed part that holds the character (`_listed`) when a dictionary lists
    it, else a listed word that holds it across jieba's cut (`covering_word`: 切实/做好 in
    切实做好), else the jieba word. The hint check asks this word, so that it reads as `resolve`."""
    word, offset = _listed(text, start, end, position)
    if word_allows(word, offset):
        return word, offset
    return covering_word(text, spans, position) or (text[start:end], position - start)


def rival_word(text: str, word: str, position: int, hinted: str, longest: int = 4) -> str | None:
    """A listed word of two to `longest` characters around text[position], other than `word`, in which
    the character reads as `hinted` (新正 zhēng against 正是 zhèng in 新正是): where two words
    overlap, the author's hint chooses between them, and the hint check does not overrule it."""
    for first, last in _windows(len(text), position, longest):
        candidate = text[first:last]
        if candidate != word and agreed_reading(candidate, position - first) == hinted:
            return candidate
    return None


def fixed_reading(text: str, start: int, end: int, position: int) -> str | None:
    """The reading the dictionaries agree on for text[position] in the word text[start:end], or in the
    listed word of it that holds the character when no dictionary lists the whole (银行行长 -> 行长).

    Agreeing means: at least two dictionaries list the word and none allows the character another
    reading there; for a name (jieba's tag nr: 曾国藩), one dictionary listing it is enough. Where
    they differ only in the neutral tone (头发 tóufa / tóufà), the word is not fixed here:
    `resolve` reads the everyday neutral-tone words (`_neutral`) before it asks this, and leaves
    the others to the context model and the dictionaries' votes. A numeral and a measure word
    (一行, 这种) are not a word of fixed reading, whatever the dictionaries list: the lone-word
    rules read them.
    """
    if end - start < 2:
        return None
    word, offset = _listed(text, start, end, position)
    if len(word) == 2 and offset == 1 and word[0] in NUMERAL_ENDS + DEMONSTRATIVES:
        return None
    return agreed_reading(word, offset, needed=1 if word_tag(word) == "nr" else 2)


def doubled_reading(word: str, offset: int) -> str | None:
    """The reading of word[offset] in a doubled word AABB (高高兴兴, 的的确确, 本本分分): that of the
    word AB it doubles, in the full tone (gāogāoxìngxìng), where the dictionaries agree on it."""
    if len(word) != 4 or word[0] != word[1] or word[2] != word[3]:
        return None
    doubled, at = word[0] + word[2], offset // 2
    allowed = {s for s in word_allows(doubled, at) if not s.endswith("5")}
    return next(iter(allowed)) if len(allowed) == 1 and sum(word_votes(doubled, at).values()) >= 2 else None


def score_in_context(
    text: str, spans: list[tuple[int, int]] | None = None, rules: dict[int, RuleReading] | None = None,
    skip=frozenset(),
) -> dict[int, Resolved]:
    """The reading of every Han character of `text` but those at the offsets in `skip`, by the context
    model and the dictionaries' votes.

    This is how every polyphone was read before the everyday layers of
    `resolve`, and how `resolve` still reads those none of its layers decides.
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
            if not is_han(char) or position in skip:
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
            listed = whole or part
            # Dictionaries that list the word and differ only in its neutral tone (部分 bùfen / bùfèn)
            # leave no other syllable to choose (not fēn).
            same = len(listed) > 1 and len({s.rstrip("12345") for s in listed}) == 1
            candidates = [(s, p) for s, p in guess.candidates if not same or s in listed] or guess.candidates
            scored = [
                (
                    math.log(max(p, PROBABILITY_FLOOR))
                    + DICTIONARY_VOTE * (whole.get(s, 0) + part.get(s, 0))
                    + (RULE_VOTE if ruled is not None and ruled.pinyin == s else 0.0),
                    s,
                )
                for s, p in candidates
            ]
            best = citation(text[position], max(scored)[1])
            result[position] = Resolved(best, "lexicon" if whole.get(best) or part.get(best) else "model")
    return result
