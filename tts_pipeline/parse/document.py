"""Documents without lines (EPUB, web pages, Word) -> Article.

Each reader turns its format into `Piece`s: one paragraph or heading of text
in which annotations are still written inline (`重(chóng)`, ruby already
rewritten into that form by ruby.py). From here on every format takes the
path a text file takes: the one annotation parser, the one sentence
splitter, the one set of chapter rules. Positions count paragraphs within a
named part (`book.epub:text/ch03.xhtml: paragraph 12`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ..errors import InputError
from ..hanzi import is_han
from ..model import Article, Paragraph
from .annotations import scan_line
from .article import ARTICLE_TITLE_LENGTH
from .chapters import Block, check_mode, group_chapters, headline_title
from .sentences import ends_sentence, split_line

PARAGRAPH = "paragraph"  # SourcePosition.unit for these documents

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Piece:
    """One paragraph or heading of a document, annotations still inline.

    `place` names the document (and part) it is in, `number` counts the
    pieces of that place from 1; `title`, when set, starts a chapter with
    that title (an EPUB's table-of-contents entry).
    """

    text: str
    place: str
    number: int
    heading: bool = False
    title: str | None = None


def tidy(text: str) -> str:
    """Markup whitespace as prose: runs collapsed to one space, and a run holding a line break between two
    CJK characters dropped: that is the page's layout, not a space the author typed."""
    text = text.strip()

    def space(match: re.Match) -> str:
        before, after = text[match.start() - 1], text[match.end()]
        return "" if "\n" in match.group() and _wide(before) and _wide(after) else " "

    return _SPACE.sub(space, text)


def _unannotated(title: str | None) -> str:
    """A title from metadata or a table of contents as shown: tidied, any annotation (from ruby too) removed."""
    return scan_line(tidy(title))[0] if title else ""


def _wide(char: str) -> bool:
    return is_han(char) or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


def build_article(
    pieces: Iterable[Piece], source: str, chapters: str = "auto", title: str | None = None, author: str = ""
) -> Article:
    """The Article of a document's pieces; its title is `title`, else the first heading, else its headline (chapters.headline_title)."""
    check_mode(chapters)
    blocks: list[Block] = []
    count = 0
    first_heading: str | None = None
    pending_title: str | None = None  # a chapter title whose first piece had nothing to read
    for piece in pieces:
        clean, hints, columns = scan_line(piece.text, piece.place, piece.number, 1, PARAGRAPH)
        sentences = split_line(clean, hints, columns, piece.place, piece.number, count, PARAGRAPH)
        chapter_title = _unannotated(piece.title) or pending_title
        if not sentences:
            pending_title = chapter_title
            continue
        pending_title = None
        count += len(sentences)
        if piece.heading:
            first_heading = first_heading or clean.strip()
        blocks.append(
            Block(
                Paragraph(tuple(sentences)),
                heading=piece.heading or chapter_title is not None,
                ends_sentence=ends_sentence(clean),
                title=chapter_title,
            )
        )
    if not blocks:
        raise InputError(f"{source}: no text to read; give a document with some text")
    title = _unannotated(title) or first_heading or headline_title(blocks, ARTICLE_TITLE_LENGTH)
    return Article(title=title, source=source, chapters=group_chapters(blocks, chapters), author=tidy(author or ""))
