"""Text -> Article: lines, paragraphs, sentences, chapters."""
from __future__ import annotations

import re

from ..errors import InputError
from ..model import Article, Paragraph, Sentence
from .annotations import scan_line
from .chapters import Block, check_mode, group_chapters, headline_title
from .lesson import (dialogue_labels, inline_hints, is_table_rule, table_row, vocabulary_item, vocabulary_sentence,
                     with_speaker)
from .markdown import SUFFIXES, classify, strip_inline
from .ruby import scan_ruby_line
from .sentences import ends_sentence, split_line

ARTICLE_TITLE_LENGTH = 40

_LINE_END = re.compile(r"\r\n|\r|\n")


def _blocks(text: str, source: str, markdown: bool) -> tuple[list[Block], str | None]:
    """Paragraph blocks of the text, and its first heading (None without one)."""
    blocks: list[Block] = []
    current: list[Sentence] = []
    last_line = ""
    first_heading: str | None = None
    count = 0
    in_code = False
    speakers = dialogue_labels(_LINE_END.split(text))

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append(Block(Paragraph(tuple(current)), ends_sentence=ends_sentence(last_line)))
        current = []

    for number, raw in enumerate(_LINE_END.split(text), start=1):
        kind, start, end = classify(raw, markdown)
        if kind == "fence":
            in_code = not in_code
        if kind in ("blank", "fence") or in_code:
            flush()
            continue
        if markdown and "<ruby" in raw.lower():
            clean, hints, columns = scan_ruby_line(raw[start:end], source, number, start + 1)
        else:
            clean, hints, columns = scan_line(raw[start:end], source, number, start + 1)
        if markdown:
            clean, hints, columns = strip_inline(clean, hints, columns)
            if is_table_rule(clean):
                continue
            if not hints:
                clean, columns = table_row(clean, columns)
        item = vocabulary_item(clean, columns, source, number) if not hints and kind != "heading" else None
        if item is not None:
            sentences = [vocabulary_sentence(item, hints, source, number, count)]
        else:
            hints = inline_hints(clean, hints, columns, source, number)
            sentences = with_speaker(split_line(clean, hints, columns, source, number, count), speakers)
        if not sentences:
            continue
        count += len(sentences)
        if kind == "heading":
            flush()
            blocks.append(Block(Paragraph(tuple(sentences)), heading=True, ends_sentence=ends_sentence(clean)))
            first_heading = first_heading or clean.strip()
            continue
        if not (markdown and kind == "text" and current) or sentences[0].speaker or item is not None:
            flush()  # a dialogue turn or a vocabulary item is a paragraph of its own
        current.extend(sentences)
        last_line = clean
    flush()
    return blocks, first_heading


def parse_text(text: str, source: str = "<text>", chapters: str = "auto", markdown: bool | None = None) -> Article:
    """Parse an article's text into chapters, paragraphs and sentences.

    `markdown` defaults to whether `source` ends in .md; in Markdown,
    consecutive lines form one paragraph, markup is dropped and code blocks
    are skipped (see parse/markdown.py). `#` headings are recognised in any text.
    """
    check_mode(chapters)
    text = text.removeprefix("\ufeff")
    if markdown is None:
        markdown = source.lower().endswith(SUFFIXES)
    blocks, heading = _blocks(text, source, markdown)
    if not blocks:
        raise InputError(f"{source}: no text to read; give an article with some text")
    title = heading or headline_title(blocks, ARTICLE_TITLE_LENGTH)
    return Article(title=title, source=source, chapters=group_chapters(blocks, chapters))
