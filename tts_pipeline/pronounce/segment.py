"""Word segmentation with jieba, loaded once, quietly.

jieba's dictionary ships in its wheel; the prefix table it builds from it is
kept in the user cache folder, so only the first run pays the ~1 s build and
later runs load it in ~0.3 s. jieba logs its loading to stderr at DEBUG level;
that logger is raised to WARNING.
"""
from __future__ import annotations

import logging

from .once import load_once


@load_once
def tokenizer():
    import jieba

    from ..incremental import default_cache_dir

    logging.getLogger("jieba").setLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    folder = default_cache_dir() / "pronounce"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        segmenter.tmp_dir = str(folder)
    except OSError:
        pass  # jieba falls back to the system temporary folder
    segmenter.initialize()
    return segmenter


def words(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of `text`, in order, covering it exactly."""
    if not text:
        return []
    spans = [(start, end) for _, start, end in tokenizer().tokenize(text)]
    return spans
