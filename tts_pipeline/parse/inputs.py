"""Which reader reads an input: the one place that decides it, by scheme and suffix.

`-` is standard input, `http://` and `https://` a web page (inputnames.py
says which a name is); otherwise the file's suffix picks the reader, and any
other file is read as text (.txt, Markdown by its suffix).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO, Callable

from ..inputnames import STDIN, STDIN_SOURCE, is_url
from ..model import Article
from .article import parse_text
from .chapters import check_mode
from .decode import decode, read_text


def _epub(name: str, chapters: str) -> Article:
    from .epub import read_epub

    return read_epub(name, chapters)


def _page(name: str, chapters: str) -> Article:
    from .web import read_page

    return read_page(name, chapters)


def _docx(name: str, chapters: str) -> Article:
    from .word import read_docx

    return read_docx(name, chapters)


READERS: dict[str, Callable[[str, str], Article]] = {
    ".epub": _epub, ".html": _page, ".htm": _page, ".xhtml": _page, ".docx": _docx,
}


def read_stdin(stream: BinaryIO | None = None) -> str:
    """Standard input's bytes as text (UTF-8; binary is an InputError like a binary file)."""
    return decode((stream or sys.stdin.buffer).read(), STDIN_SOURCE)


def read_article(name: str | Path, chapters: str = "auto") -> Article:
    """Read any input (file, `-` for stdin, http(s) address) into an Article; every problem is an InputError."""
    check_mode(chapters)
    name = str(name)
    if name == STDIN:
        return parse_text(read_stdin(), source=STDIN_SOURCE, chapters=chapters)
    if is_url(name):
        from .web import read_url

        return read_url(name, chapters)
    reader = READERS.get(Path(name).suffix.lower())
    if reader is not None:
        return reader(name, chapters)
    return parse_text(read_text(name), source=name, chapters=chapters)

