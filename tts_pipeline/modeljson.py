"""The stages' objects (model.py) as plain JSON values and back: one rule for every file that stores them.

The clip cache keeps each clip's notices and word timings, the keys file of an output folder
each sentence file's, and the pronunciation cache whole pronunciations; all
of them write `*_to_json` and read `*_from_json`. The manifest is not among
them: it shows a notice as a `WarningEntry`, a documented format of its own.

Reading raises ValueError, and only ValueError, for data that is not what
`*_to_json` writes (a missing or extra field, a wrong shape), so a reader can
tell a damaged file from a bug.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Callable, TypeVar

from .model import Hint, Notice, Pronunciation, Sentence, SourcePosition, Token, VocabularyEntry, WordTime

T = TypeVar("T")


def notice_to_json(notice: Notice) -> dict[str, Any]:
    return {**vars(notice), "position": None if notice.position is None else vars(notice.position).copy()}


def notice_from_json(data: Any) -> Notice:
    return _checked(_notice, data)


def word_to_json(word: WordTime) -> dict[str, Any]:
    return asdict(word)


def word_from_json(data: Any) -> WordTime:
    return _checked(_word, data)


def pronunciation_to_json(pronunciation: Pronunciation) -> dict[str, Any]:
    """What `asdict` gives, built field by field: asdict deep-copies every value of every token, and a
    sentence's reading is stored each time one is pronounced (a tenth of the CPU; tests/test_modeljson.py
    holds the two equal)."""
    sentence = pronunciation.sentence
    return {"sentence": {**vars(sentence),
                         "hints": tuple({**vars(h), "position": vars(h.position).copy()} for h in sentence.hints),
                         "position": vars(sentence.position).copy(),
                         "entry": None if sentence.entry is None else vars(sentence.entry).copy()},
            "tokens": tuple(vars(token).copy() for token in pronunciation.tokens),
            "notices": tuple(notice_to_json(notice) for notice in pronunciation.notices)}


def pronunciation_from_json(data: Any) -> Pronunciation:
    return _checked(_pronunciation, data)


def _checked(read: Callable[[Any], T], data: Any) -> T:
    try:
        return read(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a stored {read.__name__.strip('_')}: {type(exc).__name__}: {exc}") from exc


def _position(data: dict | None) -> SourcePosition | None:
    return None if data is None else SourcePosition(**data)


def _notice(data: dict) -> Notice:
    return Notice(**{**data, "position": _position(data.get("position"))})


def _word(data: dict) -> WordTime:
    return WordTime(**data)


def _hint(data: dict) -> Hint:
    return Hint(**{**data, "syllables": tuple(data["syllables"]), "position": _position(data["position"])})


def _sentence(data: dict) -> Sentence:
    entry = data.get("entry")
    return Sentence(**{**data, "hints": tuple(_hint(h) for h in data["hints"]),
                       "clause_ends": tuple(data["clause_ends"]), "position": _position(data["position"]),
                       "entry": None if entry is None else VocabularyEntry(**entry)})


def _pronunciation(data: dict) -> Pronunciation:
    return Pronunciation(_sentence(data["sentence"]), tuple(Token(**t) for t in data["tokens"]),
                         tuple(_notice(n) for n in data["notices"]))
