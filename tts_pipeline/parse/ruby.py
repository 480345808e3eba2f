"""Ruby (`<ruby>重<rt>chóng</rt></ruby>`) as the author's annotation it is: `重(chóng)`.

A ruby reading is rewritten, in the document, into the inline annotation
grammar, so that it reaches the one annotation parser (annotations.py) and is
verified, forced or ignored exactly like `重(chóng)` typed by hand. Zhuyin
readings (`ㄔㄨㄥˊ`) are turned into pinyin first. A reading that is not
pinyin for its Han base (Japanese kana, an English gloss, ruby over Latin
letters) is dropped: ruby text is never read aloud. Markdown's inline
`<ruby>` takes the same way (scan_ruby_line).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..hanzi import is_han
from ..model import Hint
from .annotations import scan_line, segment

_ZHUYIN = re.compile("[\u3100-\u312f\u31a0-\u31bf]")
_ZHUYIN_TONES = {"ˊ": "2", "ˇ": "3", "ˋ": "4", "˙": "5"}
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _zhuyin_table() -> dict[str, str]:
    """Zhuyin syllable (tone mark after it, none for tone 1) -> tone-number pinyin, from pypinyin's own table."""
    from pypinyin import Style
    from pypinyin.contrib.tone_convert import to_tone
    from pypinyin.style import convert

    from .syllables import valid_syllables

    table: dict[str, str] = {}
    for letters in sorted(valid_syllables()):
        for tone in "12345":
            zhuyin = convert(to_tone(letters + tone), Style.BOPOMOFO, strict=True)
            if zhuyin and _ZHUYIN.search(zhuyin):
                table.setdefault(zhuyin, letters + tone)
    return table


def zhuyin_to_pinyin(reading: str) -> str | None:
    """`ㄔㄨㄥˊ ㄑㄧㄥˋ` (or run together) -> `chong2 qing4`; None if some part is not a zhuyin syllable.

    The neutral-tone dot may stand before the syllable (`˙ㄉㄜ`) or after it; a
    written first-tone mark `ˉ` is optional.
    """
    table = _zhuyin_table()
    longest = max(map(len, table))
    syllables: list[str] = []
    for word in reading.replace("ˉ", "").split():
        at = 0
        while at < len(word):
            neutral = word[at] == "˙"
            at += neutral
            for size in range(min(longest, len(word) - at), 0, -1):
                piece = word[at : at + size]
                if neutral and piece[-1] not in _ZHUYIN_TONES:
                    piece += "˙"
                if piece in table:
                    syllables.append(table[piece])
                    at += size
                    break
            else:
                return None
    return " ".join(syllables) or None


def annotation(base: str, reading: str | None) -> str:
    """The base text followed by its reading in annotation form, or the bare base if the reading is not pinyin for it."""
    base = _WHITESPACE.sub("", base)
    reading = _WHITESPACE.sub(" ", reading or "").strip()
    if not base or not reading or not all(is_han(char) for char in base) or any(c in reading for c in "()（）"):
        return base
    if _ZHUYIN.search(reading):
        reading = zhuyin_to_pinyin(reading) or ""
    return f"{base}({reading})" if reading and segment(reading, base) is not None else base


def _pairs(ruby) -> list[tuple[str, str | None]]:
    """(base, reading) pairs of one ruby element: `<ruby>重<rt>chóng</rt>庆<rt>qìng</rt></ruby>` gives two."""
    pairs: list[tuple[str, str | None]] = []
    base = ruby.text or ""
    for child in ruby:
        tag = child.tag if isinstance(child.tag, str) else None  # None: a comment or processing instruction
        if tag is None:
            pass
        elif tag in ("rt", "rtc"):
            reading = child.text_content()
            if not base.strip() and pairs and pairs[-1][1] is not None:
                pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]} {reading}")  # 重庆<rt>chóng</rt><rt>qìng</rt>
            else:
                pairs.append((base, reading))
            base = ""
        elif tag != "rp":
            base += child.text_content()
        base += child.tail or ""
    if base.strip():
        pairs.append((base, None))
    return pairs


def annotate_ruby(root) -> int:
    """Replace every `<ruby>` under an lxml.html element with annotated text, in place; returns how many."""
    rubies = [r for r in root.iter("ruby") if not any(a.tag == "ruby" for a in r.iterancestors())]
    for ruby in rubies:
        text = "".join(annotation(base, reading) for base, reading in _pairs(ruby)) + (ruby.tail or "")
        parent, before = ruby.getparent(), ruby.getprevious()
        if parent is None:
            continue
        if before is not None:
            before.tail = (before.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(ruby)
    return len(rubies)


_RUBY_MARKUP = re.compile(r"<ruby\b[^>]*>.*?</ruby\s*>", re.IGNORECASE | re.DOTALL)


def scan_ruby_line(
    line: str, path: str, line_number: int, first_column: int
) -> tuple[str, tuple[Hint, ...], tuple[int, ...]]:
    """annotations.scan_line for a line of Markdown holding inline `<ruby>` HTML.

    The ruby is rewritten into annotations first; columns and hint positions
    are then mapped back to the line as written (what a ruby element became
    points at its `<ruby`).
    """
    import lxml.html

    text: list[str] = []
    origin: list[int] = []  # for each character of the rewritten line, its offset in `line`
    done = 0
    for match in _RUBY_MARKUP.finditer(line):
        text.append(line[done : match.start()])
        origin.extend(range(done, match.start()))
        annotated = "".join(annotation(base, reading)
                            for base, reading in _pairs(lxml.html.fragment_fromstring(match.group())))
        text.append(annotated)
        origin.extend([match.start()] * len(annotated))
        done = match.end()
    text.append(line[done:])
    origin.extend(range(done, len(line)))
    clean, hints, columns = scan_line("".join(text), path, line_number, 0)
    moved = tuple(replace(h, position=replace(h.position, column=first_column + origin[h.position.column]))
                  for h in hints)
    return clean, moved, tuple(first_column + origin[c] for c in columns)
