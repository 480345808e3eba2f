"""HTML (an EPUB's XHTML, a web page's extracted article) -> Pieces.

Block elements (p, li, headings, quotes, cells...) end a paragraph, `<br>`
too; inline elements run into the paragraph around them. What is not read:
scripts, styles, images, footnote and endnote bodies, footnote markers and
page-number anchors (EPUB's `epub:type`/`role` marks, or a `<sup>` holding
only a link to a note). Ruby must already be rewritten (ruby.annotate_ruby).
"""
from __future__ import annotations

from typing import Iterator

from .document import Piece, tidy

HEADINGS = {f"h{n}": n for n in range(1, 7)}
BLOCKS = frozenset(
    {*HEADINGS, "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote",
     "li", "ul", "ol", "dl", "dt", "dd", "pre", "table", "tr", "td", "th", "caption", "figure", "figcaption",
     "address", "hr", "body", "html", "center", "details", "summary"}
)
SKIPPED = frozenset({"script", "style", "img", "svg", "math", "audio", "video", "iframe", "object", "noscript",
                     "template", "head", "title", "rt", "rp", "button", "select", "input", "textarea", "map"})
# epub:type / DPUB-ARIA role values of what is not read: notes, their markers, page numbers, navigation lists.
_UNREAD_KINDS = ("noteref", "pagebreak", "footnote", "endnote", "rearnote", "annoref", "toc",
                 "landmarks", "page-list")


def _is_unread(element) -> bool:
    """A footnote marker or body, a page-number anchor or a navigation list, as EPUB 3 and DPUB-ARIA mark them."""
    marks = f"{element.get('epub:type', '')} {element.get('role', '')}".replace("doc-", "").split()
    if any(kind in marks or kind + "s" in marks for kind in _UNREAD_KINDS):
        return True
    if element.tag == "sup":  # <sup><a href="#fn3">3</a></sup>: a marker without EPUB's marks
        links = element.findall(".//a")
        return bool(links) and all("#" in (a.get("href") or "") for a in links) and len(
            "".join(a.text_content() for a in links).strip()) == len(element.text_content().strip())
    return False


def pieces(root, place: str, anchors: dict[str, str] | None = None, chapter_headings: int = 0,
           start_title: str | None = None) -> Iterator[Piece]:
    """The paragraphs and headings under an lxml.html element, numbered from 1 in `place`.

    `anchors` maps element ids to chapter titles (an EPUB's table of
    contents): the first piece at or after such an element starts a chapter.
    `start_title` does the same for the first piece. Headings h1..h`chapter_headings`
    are marked as headings (they start chapters); deeper ones are plain paragraphs.
    """
    anchors = anchors or {}
    state = {"number": 0, "title": start_title}
    buffer: list[str] = []

    def flush(level: int | None = None) -> Iterator[Piece]:
        text = tidy("".join(buffer))
        buffer.clear()
        if text:
            state["number"] += 1
            heading = level is not None and level <= chapter_headings
            yield Piece(text, place, state["number"], heading=heading, title=state["title"])
            state["title"] = None

    def walk(element) -> Iterator[Piece]:
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None or tag in SKIPPED or _is_unread(element):
            buffer.append(" " if tag in ("img", "svg") else "")
            return
        if element.get("id") in anchors:
            yield from flush()
            state["title"] = anchors[element.get("id")]
        if tag == "br":
            yield from flush()
            return
        block = tag in BLOCKS
        if block:
            yield from flush()
        buffer.append(element.text or "")
        for child in element:
            yield from walk(child)
            buffer.append(child.tail or "")
        if block:
            yield from flush(HEADINGS.get(tag))

    yield from walk(root)
    yield from flush()
