"""Paragraphs -> chapters, by the rule the user picked with --chapters.

Every mode starts a chapter at a Markdown heading and never splits a
paragraph. Lengths are estimated from spoken characters (letters and digits)
at CHARS_PER_MINUTE.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from ..errors import InputError
from ..hanzi import is_han
from ..model import Chapter, Paragraph
from .news import is_caption
from .sentences import CLAUSE_MARKS, END_MARKS

CHARS_PER_MINUTE = 250  # Han characters a news reader speaks per minute, roughly
AUTO_CHAPTER_MINUTES = 4.0
MAX_AUTO_CHAPTERS = 99  # chapter files are numbered with two digits
HEADLINE_MAX_LINES = 8
TITLE_LENGTH = 24

_MINUTES = re.compile(r"minutes:(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Block:
    """A paragraph as the chapter rules see it."""

    paragraph: Paragraph
    heading: bool = False
    ends_sentence: bool = True
    title: str | None = None  # a chapter starting here takes this title (an EPUB's table of contents)

    @cached_property
    def length(self) -> int:
        return sum(spoken_length(s.text) for s in self.paragraph.sentences)

    @cached_property
    def caption(self) -> bool:
        return is_caption("".join(s.text for s in self.paragraph.sentences))


def spoken_length(text: str) -> int:
    """Characters that get spoken: letters (Han included) and digits."""
    return sum(unicodedata.category(c)[0] in "LN" for c in text)


def check_mode(mode: str) -> str:
    """The mode itself if valid, else InputError listing the valid ones."""
    if mode in ("auto", "heading", "paragraph"):
        return mode
    match = _MINUTES.fullmatch(mode) if isinstance(mode, str) else None
    if match and float(match.group(1)) > 0:
        return mode
    raise InputError(
        f"--chapters {mode!r} is not a chapter rule; use auto, heading, paragraph or minutes:N (N > 0, e.g. minutes:5)"
    )


def chapter_rule(value: str) -> str:
    """argparse type for --chapters."""
    import argparse

    try:
        return check_mode(value)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error).split(" is not a chapter rule; ", 1)[-1]) from None


def shorten(text: str, limit: int = TITLE_LENGTH) -> str:
    """A readable title from a sentence: end punctuation dropped, long text cut at a clause or space."""
    text = text.strip()
    while text and (text[-1] in END_MARKS or text[-1] in CLAUSE_MARKS):
        text = text[:-1].rstrip()
    if len(text) <= limit:
        return text
    cut = limit
    for index in range(limit, limit // 3 - 1, -1):
        if text[index] in CLAUSE_MARKS or text[index].isspace():
            cut = index
            break
    head = text[:cut].rstrip()
    while head and head[-1] in CLAUSE_MARKS:
        head = head[:-1]
    return head + "…"


def _candidate_titles(blocks: Sequence[Block], limit: int = TITLE_LENGTH) -> Iterable[str]:
    """Titles a group of blocks could take, best first: its own title or heading, else its sentences, captions last."""
    if blocks[0].title:
        yield blocks[0].title
        return
    if blocks[0].heading:
        yield blocks[0].paragraph.sentences[0].text.strip()
        return
    yield from _sentence_titles(blocks, limit)


def _sentence_titles(blocks: Sequence[Block], limit: int) -> Iterable[str]:
    """Each sentence of the blocks as a title, those of photo captions and credits last."""
    ordered = [b for b in blocks if not b.caption] + [b for b in blocks if b.caption]
    for block in ordered:
        for sentence in block.paragraph.sentences:
            if title := shorten(sentence.text, limit):
                yield title


def distinct_titles(candidates: Iterable[Iterable[str]]) -> list[str]:
    """One title per chapter, no two alike: each chapter takes its first candidate not taken
    by an earlier chapter, else its first candidate with a number (`标题（2）`)."""
    titles: list[str] = []
    for options in candidates:
        options = iter(options)
        first = next(options, "")
        title = first if first not in titles else next((t for t in options if t not in titles), None)
        number = 2
        while title is None or title in titles:
            title = f"{first}（{number}）" if any(map(is_han, first)) else f"{first} ({number})".lstrip()
            number += 1
        titles.append(title)
    return titles


def headline_title(blocks: Sequence[Block], limit: int) -> str:
    """The article's title without a heading: the first headline line that is not a photo caption or
    credit, else the first sentence of the text."""
    headline = blocks[: _headline(blocks)] or blocks[:1]
    return next(iter(_sentence_titles(headline, limit)), "")


def _by_length(blocks: list[Block], target: float) -> list[list[Block]]:
    """Consecutive groups whose length comes nearest the target; a short tail joins the group before."""
    groups: list[list[Block]] = []
    current: list[Block] = []
    size = 0
    for block in blocks:
        if current and abs(size + block.length - target) > abs(size - target):
            groups.append(current)
            current, size = [], 0
        current.append(block)
        size += block.length
    if current:
        if groups and size < target / 4:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


def _at_most(groups: list[list[Block]], limit: int) -> list[list[Block]]:
    """Merge the shortest neighbouring pair of groups until at most `limit` remain."""
    groups = [list(g) for g in groups]
    while len(groups) > limit:
        sizes = [sum(b.length for b in g) for g in groups]
        pair = min(range(len(groups) - 1), key=lambda i: sizes[i] + sizes[i + 1])
        groups[pair : pair + 2] = [groups[pair] + groups[pair + 1]]
    return groups


def _sections(blocks: list[Block]) -> list[list[Block]]:
    """Split at headings: each section is a heading (if any) and the paragraphs under it."""
    sections: list[list[Block]] = []
    for block in blocks:
        if block.heading or not sections:
            sections.append([])
        sections[-1].append(block)
    return sections


def _split_section(section: list[Block], mode: str, target: float) -> list[list[Block]]:
    heading = section[:1] if section[0].heading else []
    body = section[len(heading):]
    if mode == "heading" or not body:
        return [section]
    groups = [[block] for block in body] if mode == "paragraph" else _by_length(body, target)
    groups[0] = heading + groups[0]
    return groups


def _headline(blocks: list[Block]) -> int:
    """How many leading paragraphs form the headline: lines without end punctuation before the first that has it."""
    for count, block in enumerate(blocks[: HEADLINE_MAX_LINES + 1]):
        if block.ends_sentence:
            return count
    return 1 if len(blocks) > HEADLINE_MAX_LINES else len(blocks)


def group_chapters(blocks: list[Block], mode: str = "auto") -> tuple[Chapter, ...]:
    """Chapters for the blocks, numbered from 1."""
    mode = check_mode(mode)
    if not blocks:
        return ()
    if mode.startswith("minutes:"):
        groups = [g for s in _sections(blocks) for g in _split_section(s, mode, float(mode[8:]) * CHARS_PER_MINUTE)]
    elif mode != "auto":
        groups = [g for s in _sections(blocks) for g in _split_section(s, mode, 0)]
    elif any(block.heading for block in blocks):
        groups = _sections(blocks)
    else:
        headline = _headline(blocks)
        body = blocks[headline:]
        total = sum(block.length for block in body)
        target = max(AUTO_CHAPTER_MINUTES * CHARS_PER_MINUTE, total / MAX_AUTO_CHAPTERS)
        body_groups = _at_most(_by_length(body, target), MAX_AUTO_CHAPTERS - 1) if body else []
        groups = ([blocks[:headline]] if headline else []) + body_groups
    titles = distinct_titles(_candidate_titles(group) for group in groups)
    return tuple(
        Chapter(index=number, title=title, paragraphs=tuple(b.paragraph for b in group))
        for number, (title, group) in enumerate(zip(titles, groups), start=1)
    )

