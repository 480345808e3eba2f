"""The Markdown an article may use: headings, lists, quotes, rules, emphasis, code, links.

Markup is dropped, never read aloud; everything else is text. `#` headings
and list items (news-page bullets such as `●`, and `- ` / `* ` in plain text;
see news.py) are honoured in any file, the rest only in Markdown files.
"""
from __future__ import annotations

import re

from ..model import Hint
from .news import list_marker_end

SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")

_HEADING = re.compile(r" {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*")
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_RULE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(?P<text>.+?)(?<=\S)\1")


def classify(raw: str, markdown: bool) -> tuple[str, int, int]:
    """(kind, start, end) of a line's content; kind is blank, fence, heading, item or text."""
    if not raw.strip():
        return "blank", 0, 0
    heading = _HEADING.fullmatch(raw)
    if heading and heading.group("text").strip():
        return "heading", heading.start("text"), heading.end("text")
    if not markdown:
        if _RULE.fullmatch(raw):  # a scene break (`* * *`) is kept as written in plain text
            return "text", 0, len(raw)
        item = list_marker_end(raw)
        return ("item" if item else "text"), item, len(raw)
    if _FENCE.match(raw):
        return "fence", 0, 0
    if _RULE.fullmatch(raw):
        return "blank", 0, 0
    quote = _QUOTE.match(raw)
    start = quote.end() if quote else 0
    item = _LIST_ITEM.match(raw, start)
    if item:
        return "item", item.end(), len(raw)
    if (symbol := list_marker_end(raw, start, plain=False)) != start:
        return "item", symbol, len(raw)
    if not raw[start:].strip():
        return "blank", 0, 0
    return "text", start, len(raw)


def _markup(text: str) -> set[int]:
    """Offsets of inline markup characters: image syntax, link brackets and URLs, emphasis and code marks."""
    dropped: set[int] = set()
    for match in _IMAGE.finditer(text):
        dropped.update(range(match.start(), match.end()))
    for match in _LINK.finditer(text):
        if match.start() not in dropped:
            dropped.update(range(match.start(), match.start("text")))
            dropped.update(range(match.end("text"), match.end()))
    for match in _EMPHASIS.finditer(text):
        if not dropped.intersection(range(match.start(), match.end())):
            dropped.update(range(match.start(), match.start("text")))
            dropped.update(range(match.end("text"), match.end()))
    return dropped


def strip_inline(
    clean: str, hints: tuple[Hint, ...], columns: tuple[int, ...]
) -> tuple[str, tuple[Hint, ...], tuple[int, ...]]:
    """Drop inline markup from a clean line, moving hint offsets and keeping source columns."""
    dropped = _markup(clean)
    if not dropped:
        return clean, hints, columns
    kept = [i for i in range(len(clean)) if i not in dropped]
    new_offset = {old: new for new, old in enumerate(kept)}
    moved = tuple(h.moved(new_offset.__getitem__) for h in hints if h.start in new_offset)
    return "".join(clean[i] for i in kept), moved, tuple(columns[i] for i in kept)
