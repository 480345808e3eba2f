"""One clean line -> Sentences, with clause boundaries."""
from __future__ import annotations

from ..model import Hint, Sentence, SourcePosition

END_MARKS = frozenset("。！？!?…｡.．")
CLAUSE_MARKS = frozenset("，；：、,;:﹐﹑﹔﹕")
CLOSERS = frozenset("”’」』）)】》〉］]｝}〕〗〙〛»›")
_STRAIGHT_QUOTES = frozenset("\"'")
# ASCII marks that also sit inside numbers: 35.2%, 1,166, 8:30.
_NUMERIC_MARKS = frozenset(".．,:")


def _inside_number(text: str, index: int) -> bool:
    return (
        text[index] in _NUMERIC_MARKS
        and 0 < index < len(text) - 1
        and text[index - 1].isdecimal()
        and text[index + 1].isdecimal()
    )


def _after_closers(text: str, index: int, start: int) -> int:
    """Skip the closing quotes and brackets at index; a straight quote closes only an open one."""
    while index < len(text):
        char = text[index]
        if char in CLOSERS:
            index += 1
        elif char in _STRAIGHT_QUOTES and text.count(char, start, index) % 2 == 1:
            index += 1
        else:
            break
    return index


def _ends_here(text: str, index: int) -> bool:
    return text[index] in END_MARKS and not _inside_number(text, index)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence in a line, whitespace around them left out."""
    spans: list[tuple[int, int]] = []
    start = index = 0
    while index < len(text):
        if _ends_here(text, index):
            while index < len(text) and _ends_here(text, index):
                while index < len(text) and _ends_here(text, index):
                    index += 1
                # closing marks, and an end mark after them (`……”。`), belong to the sentence they close
                index = _after_closers(text, index, start)
            spans.append((start, index))
            start = index
        else:
            index += 1
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if begin < end:
            trimmed.append((begin, end))
    return trimmed


def clause_ends(text: str) -> tuple[int, ...]:
    """Offsets just after each clause mark (and any closing quote after it), the end excluded."""
    ends = []
    for index, char in enumerate(text):
        if char in CLAUSE_MARKS and not _inside_number(text, index):
            end = _after_closers(text, index + 1, 0)
            if end < len(text) and (not ends or ends[-1] != end):
                ends.append(end)
    return tuple(ends)


def split_line(
    clean: str,
    hints: tuple[Hint, ...],
    columns: tuple[int, ...],
    path: str,
    line_number: int,
    first_index: int,
    unit: str = "line",
) -> list[Sentence]:
    """The sentences of one line, numbered from first_index; `unit` says what line_number counts."""
    sentences = []
    for begin, end in sentence_spans(clean):
        text = clean[begin:end]
        own = tuple(
            Hint(h.start - begin, h.syllables, h.written, h.position) for h in hints if begin <= h.start < end
        )
        sentences.append(
            Sentence(
                index=first_index + len(sentences),
                text=text,
                hints=own,
                clause_ends=clause_ends(text),
                position=SourcePosition(path, line_number, columns[begin], unit),
            )
        )
    return sentences


def ends_sentence(text: str) -> bool:
    """Whether a line ends with sentence-ending punctuation (closing quotes aside)."""
    text = text.rstrip()
    while text and (text[-1] in CLOSERS or text[-1] in _STRAIGHT_QUOTES):
        text = text[:-1]
    return bool(text) and text[-1] in END_MARKS
