"""How long parsing takes next to the cheapest reading step, on a 300,000-character book.

Prints the parser's time, pypinyin's plain lazy_pinyin over the same clean
text (a floor for any pronunciation stage), and the ratio of the two; then
the same book written as each input format (Markdown, EPUB, a web page,
.docx, built here in a temporary folder) read by read_article, in characters
of the book per second and as a ratio to plain text. All measured in this run.
Usage: .venv/bin/python benchmarks/parse.py
"""
from __future__ import annotations

import html
import tempfile
import time
from pathlib import Path

from pypinyin import lazy_pinyin

from tts_pipeline.parse import parse_text, read_article

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
    formats(book)


def _chapters(book: str, count: int = 30) -> list[list[str]]:
    """The book's non-blank lines in `count` chapters."""
    lines = [line for line in book.splitlines() if line.strip()]
    size = len(lines) // count + 1
    return [lines[i:i + size] for i in range(0, len(lines), size)]


def _write_formats(book: str, folder: Path) -> dict[str, Path]:
    import docx
    from ebooklib import epub

    chapters = _chapters(book)
    files = {"txt": folder / "book.txt", "md": folder / "book.md", "html": folder / "book.html",
             "epub": folder / "book.epub", "docx": folder / "book.docx"}
    files["txt"].write_text(book, encoding="utf-8")
    files["md"].write_text("\n\n".join(f"# 第{n}章\n\n" + "\n\n".join(c) for n, c in enumerate(chapters, 1)),
                           encoding="utf-8")
    body = "".join(f"<h2>第{n}章</h2>" + "".join(f"<p>{html.escape(p)}</p>" for p in c)
                   for n, c in enumerate(chapters, 1))
    files["html"].write_text(f'<html><head><meta charset="utf-8"><title>书</title></head><body><nav><a href="/">首页</a>'
                             f"</nav><article>{body}</article><footer>版权所有</footer></body></html>", encoding="utf-8")
    document = epub.EpubBook()
    document.set_identifier("benchmark")
    document.set_title("书")
    items = []
    for n, chapter in enumerate(chapters, 1):
        item = epub.EpubHtml(title=f"第{n}章", file_name=f"c{n}.xhtml", lang="zh")
        item.content = f"<html><body><h1>第{n}章</h1>" + "".join(f"<p>{html.escape(p)}</p>" for p in chapter) + "</body></html>"
        document.add_item(item)
        items.append(item)
    document.toc = items
    document.add_item(epub.EpubNav())
    document.spine = ["nav", *items]
    epub.write_epub(str(files["epub"]), document)
    word = docx.Document()
    for n, chapter in enumerate(chapters, 1):
        word.add_heading(f"第{n}章", level=1)
        for paragraph in chapter:
            word.add_paragraph(paragraph)
    word.save(str(files["docx"]))
    return files


def formats(book: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = _write_formats(book, Path(folder))
        print(f"\nread_article of the same book in each format ({len(book):,} characters of text):")
        plain = None
        for kind, path in files.items():
            read_article(path)  # imports the reader's libraries before timing
            seconds = best_of(3, lambda: read_article(path))
            plain = plain or seconds
            print(f"  {kind:5} {seconds:6.2f} s  {len(book) / seconds / 1000:7,.0f}k characters/s  "
                  f"{seconds / plain:5.1f} x plain text")


if __name__ == "__main__":
    main()
