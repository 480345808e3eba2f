"""pronounce: a reading for every token of a sentence.

    pronounce_sentence(sentence, policy="verify") -> Pronunciation
    pronounce_article(article, policy="verify") -> Iterator[Pronunciation]
    pronounce_text(text, hints="verify") -> list[Token]

A Han character is one token; a number, symbol or Latin run that
`normalize` reads is one token (source "normalized"); punctuation and spaces
are tokens with no reading (source "none"). Han characters are read from the
author's hint when the hint policy lets it decide (hints.py), else in context
(polyphones.py). Word boundaries come from jieba, for prosody.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from ..hanzi import is_han, simplified
from ..model import Article, Notice, Pronunciation, Sentence, SourcePosition, Token
from ..parse.latin import is_letter
from .grammar import RuleReading, rule_readings
from .hints import OVERRULED, POLICIES, check_policy, judge
from .lesson import DEFAULT, LessonOptions, hints_used, latin_token, silent, silent_spans
from .polyphones import Resolved, deciding_word, resolve, rival_word
from .readings import char_readings, marked
from .segment import words

DEFAULT_LESSON = DEFAULT

__all__ = ["DEFAULT_LESSON", "LessonOptions", "POLICIES", "pronounce_article", "pronounce_sentence", "pronounce_text"]

# Codes of the notices the pronounce stage gives besides the hint checks'.
NO_READING = "no-reading"  # a Han character no dictionary reads (rare extension characters)
NUMBER_READ_DIGIT_BY_DIGIT = "number-digit-by-digit"


def _normalized(text: str) -> list:
    """normalize(text), ordered and without overlaps."""
    # Every run normalize reads holds a digit or a letter; most sentences have
    # none, and then neither normalize nor cn2an needs importing.
    if not any(c.isalnum() and not is_han(c) for c in text):
        return []
    from .normalize import normalize

    kept = []
    end = 0
    for reading in sorted(normalize(text), key=lambda r: r.start):
        if reading.start >= end and reading.end > reading.start:
            kept.append(reading)
            end = reading.end
    return kept


def _spoken_pinyin(spoken: str) -> str | None:
    resolved = resolve(spoken)
    syllables = [resolved[i].pinyin for i in sorted(resolved)]
    return " ".join(syllables) or None


def _run(text: str, start: int, belongs) -> int:
    end = start + 1
    while end < len(text) and belongs(text[end]):
        end += 1
    return end


def _hinted_readings(
    sentence: Sentence, text: str, spans: list[tuple[int, int]], policy: str, rules: dict[int, RuleReading]
) -> tuple[dict[int, Resolved], list[Notice]]:
    """The reading each hint leads to for its character, and the notices about hints not used as written.

    `text` is the sentence as it is read (hanzi.simplified), so hints on traditional characters are
    checked against the words they form in simplified script; notices name the author's character."""
    word_of: dict[int, tuple[int, int]] = {}
    for start, end in spans:
        for position in range(start, end):
            word_of[position] = (start, end)
    used: dict[int, Resolved] = {}
    notices: list[Notice] = []
    for hint in sentence.hints:
        for offset, hinted in enumerate(hint.syllables):
            position = hint.start + offset
            if not 0 <= position < len(text) or not is_han(text[position]):
                continue
            char = sentence.text[position]
            start, end = word_of.get(position, (position, position + 1))
            word, offset = deciding_word(text, spans, start, end, position)
            if len(word) > 1 and rival_word(text, word, position, hinted):
                word, offset = text[position], 0  # two words overlap here: the hint chooses (新正 in 新正是)
            verdict = judge(text[position], hinted, word, offset, policy, rules.get(position))
            if verdict.used is not None:
                # overruled by a grammatical rule: read in context, as the resolver does
                overruled_by = "model" if position in rules else "lexicon"
                used[position] = Resolved(verdict.used, overruled_by if verdict.code == OVERRULED else "hint")
            if verdict.code is not None:
                notices.append(_notice(sentence, hint.position, char, hinted, verdict))
    return used, notices


def _notice(sentence: Sentence, where: SourcePosition, char: str, hinted: str, verdict) -> Notice:
    if verdict.used is None:
        outcome = "read in context"
    else:
        outcome = f"used {marked(verdict.used)}"
    return Notice(
        code=verdict.code,
        message=f"{char}: hint {marked(hinted)}, {outcome} ({verdict.reason})",
        sentence=sentence.index,
        position=where,
        text=char,
        hint=hinted,
        used=verdict.used,
    )


def _unreadable(sentence: Sentence, offset: int) -> Notice:
    char = sentence.text[offset]
    return Notice.on(sentence, NO_READING,
                     f"{char} (U+{ord(char):04X}): no dictionary gives it a reading; it is not spoken "
                     "(annotate it to have it read)", text=char)


def _unread_notice(sentence: Sentence, run: str, reading) -> Notice:
    return Notice.on(sentence, NUMBER_READ_DIGIT_BY_DIGIT,
                     f"{run}: read digit by digit as {reading.spoken} ({reading.unread})", text=run, used=reading.spoken)


def _read_as(text: str) -> str:
    """`text` as it is read: in simplified characters, except where the simplified form is a character
    no dictionary reads and the author's one is (OpenCC maps 鑀 to the extension character 𫓧)."""
    converted = simplified(text)
    if converted == text:
        return text
    return "".join(new if new == old or char_readings(new) or not char_readings(old) else old
                   for old, new in zip(text, converted))


def pronounce_sentence(sentence: Sentence, policy: str = "verify", lesson: LessonOptions = DEFAULT) -> Pronunciation:
    """Read every token of `sentence` under hint policy `policy` ("verify", "force" or "off") and, for
    Latin runs, speaker labels and pinyin written after its word, `lesson` (pronunciation/lesson.py)."""
    check_policy(policy)
    text = sentence.text
    read_as = _read_as(text)
    spans = words(read_as)
    word_starts = {start for start, _ in spans}
    rules = rule_readings(read_as, spans)
    readings = resolve(read_as, spans, rules)
    hinted, notices = _hinted_readings(replace(sentence, hints=hints_used(sentence, lesson)), read_as, spans,
                                       policy, rules)
    readings.update(hinted)
    normalized = {r.start: r for r in _normalized(text)}
    quiet_spans = silent_spans(sentence, lesson)

    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        reading = normalized.get(i)
        quiet = next((end for start, end in quiet_spans if start == i), None)
        if quiet is not None:
            tokens.append(silent(text[i:quiet], i))
            i = quiet
        elif reading is not None and reading.latin is not None:
            token, notice = latin_token(sentence, i, reading, lesson)
            tokens.append(token)
            notices.extend([notice] if notice else [])
            i = reading.end
        elif reading is not None:
            pinyin = reading.pinyin or _spoken_pinyin(reading.spoken)
            tokens.append(Token(text[i : reading.end], pinyin, "normalized", i, reading.spoken, True))
            if reading.unread is not None:
                notices.append(_unread_notice(sentence, text[i : reading.end], reading))
            i = reading.end
        elif is_han(char):
            found = readings.get(i)
            if found is None:
                tokens.append(Token(char, None, "none", i, char, i in word_starts))
                notices.append(_unreadable(sentence, i))
            else:
                tokens.append(Token(char, found.pinyin, found.source, i, char, i in word_starts))
            i += 1
        else:
            # Latin words and digit runs that normalize did not read, and
            # single punctuation marks or spaces, are shown but not spoken.
            if is_letter(char):
                end = _run(text, i, is_letter)
            elif char.isdigit():
                end = _run(text, i, str.isdigit)
            else:
                end = i + 1
            tokens.append(Token(text[i:end], None, "none", i, text[i:end], True))
            i = end
    return Pronunciation(sentence, tuple(tokens), tuple(notices))


def pronounce_article(article: Article, policy: str = "verify", cache_dir=None,
                      lesson: LessonOptions = DEFAULT) -> Iterator[Pronunciation]:
    """Pronunciations of the article's sentences, in order, one at a time.

    With `cache_dir`, each sentence's pronunciation is kept there and read back
    on the next run, so an edit re-reads only the sentences that changed and an
    all-hit run never loads jieba or the lexicons."""
    check_policy(policy)
    stored = PronunciationCache(cache_dir) if cache_dir is not None else None
    for sentence in article.sentences():
        yield stored.pronounce(sentence, policy, lesson) if stored else pronounce_sentence(sentence, policy, lesson)


class PronunciationCache:
    """Pronunciations on disk, keyed by what a sentence says (text, hints, clause ends), the
    policy, and the fingerprint of this package's code and data and of the dictionaries' versions.

    Where the sentence stands (its index, file, line and column, and its hints') is left out of
    the key: a line added above it, or the article copied to another file, still finds it, and
    the stored pronunciation is given the sentence's own place on the way out."""

    def __init__(self, root) -> None:
        from .. import cachelayout

        self.folder = cachelayout.current(root).path(cachelayout.PRONUNCIATIONS)

    def key(self, sentence: Sentence, policy: str, lesson: LessonOptions = DEFAULT) -> str:
        from ..cachelayout import PRONUNCIATIONS
        from ..incremental import code_fingerprint, content_key

        options = () if lesson == DEFAULT else (repr(lesson),)  # keys of default builds stay what they were
        return content_key(PRONUNCIATIONS.folder, "placeless", code_fingerprint(), policy, *options,
                           repr(_placeless(sentence)))

    def pronounce(self, sentence: Sentence, policy: str, lesson: LessonOptions = DEFAULT) -> Pronunciation:
        key = self.key(sentence, policy, lesson)
        path = self.folder / key[:2] / f"{key}.json"
        found = self._load(path)
        if found is not None and _placeless(found.sentence) == _placeless(sentence):
            return _placed(found, sentence)
        pron = pronounce_sentence(sentence, policy, lesson)
        self._store(path, pron)
        return pron

    @staticmethod
    def _load(path) -> Pronunciation | None:
        """The pronunciation stored at `path`; None when there is none or the file is damaged (it is then
        read again and replaced). Any other failure is a bug or a real problem with the folder, and propagates."""
        import json

        from ..modeljson import pronunciation_from_json

        try:
            return pronunciation_from_json(json.loads(path.read_bytes()))
        except FileNotFoundError:
            return None
        except ValueError:  # truncated, not JSON, not UTF-8, or not a pronunciation
            return None

    @staticmethod
    def _store(path, pron: Pronunciation) -> None:
        import json

        from ..atomic import write_atomic
        from ..modeljson import pronunciation_to_json

        data = json.dumps(pronunciation_to_json(pron), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
        except OSError:
            pass  # a cache that cannot be written only costs time


_NOWHERE = SourcePosition("", 0, 0)


def _placeless(sentence: Sentence) -> Sentence:
    """`sentence` with its index and every source position blanked: what its reading depends on."""
    from dataclasses import replace

    hints = tuple(replace(hint, position=_NOWHERE) for hint in sentence.hints)
    return replace(sentence, index=0, position=_NOWHERE, hints=hints)


def _placed(found: Pronunciation, sentence: Sentence) -> Pronunciation:
    """A pronunciation stored for a sentence that said the same somewhere else, moved to `sentence`."""
    if found.sentence == sentence:
        return found
    from dataclasses import replace

    was = found.sentence
    moved = {was.position: sentence.position}
    moved.update((old.position, new.position) for old, new in zip(was.hints, sentence.hints))
    notices = tuple(
        replace(notice, sentence=sentence.index if notice.sentence == was.index else notice.sentence,
                position=moved.get(notice.position, notice.position))
        for notice in found.notices
    )
    return Pronunciation(sentence, found.tokens, notices)


def pronounce_text(text: str, hints: str = "verify") -> list[Token]:
    """The tokens of one line of text; pinyin annotations in it are hints."""
    return list(pronounce_line(text, hints).tokens)


def pronounce_line(text: str, hints: str = "verify", index: int = 0) -> Pronunciation:
    """Like pronounce_text, with the notices: the line becomes sentence `index`."""
    from ..parse.annotations import scan_line
    from ..parse.lesson import inline_hints

    clean, found, columns = scan_line(text, "<text>", index + 1)
    found = inline_hints(clean, found, columns, "<text>", index + 1)  # 银行 yínháng, as in an article
    sentence = Sentence(index, clean, found, (), SourcePosition("<text>", index + 1, 1))
    return pronounce_sentence(sentence, hints)
