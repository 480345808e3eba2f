"""EPUB 2 and 3 books -> Article, read with ebooklib.

Text comes in spine order; the navigation document, non-linear items and
documents with nothing to read (a cover image, a blank page) are skipped.
Chapters start where the book's table of contents points (the EPUB 3 nav, or
the EPUB 2 NCX when there is no nav), titled as the table titles them; a book
without a usable table starts chapters at its h1-h3 headings. The title and
author come from the package metadata (dc:title, dc:creator).
"""
from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

from ..errors import InputError
from ..model import Article
from .decode import read_bytes
from .document import Piece, build_article
from .markup import pieces
from .package import open_package
from .ruby import annotate_ruby

MAX_BOOK_BYTES = 300 * 2**20  # the file, and everything in it once uncompressed (a zip bomb stops here)
_FONT_OBFUSCATION = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
_ENCRYPTION = "META-INF/encryption.xml"


_NOT_READABLE = "not a readable EPUB; the file may be truncated or damaged"


def _damaged(name: str, why: str) -> InputError:
    return InputError(f"{name}: {_NOT_READABLE} ({why})")


def _check_container(data: bytes, name: str) -> None:
    """Refuse what is not a ZIP, what would unpack to more than MAX_BOOK_BYTES, and DRM-encrypted books."""
    with open_package(data, name, MAX_BOOK_BYTES, _NOT_READABLE) as archive:
        try:
            encryption = archive.read(_ENCRYPTION) if _ENCRYPTION in archive.namelist() else None
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise _damaged(name, str(error) or type(error).__name__) from None
    if encryption is not None and _encrypts_content(encryption):
        raise InputError(
            f"{name}: the book is DRM-protected ({_ENCRYPTION} encrypts its text); "
            "tts-pipeline reads only DRM-free EPUBs"
        )


def _encrypts_content(encryption: bytes) -> bool:
    """Whether encryption.xml encrypts anything beyond obfuscated fonts (which any reader may undo)."""
    from lxml import etree

    try:
        root = etree.fromstring(encryption)
    except etree.XMLSyntaxError:
        return True  # unreadable: cannot tell what is encrypted, so assume the text is
    for data in root.iter("{*}EncryptedData"):
        method = data.find("{*}EncryptionMethod")
        if method is None or method.get("Algorithm") not in _FONT_OBFUSCATION:
            return True
    return False


def _toc_entries(toc) -> Iterator[tuple[str, str]]:
    """(href, title) of every table-of-contents entry in reading order, nested ones included."""
    from ebooklib import epub

    for entry in toc:
        if isinstance(entry, tuple):
            section, children = entry
            if getattr(section, "href", ""):
                yield section.href, section.title
            yield from _toc_entries(children)
        elif isinstance(entry, (epub.Link, epub.Section)) and entry.href:
            yield entry.href, entry.title
        elif isinstance(entry, epub.EpubHtml):
            yield entry.file_name, entry.title


def _targets(book, documents) -> dict[str, dict[str, str]]:
    """file name -> {fragment id, or "" for the file's start: chapter title}, from the table of contents."""
    names = [item.file_name for item in documents]
    targets: dict[str, dict[str, str]] = {}
    toc = book.toc if isinstance(book.toc, list) else [book.toc]  # ebooklib gives an empty NCX as one bare Link
    for href, title in _toc_entries(toc):
        file, _, fragment = unquote(href).partition("#")
        file = posixpath.normpath(file)
        if file not in names:  # an NCX names files relative to itself; match the tail of the path
            file = next((n for n in names if n.endswith("/" + file) or file.endswith("/" + n)), file)
        if file in names and (title or "").strip():
            targets.setdefault(file, {})[fragment] = title.strip()
    return targets


def _metadata(book, field: str) -> str:
    return "、".join(value.strip() for value, _ in book.get_metadata("DC", field) if value and value.strip())


def read_epub(path: str | Path, chapters: str = "auto") -> Article:
    """An EPUB file as an Article; a damaged, oversized or DRM-protected book is an InputError."""
    import ebooklib
    import lxml.etree
    import lxml.html
    from ebooklib import epub

    name = str(path)
    data = read_bytes(path, MAX_BOOK_BYTES)
    _check_container(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    except (epub.EpubException, zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, AttributeError,
            ValueError, lxml.etree.LxmlError) as error:
        raise _damaged(name, str(error) or type(error).__name__) from None

    documents = []
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if (item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, epub.EpubNav)
                or linear == "no"):
            continue
        documents.append(item)
    targets = _targets(book, documents)

    def book_pieces() -> Iterator[Piece]:
        for item in documents:
            try:
                root = lxml.html.document_fromstring(item.get_content())
            except (lxml.etree.LxmlError, ValueError):
                raise _damaged(name, f"{item.file_name} is not XHTML") from None
            annotate_ruby(root)
            body = root.find("body")
            anchors = dict(targets.get(item.file_name, {}))
            start = anchors.pop("", None)
            ids = {element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
            for fragment in [f for f in anchors if f not in ids]:  # a target that is not there: the file's start
                start = start or anchors.pop(fragment)
            yield from pieces(body if body is not None else root, f"{name}:{item.file_name}", anchors,
                              chapter_headings=0 if targets else 3, start_title=start)

    return build_article(book_pieces(), name, chapters, title=_metadata(book, "title"),
                         author=_metadata(book, "creator"))
