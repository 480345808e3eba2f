"""One clean line -> Sentences, with clause boundaries."""
from __future__ import annotations

from ..model import Hint, Sentence, SourcePosition

END_MARKS = frozenset("。！？!?…｡.．")
CLAUSE_MARKS = frozenset("，；：、,;:﹐﹑﹔﹕")
CLOSERS = frozenset("”’」』）)】》〉］]｝}〕〗〙〛»›")
_STRAIGHT_QUOTES = frozenset("\"'")
# ASCII marks that also sit inside numbers: 35.2%, 1,166, 8:30.
_NUMERIC_MARKS = frozenset(".．,:")
# Title marks and brackets: a sentence never ends inside a pair (《摔跤吧！爸爸》, （笑！）).
# Quotes are not among them: `她说：“我很好。”然后走了。` is two sentences.
PAIRS = {"《": "》", "〈": "〉", "（": "）", "(": ")", "【": "】", "［": "］", "[": "]", "〔": "〕", "〖": "〗", "｛": "｝", "{": "}"}
_CLOSERS_OF_PAIRS = frozenset(PAIRS.values())
_TITLE_MARKS = frozenset("《〈")  # a work's name, never a sentence of its own


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


def _outer_pairs(text: str) -> dict[int, int]:
    """Offset of each outermost closed pair's opener -> its closer; an opener never closed is plain text."""
    pairs: dict[int, int] = {}
    open_at: list[int] = []
    for index, char in enumerate(text):
        if char in PAIRS:
            open_at.append(index)
        elif char in _CLOSERS_OF_PAIRS:
            # the innermost opener this closer matches; openers inside it that never closed are dropped
            depth = next((d for d in range(len(open_at) - 1, -1, -1) if PAIRS[text[open_at[d]]] == char), None)
            if depth is not None:
                begin = open_at[depth]
                del open_at[depth:]
                if not open_at:
                    pairs[begin] = index
    return pairs


def _ends_here(text: str, index: int) -> bool:
    return text[index] in END_MARKS and not _inside_number(text, index)


def _past_end(text: str, index: int, start: int) -> int:
    """Past the end marks at index, the closing marks after them, and an end mark after those (`……”。`)."""
    while index < len(text) and _ends_here(text, index):
        while index < len(text) and _ends_here(text, index):
            index += 1
        index = _after_closers(text, index, start)
    return index


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence in a line, whitespace around them left out.

    A sentence never ends inside title marks or brackets; a bracketed sentence
    that stands alone (`（完。）下一句。`) ends where its bracket closes.
    """
    spans: list[tuple[int, int]] = []
    pairs = _outer_pairs(text)
    start = index = 0
    while index < len(text):
        close = pairs.get(index)
        if close is not None:
            alone = text[index] not in _TITLE_MARKS and not text[start:index].strip() and text[close - 1] in END_MARKS
            index = close + 1
            if alone:
                index = _past_end(text, _after_closers(text, index, start), start)
                spans.append((start, index))
                start = index
        elif _ends_here(text, index):
            index = _past_end(text, index, start)
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
            h.moved(lambda offset: offset - begin) for h in hints if begin <= h.start < end
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
