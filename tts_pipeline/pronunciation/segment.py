"""Word segmentation with jieba, loaded once, quietly.

jieba keeps its prefix dictionary (every word of its dictionary and every
prefix of one, 500,000 entries) in a dict that takes about a second to build
or unpickle. Here it is a packed table in the user cache folder (packed.py),
built once from jieba's own dictionary by jieba's own code and then looked
up in place, so a process that segments one sentence starts in milliseconds.
jieba logs its loading to stderr at DEBUG level; that logger is raised to
WARNING.
"""
from __future__ import annotations

import logging
import sys
import threading

from .once import load_once, stored_table


class _RefusePkgResources:
    """A finder that makes `import pkg_resources` fail, in one thread only."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name, path=None, target=None):
        if name == "pkg_resources" and threading.get_ident() == self.thread:
            raise ImportError("pkg_resources is not needed to import jieba")
        return None


def _import_jieba():
    # jieba imports pkg_resources (0.25 s) only to open its dictionary file,
    # and opens it by path when that import fails; the prefix table below
    # makes that file rarely needed, so jieba's thread is refused the import.
    if "jieba" in sys.modules:
        import jieba
    else:
        refuse = _RefusePkgResources()
        sys.meta_path.insert(0, refuse)
        try:
            import jieba
        finally:
            sys.meta_path.remove(refuse)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    return jieba


def _build_prefix_table() -> tuple[dict[str, int], dict]:
    jieba = _import_jieba()
    builder = jieba.Tokenizer()
    with builder.get_dict_file() as dictionary:
        frequencies, total = builder.gen_pfdict(dictionary)
    return frequencies, {"total": total}


@load_once
def tokenizer():
    jieba = _import_jieba()
    table = stored_table("jieba-prefixes", "int", ("jieba",), _build_prefix_table, legacy=("jieba.cache",))
    segmenter = jieba.Tokenizer()
    segmenter.FREQ = table
    segmenter.total = table.meta["total"]
    segmenter.initialized = True
    return segmenter


def words(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of `text`, in order, covering it exactly."""
    if not text:
        return []
    spans = [(start, end) for _, start, end in tokenizer().tokenize(text)]
    return _reduplicated_measures(text, spans)


def _reduplicated_measures(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` with 一 and a doubled measure word kept one word (一点点, 一遍遍) where jieba cut
    through it because the second measure word begins another word it knows (一点/点亮起来,
    一遍/遍地): 一点点亮起来 is 一点点 + 亮 + 起来, and reads and is shown so."""
    fixed: list[tuple[int, int]] = []
    k = 0
    while k < len(spans):
        start, end = spans[k]
        if (end - start == 2 and text[start] == "一" and k + 1 < len(spans) and word_tag(text[start:end]) == "m"
                and text[spans[k + 1][0]] == text[start + 1]):
            after = spans[k + 1][1]
            fixed.append((start, end + 1))
            if after > end + 1:
                fixed.append((end + 1, after))
            k += 2
            continue
        fixed.append((start, end))
        k += 1
    return fixed


def _build_tag_table() -> tuple[dict[str, str], dict]:
    jieba = _import_jieba()
    tags: dict[str, str] = {}
    with jieba.Tokenizer().get_dict_file() as dictionary:
        for line in dictionary:
            parts = line.decode("utf-8").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags, {}


@load_once
def _tags():
    return stored_table("jieba-tags", "str", ("jieba",), _build_tag_table)


def word_tag(word: str) -> str:
    """jieba's dictionary part of speech for `word` ("v", "n", "d", "r" …), "" for a word it does not list."""
    return _tags().get(word) or ""


def split_at(spans: list[tuple[int, int]], index: int, position: int) -> tuple[list[tuple[int, int]], int]:
    """`spans` with the word spans[index] cut around `position`, so that the character there stands
    alone (jieba joins what the lexicon does not list: 很长, 地看, 两只手, 真为), and its new index."""
    start, end = spans[index]
    if end - start == 1:
        return spans, index
    middle = [(a, b) for a, b in ((start, position), (position, position + 1), (position + 1, end)) if b > a]
    return spans[:index] + middle + spans[index + 1 :], index + (1 if position > start else 0)
