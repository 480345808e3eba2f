"""Lessons as teachers write them: pinyin after its word, vocabulary lists, dialogue turns.

- `inline_hints`: pinyin written right after Han characters, without brackets, with one syllable for
  each of them (`银行 yínháng`, `换钱 huan4 qian2`) is a hint of those characters, like `银行(yínháng)`,
  but stays in the text (Hint.written_at). Toneless pinyin counts only when every syllable is a
  reading of the character it lands on (the rule annotations.segment applies to brackets).
- `vocabulary_item`: a line `[1.] 词 pinyin [part of speech] gloss`, fields separated by spaces, a tab,
  `-`, `—`, `:`, `|`, or a Markdown table row `| 词 | pinyin | pos | gloss |`, is one sentence whose
  `entry` names the fields; the numbering and table pipes are dropped like other markup.
- `speaker_labels`: a line starting with `A：`, `B:`, `甲：`, `老师：` or a name of up to four characters
  and a colon is a dialogue turn, when the file has at least two different such labels (one `注意：`
  in an article is not a dialogue).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..hanzi import HAN_CLASS, is_han
from ..model import Hint, Sentence, SourcePosition, VocabularyEntry
from . import latin
from .annotations import segment

_SEPARATOR = re.compile(r"[ \t\u3000]*[-—–:：|\t][ \t\u3000]*|[ \t\u3000]+")
_NUMBERING = re.compile(r"[ \t]*(?:\d{1,3}|[（(]\d{1,3}[)）])[.．、)）]?[ \t\u3000]+")
_WORD = re.compile(f"[{HAN_CLASS}]{{1,8}}")
_TABLE_RULE = re.compile(r"[ \t]*\|?(?:[ \t]*:?-{2,}:?[ \t]*\|)+[ \t]*(?::?-{2,}:?[ \t]*)?")
_LABEL = re.compile(r"[ \t\u3000]*(?P<label>[A-Z]|[A-Z][a-z]{1,11}|[" + HAN_CLASS + r"]{1,4})[ \t]*[：:][ \t\u3000]*")
_LONGEST_PINYIN_WORDS = 8
_PIECE = re.compile(r"[^ \t\u3000|:：—–-]+")


def inline_hints(clean: str, hints: tuple[Hint, ...], columns: tuple[int, ...], path: str,
                 line_number: int) -> tuple[Hint, ...]:
    """`hints` and a hint for every pinyin run written after the characters it reads."""
    found = list(hints)
    covered = {i for h in hints for i in range(h.start, h.end)}
    for run in latin.latin_runs(clean):
        if run.kind not in (latin.PINYIN, latin.ENGLISH):
            continue
        gap = run.start
        while gap > 0 and _SEPARATOR.fullmatch(clean, gap - 1, run.start):
            gap -= 1
        start = gap
        while start > 0 and is_han(clean[start - 1]) and start - 1 not in covered:
            start -= 1
        word = clean[start:gap]
        if not word:
            continue
        written = clean[run.start:run.end]
        hint = _hint_for(word, written, start, columns, path, line_number, run.start)
        if hint is not None:
            found.append(hint)
            covered.update(range(hint.start, hint.end))
    return tuple(sorted(found, key=lambda h: h.start))


def _hint_for(word: str, written: str, start: int, columns, path: str, line_number: int,
              at: int) -> Hint | None:
    syllables = segment(written, word)
    if syllables is None or len(syllables) != len(word):
        return None
    return Hint(start, syllables, written, SourcePosition(path, line_number, columns[at]), written_at=at)


@dataclass(frozen=True)
class VocabularyLine:
    """A vocabulary item: the text to read (numbering and pipes dropped), its columns, its entry."""

    text: str
    columns: tuple[int, ...]
    entry: VocabularyEntry
    hint: Hint


def is_table_rule(line: str) -> bool:
    """`|---|:---:|`: the line under a Markdown table's header, never read."""
    return "|" in line and _TABLE_RULE.fullmatch(line) is not None


def _table_cells(clean: str, columns: tuple[int, ...]) -> tuple[str, tuple[int, ...]] | None:
    """A table row `| a | b |` as `a b` with its columns, or None when the line is not a row."""
    stripped = clean.strip()
    if not (stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3):
        return None
    text: list[str] = []
    kept: list[int] = []
    for cell in re.finditer(r"[^|]+", clean):
        begin, end = cell.start(), cell.end()
        while begin < end and clean[begin].isspace():
            begin += 1
        while end > begin and clean[end - 1].isspace():
            end -= 1
        if begin == end:
            continue
        if text:
            text.append(" ")
            kept.append(columns[begin - 1] if begin else columns[begin])
        text.extend(clean[begin:end])
        kept.extend(columns[begin:end])
    return "".join(text), tuple(kept)


def table_row(clean: str, columns: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    """A Markdown table row without its pipes (`| a | b |` -> `a b`); any other line as it is."""
    row = _table_cells(clean, columns)
    return row if row is not None else (clean, columns)


def vocabulary_item(text: str, columns: tuple[int, ...], path: str, line_number: int) -> VocabularyLine | None:
    """The line (a table row without its pipes) as a vocabulary item, or None when it does not have that shape."""
    numbering = _NUMBERING.match(text)
    cut = numbering.end() if numbering else len(text) - len(text.lstrip())
    text, columns = text[cut:].rstrip(), columns[cut:]
    word = _WORD.match(text)
    if word is None:
        return None
    after = _SEPARATOR.match(text, word.end())
    if after is None:
        return None
    pieces = list(_PIECE.finditer(text[after.end():]))[:_LONGEST_PINYIN_WORDS]
    for count in range(1, len(pieces) + 1):
        end = after.end() + pieces[count - 1].end()
        written = text[after.end():end]
        hint = _hint_for(word.group(), written, 0, columns, path, line_number, after.end())
        if hint is not None:
            return _with_fields(text, columns, word.group(), written, end, hint)
    return None


def _with_fields(text: str, columns, word: str, pinyin: str, end: int, hint: Hint) -> VocabularyLine:
    rest = _SEPARATOR.match(text, end)
    at = rest.end() if rest else end
    pos = pos_start = pos_end = 0
    label = re.compile(r"[^\s.．|]+[.．]?").match(text, at)
    if label is not None:
        name = label.group().rstrip(".．")
        is_latin_pos = name.lower() in latin.POS_LABELS and label.group()[-1:] in ".．"
        if is_latin_pos or name in latin.POS_LABELS_ZH:
            pos_start, pos_end = at, label.end()
            after = _SEPARATOR.match(text, pos_end)
            at = after.end() if after else pos_end
    pos = text[pos_start:pos_end]
    entry = VocabularyEntry(word, pinyin, pos, text[at:].strip(), pos_start, pos_end)
    return VocabularyLine(text, tuple(columns), entry, hint)


def speaker_label(line: str) -> tuple[str, int] | None:
    """(label, length of the label with its colon and spaces) when `line` starts with one."""
    match = _LABEL.match(line)
    if match is None or match.end() >= len(line.rstrip()):
        return None
    return match.group("label"), match.end()


def dialogue_labels(lines: list[str]) -> tuple[str, ...]:
    """The labels that are speakers in this file, in the order they first speak: none unless at least two
    different ones start lines."""
    labels = tuple(dict.fromkeys(found[0] for found in map(speaker_label, lines) if found is not None))
    return labels if len(labels) >= 2 else ()


def with_speaker(sentences: list[Sentence], speakers: tuple[str, ...]) -> list[Sentence]:
    """The sentences of one line, marked as a turn of its speaker when the line starts with a speaker's label."""
    found = speaker_label(sentences[0].text) if sentences and speakers else None
    if found is None or found[0] not in speakers:
        return sentences
    speaker, label_end = found
    number = speakers.index(speaker)
    first = replace(sentences[0], speaker=speaker, speaker_number=number, label_end=label_end)
    return [first, *(replace(s, speaker=speaker, speaker_number=number) for s in sentences[1:])]


def vocabulary_sentence(item: VocabularyLine, hints: tuple[Hint, ...], path: str, line_number: int,
                        index: int) -> Sentence:
    """The one sentence a vocabulary item becomes: full stops in it (`n.`) do not split it."""
    from .sentences import clause_ends

    return Sentence(index, item.text, (item.hint,), clause_ends(item.text),
                    SourcePosition(path, line_number, item.columns[0]), entry=item.entry)
