"""How long parsing takes next to the cheapest reading step, on a 300,000-character book.

Prints the parser's time, pypinyin's plain lazy_pinyin over the same clean
text (a floor for any pronunciation stage), and the ratio of the two, all
measured in this run. Usage: .venv/bin/python benchmarks/parse.py
"""
from __future__ import annotations

import time
from pathlib import Path

from pypinyin import lazy_pinyin

from tts_pipeline.parse import parse_text

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "sample_article.txt"


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    article = SAMPLE.read_text(encoding="utf-8")
    book = "\n".join([article] * (300_000 // len(article) + 1))
    parsed = parse_text(book)  # also warms pypinyin's dictionary
    clean = "".join(s.text for s in parsed.sentences())
    hints = sum(len(s.hints) for s in parsed.sentences())
    lazy_pinyin(clean[:1000])

    parse_time = best_of(3, lambda: parse_text(book))
    pinyin_time = best_of(3, lambda: lazy_pinyin(clean))
    print(f"book: {len(book):,} characters, {hints:,} annotations, {len(parsed.chapters)} chapters")
    print(f"parse_text:          {parse_time:6.2f} s  ({len(book) / parse_time / 1000:,.0f}k characters/s)")
    print(f"pypinyin lazy_pinyin: {pinyin_time:6.2f} s")
    print(f"parse / lazy_pinyin:  {parse_time / pinyin_time:6.2f}")


if __name__ == "__main__":
    main()
