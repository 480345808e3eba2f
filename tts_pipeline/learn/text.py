"""Text helpers shared by the drills and the player: tone marks, file stems."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..model import Token
from ..pronunciation.readings import marked, shown_syllables

_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def tone_marks(pinyin: str | None) -> str:
    """'chong2 qing4' -> 'chóng qìng'; None -> ''."""
    if not pinyin:
        return ""
    return " ".join(_marked(syllable) for syllable in pinyin.split())


@lru_cache(maxsize=4096)
def _marked(syllable: str) -> str:
    return marked(syllable)


def pinyin_line(tokens: Iterable[Token]) -> str:
    """The tone-marked reading of a run of tokens, one space between tokens."""
    return " ".join(tone_marks(syllables) for _, syllables in shown_syllables(tokens) if syllables)


def chapter_stem(chapter: Mapping[str, Any]) -> str:
    """'01-<title>' for a chapter: the stem of its chapter file when the build named one."""
    file = chapter.get("file")
    if file:
        name = file.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0]
    title = _UNSAFE.sub("-", str(chapter.get("title", ""))).strip("-.")[:40]
    return f"{int(chapter['index']):02d}-{title}" if title else f"{int(chapter['index']):02d}"
