"""The hint policy: when an author's pinyin annotation decides a reading.

verify (default)
    The hint decides, unless the character sits in a word of two or more
    characters that every phrase dictionary listing it reads one other way,
    with no dictionary allowing a second reading of that character there:
    实行(háng) is read shíxíng and reported ("hint-overruled"). A hint that is
    no reading of its character at all is reported and set aside
    ("hint-not-a-reading"). A hint on a one-character word that contradicts
    a grammatical rule (grammar.py) is overruled too: 为(wéi)…奠定了 is the
    preposition wèi. A hint on a name or on a word no dictionary lists
    wins, and a hint that differs from the dictionary only by the neutral tone
    (势头 tóu / tou) is taken silently.
force
    Every hint is used as written. One that no dictionary lists for its
    character is still used, and reported ("hint-unlisted") so that a typo
    does not go unseen.
off
    Hints are ignored; every character is read as if unannotated.
"""
from __future__ import annotations

from dataclasses import dataclass

from .grammar import RuleReading
from .lexicon import word_allows, word_reading
from .readings import is_reading, marked, same_but_neutral

POLICIES = ("verify", "force", "off")

OVERRULED = "hint-overruled"
NOT_A_READING = "hint-not-a-reading"
UNLISTED = "hint-unlisted"
# Codes of the notices where the hint was not used as written.
REJECTED = (OVERRULED, NOT_A_READING)


@dataclass(frozen=True)
class Verdict:
    """What becomes of one hinted syllable.

    `used` is the syllable to read, or None to read the character as if it
    had no hint. `code` names the notice to give (None: nothing to report)
    and `reason` says why, for people.
    """

    used: str | None
    code: str | None = None
    reason: str = ""


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise ValueError(f"unknown hint policy {policy!r}; choose one of {', '.join(POLICIES)}")
    return policy


def judge(
    char: str, hinted: str, word: str, offset: int, policy: str = "verify", rule: RuleReading | None = None
) -> Verdict:
    """The verdict on hint `hinted` for `char`, which is word[offset] of the word it sits in.

    `rule` is what a grammatical rule decides for this character, if any.
    """
    if policy == "off":
        return Verdict(None)
    listed = is_reading(char, hinted)
    if policy == "force":
        if listed:
            return Verdict(hinted)
        return Verdict(hinted, UNLISTED, f"{marked(hinted)} is not a reading dictionaries list for {char}; used as forced")
    if not listed:
        return Verdict(None, NOT_A_READING, f"{marked(hinted)} is not a reading of {char}")
    if len(word) < 2:
        if rule is not None and not (hinted == rule.pinyin or same_but_neutral(hinted, rule.pinyin)):
            return Verdict(rule.pinyin, OVERRULED, rule.reason)
        return Verdict(hinted)
    readings = word_allows(word, offset)
    if len(readings) != 1:
        return Verdict(hinted)  # a word no dictionary lists, or one with several readings: the author decides
    (expected,) = readings
    if hinted == expected or same_but_neutral(hinted, expected):
        return Verdict(hinted)
    whole = "".join(marked(s) for s in word_reading(word) or ())
    return Verdict(expected, OVERRULED, f"{word} is always {whole}")
