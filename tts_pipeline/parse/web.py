"""Web pages, saved (.html, .htm) or fetched (http, https) -> Article.

The article is found among navigation, ads, comments and footers by
trafilatura (why trafilatura rather than readability-lxml: docs/guides/inputs.md).
Ruby is rewritten into annotations before extraction, so that it survives
whatever the extractor keeps. A page's declared charset (the HTTP header,
else its `<meta charset>` or XML declaration) is honoured; without one,
UTF-8 then GB18030.
"""
from __future__ import annotations

import codecs
import re
import time
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..model import Article
from .decode import decode, read_bytes
from .document import build_article
from .markup import pieces
from .ruby import annotate_ruby

MAX_PAGE_BYTES = 10 * 2**20
CONNECT_TIMEOUT = 10.0  # seconds
READ_TIMEOUT = 20.0  # seconds without a byte, and for the whole page
MAX_REDIRECTS = 5
MIN_ARTICLE_CHARACTERS = 100  # trafilatura trusts its main extraction down to this size
MIN_TEXT_CHARACTERS = 20  # less text than this found in a page is no article
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_CONNECTION_PREFIX = re.compile(r"^\w+\(host=[^)]*\):\s*")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Labels pages use for encodings that browsers read as a larger one (the WHATWG Encoding Standard).
_BROWSER_CHARSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs",
                     "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
# trafilatura's XML vocabulary in HTML terms, for markup.pieces.
_TRAFILATURA_TAGS = {"item": "li", "list": "ul", "quote": "blockquote", "lb": "br", "row": "tr", "cell": "td",
                     "hi": "span", "ref": "span", "del": "span", "graphic": "img", "code": "pre"}


def page_text(data: bytes, name: str, declared: str | None = None, where: str = "the page") -> str:
    """A page's bytes as text, in the charset it declares (`declared`: the HTTP header's)."""
    if declared is None:
        found = _META_CHARSET.search(data[:4096]) or _XML_ENCODING.match(data)
        declared = found.group(1).decode("ascii") if found else None
    elif where == "the page":
        where = "the server"
    if declared is None or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, name)
    label = declared.strip().lower()
    codec = _BROWSER_CHARSETS.get(label, label)
    try:
        codecs.lookup(codec)
    except LookupError:
        raise InputError(f"{name}: {where} declares charset {declared!r}, which is not one Python knows; "
                         "save the page as UTF-8") from None
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: {where} declares charset {declared} but byte 0x{error.object[error.start]:02x} at byte offset "
            f"{error.start} is not {declared}; the declaration is wrong: save the page as UTF-8"
        ) from None


def fetch(url: str) -> tuple[bytes, str | None]:
    """The page at `url` and the charset its Content-Type declares; every failure a one-line InputError."""
    import requests

    from .. import __version__

    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    headers = {"User-Agent": f"tts-pipeline/{__version__}", "Accept": ", ".join(_PAGE_TYPES)}
    try:
        with session.get(url, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), stream=True, headers=headers) as response:
            if response.status_code >= 400:
                raise InputError(f"{url}: the server answered {response.status_code} {response.reason}; "
                                 "check the address")
            content_type = response.headers.get("Content-Type", "")
            kind = content_type.split(";")[0].strip().lower()
            if kind and kind not in _PAGE_TYPES:
                raise InputError(f"{url}: is {kind}, not a web page (text/html); give the address of an article")
            if int(response.headers.get("Content-Length") or 0) > MAX_PAGE_BYTES:
                raise _too_large(url)
            body = bytearray()
            deadline = time.monotonic() + READ_TIMEOUT
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_PAGE_BYTES:
                    raise _too_large(url)
                if time.monotonic() > deadline:
                    raise requests.Timeout()
            charset = _HEADER_CHARSET.search(content_type)
            return bytes(body), charset.group(1) if charset else None
    except requests.Timeout:
        raise InputError(f"{url}: no answer within {READ_TIMEOUT:g} s; check the address or try again later") from None
    except requests.TooManyRedirects:
        raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects; give the article's own address") from None
    except requests.ConnectionError as error:
        reason = getattr(error.args[0] if error.args else None, "reason", None) or error
        reason = _CONNECTION_PREFIX.sub("", str(reason))  # "HTTPConnection(host=…, port=…): " says nothing new
        raise InputError(f"{url}: cannot connect ({reason}); check the address and the network") from None
    except requests.RequestException as error:
        raise InputError(f"{url}: cannot fetch the page ({error})") from None


def _too_large(url: str) -> InputError:
    return InputError(f"{url}: the page is larger than {MAX_PAGE_BYTES // 2**20} MB; "
                      "save the article's text and give that file")


@lru_cache(maxsize=1)
def _extraction_settings():
    """trafilatura's settings for Chinese pages. Its main extraction is trusted down to 100 characters, not 250:
    250 Chinese characters are a whole news brief (a minute of speech), and below the limit trafilatura falls
    back to taking the page's text in one piece, headings and all. Fewer than 20 characters found is no
    article (a menu, a "page not found"), not a very short one."""
    from trafilatura.settings import use_config

    settings = use_config()
    settings.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(MIN_ARTICLE_CHARACTERS))
    settings.set("DEFAULT", "MIN_OUTPUT_SIZE", str(MIN_TEXT_CHARACTERS))
    return settings


def page_article(text: str, name: str, chapters: str = "auto", url: str | None = None) -> Article:
    """The article inside a page's HTML, its boilerplate left out; InputError if the page holds none."""
    import lxml.etree
    import lxml.html
    import trafilatura

    try:  # lxml refuses text that still declares an encoding (<?xml … encoding="utf-8"?>): it is decoded already
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.LxmlError, ValueError):
        raise InputError(f"{name}: not an HTML page; give a saved web page or its address") from None
    annotate_ruby(root)
    found = trafilatura.bare_extraction(root, url=url, with_metadata=True, include_comments=False,
                                        include_tables=True, include_formatting=True, include_images=False,
                                        config=_extraction_settings())
    body = getattr(found, "body", None)
    if body is None or not "".join(body.itertext()).strip():
        raise InputError(f"{name}: found no article text in the page; give the page of one article "
                         "(or copy its text into a .txt file)")
    for element in body.iter():
        if element.tag == "head":  # trafilatura's heading, rend="h2"
            rend = element.get("rend") or ""
            element.tag = rend if re.fullmatch(r"h[1-6]", rend) else "h2"
        elif element.tag in _TRAFILATURA_TAGS:
            element.tag = _TRAFILATURA_TAGS[element.tag]
    return build_article(pieces(body, name, chapter_headings=6), name, chapters, title=found.title or "",
                         author=found.author or "")


def read_page(path: str | Path, chapters: str = "auto") -> Article:
    """A saved web page (.html, .htm) as an Article."""
    name = str(path)
    return page_article(page_text(read_bytes(path, MAX_PAGE_BYTES), name), name, chapters)


def read_url(url: str, chapters: str = "auto") -> Article:
    """The article at an http(s) address."""
    data, charset = fetch(url)
    return page_article(page_text(data, url, charset), url, chapters, url=url)
