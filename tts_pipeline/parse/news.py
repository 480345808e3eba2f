"""Conventions of news pages the parser honours: list-item markers, photo captions and credits.

A Chinese news page marks list items with a symbol at the start of the line
(`●要…`), which is layout, not text: it is never spoken or shown. A photo
caption or credit (`记者 苏思 摄`, `图/新华社`, `（新华社发）`) is spoken where it
stands but is never a headline.
"""
from __future__ import annotations

import re

# Symbols that start a list item in any file; none of them is ever read aloud.
LIST_SYMBOLS = "●■◆▲•○※★◇□☆◎▪▸►"
_SYMBOL_ITEM = re.compile(rf"\s*[{LIST_SYMBOLS}]\s*")
# `-` and `*` followed by a space start an item in plain text (Markdown has its own list rule).
_DASH_ITEM = re.compile(r"\s*[-*]\s+")

# Credits that mark a line as a photo caption, not a headline. 摄 must end the credit
# (记者 苏思 摄, 记者 苏思 摄/视觉重庆), so 记者探访摄影展 is not one.
_CREDITS = re.compile(
    r"记者[^。！？]{0,16}?摄(?:影)?(?=$|[\s/／|｜)）])"
    r"|(?:^|[\s(（])(?:图|图片|图片来源|摄影|摄|供图|来源|制图)\s*[/／:：|｜]"
    r"|[(（][^()（）]{0,24}?(?:发|摄|供图|资料图|资料照片)[)）]"
    r"|供图\s*$"
    r"|视觉中国|东方IC|图虫创意|IC\s*photo"
)


def list_marker_end(line: str, start: int = 0, plain: bool = True) -> int:
    """Where the text of a list item begins, after its marker at `start`; `start` when the line is no item.

    `plain` also takes `-` and `*` followed by a space, the plain-text list marks.
    A marker with nothing after it is not an item (the line stays as written).
    """
    match = _SYMBOL_ITEM.match(line, start) or (_DASH_ITEM.match(line, start) if plain else None)
    if match and line[match.end():].strip():
        return match.end()
    return start


def is_caption(text: str) -> bool:
    """Whether a line is a photo caption or credit, which never titles an article or chapter."""
    return bool(_CREDITS.search(text))
