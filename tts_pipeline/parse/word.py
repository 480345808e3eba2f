"""Word documents (.docx) -> Article, read with python-docx.

Paragraphs and tables come in document order; a table is read cell by cell,
row by row (a merged cell once), and a text box right after the paragraph it
is anchored in. Paragraphs styled Title or Heading 1-3 start chapters. Word's
phonetic guide (w:ruby, how Word writes pinyin over characters) becomes an
annotation like HTML ruby. Headers, footers, footnotes and comments are not
read, and deleted tracked changes are left out.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..model import Article
from .decode import read_bytes
from .document import Piece, build_article
from .package import open_package
from .ruby import annotation

MAX_DOCUMENT_BYTES = 100 * 2**20  # the file, and its parts once uncompressed
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*([1-3])$|title$|标题$", re.IGNORECASE)
_TEXT_BOX = f"{_W}txbxContent"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Elements whose text is not the paragraph's running text: text boxes (read after it), deleted text, field codes.
_NOT_READ = {_TEXT_BOX, f"{_W}del", f"{_W}instrText", f"{_W}delText", _FALLBACK}


def _text(element) -> str:
    """The running text under a paragraph's XML, ruby written as annotations."""
    out: list[str] = []
    for child in element:
        tag = child.tag
        if tag in _NOT_READ:
            continue
        if tag == f"{_W}t":
            out.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            out.append(" ")
        elif tag == f"{_W}ruby":
            base = child.find(f"{_W}rubyBase")
            reading = child.find(f"{_W}rt")
            out.append(annotation(_text(base) if base is not None else "",
                                  _text(reading) if reading is not None else None))
        else:
            out.append(_text(child))
    return "".join(out)


def _heading_styles(document) -> frozenset[str]:
    """The ids of the paragraph styles that start chapters (looked up once: python-docx's per-paragraph
    `paragraph.style` searches the style list each time)."""
    return frozenset(style.style_id for style in document.styles
                     if style.style_id and _HEADING_STYLE.match((style.name or "").strip()))


def _with_text_boxes(paragraph) -> Iterator:
    """A paragraph's XML, then the paragraphs of the text boxes anchored in it (each once: Word writes a
    box twice, as a drawing and as a VML fallback)."""
    yield paragraph
    for box in paragraph.iter(_TEXT_BOX):
        if not any(a.tag == _FALLBACK for a in box.iterancestors()):
            yield from box.iter(f"{_W}p")


def _blocks(document, place: str) -> Iterator[Piece]:
    from docx.table import Table

    number = 0
    headings = _heading_styles(document)
    seen_cells: set = set()  # the cells' XML elements themselves: kept alive, an element keeps its identity
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            paragraphs = []
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc not in seen_cells:  # a merged cell is in every row and column it spans
                        seen_cells.add(cell._tc)
                        paragraphs.extend((p._p, False) for p in cell.paragraphs)
        else:
            paragraphs = [(block._p, block._p.style in headings)]
        for paragraph, heading in paragraphs:
            for part in _with_text_boxes(paragraph):
                text = _text(part).strip()
                if text:
                    number += 1
                    yield Piece(text, place, number, heading=heading and part is paragraph)


def _checked_zip(data: bytes, name: str) -> None:
    not_a_docx = "not a Word .docx document; save it from Word as .docx"
    with open_package(data, name, MAX_DOCUMENT_BYTES, not_a_docx + " (an old .doc, or a damaged file?)") as archive:
        if "word/document.xml" not in archive.namelist():
            raise InputError(f"{name}: {not_a_docx} (no word/document.xml)")


def read_docx(path: str | Path, chapters: str = "auto") -> Article:
    """A .docx file as an Article; a file that is not one is an InputError."""
    import docx
    import lxml.etree
    from docx.opc.exceptions import OpcError

    name = str(path)
    data = read_bytes(path, MAX_DOCUMENT_BYTES)
    _checked_zip(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        properties = document.core_properties
        title, author = properties.title or "", properties.author or ""
        found = list(_blocks(document, name))
    except (OpcError, KeyError, ValueError, zipfile.BadZipFile, lxml.etree.LxmlError) as error:
        raise InputError(f"{name}: not a readable Word .docx document ({error}); save it from Word again") from None
    return build_article(found, name, chapters, title=title, author=author)
