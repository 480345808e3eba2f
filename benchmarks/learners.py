"""Learner outputs at book length: the player page and the shadowing drills.

    .venv/bin/python benchmarks/learners.py            # 1,000 and 10,000 sentences
    .venv/bin/python benchmarks/learners.py --sizes 500 5000 --drill-sentences 50

Measured side by side in one run, on a made-up book of 33-character
sentences (one token per character, tone-number pinyin):

- page: render_page() time and the size of index.html, per size, and the
  ratio between sizes (linear growth gives the ratio of the sizes);
- drills: render_shadowing() with a stand-in synthesiser (a tone per
  syllable, so only the drill's own work is timed: trimming, loudness,
  encoding) for --drill-sentences sentences, as seconds of work per minute
  of drill audio, with and without a slow pass.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace

import numpy as np
from pypinyin import Style, lazy_pinyin

from tts_pipeline.learn.player import render_page
from tts_pipeline.learn.shadowing import ShadowingOptions, render_shadowing
from tts_pipeline.model import Clip, Pronunciation, Sentence, SourcePosition, Token

TEXT = "为了缩短等待时间，索道公司实行了网上预约，并在节假日延长运营时间。"
RATE = 24000


def tokens(text: str) -> list[Token]:
    out = []
    for i, ch in enumerate(text):
        reading = lazy_pinyin(ch, style=Style.TONE3, neutral_tone_with_five=True)[0]
        out.append(Token(ch, reading if reading[-1:].isdigit() else None, "lexicon", i, ch))
    return out


def manifest(n: int) -> dict:
    toks = [{"text": t.text, "pinyin": t.pinyin, "source": t.source} for t in tokens(TEXT)]
    sentences = [
        {"id": f"s{i + 1:05d}", "index": i, "chapter": 1 + i // 200, "paragraph": i // 5, "text": TEXT,
         "pinyin": "", "tokens": toks, "engine": "tone", "file": f"sentences/s{i + 1:05d}.mp3",
         "start": 0.0, "end": 4.5, "book_start": i * 5.0, "book_end": i * 5.0 + 4.5}
        for i in range(n)
    ]
    chapters = [{"index": c + 1, "title": f"第{c + 1}章", "file": f"chapters/{c + 1:02d}.mp3",
                 "start": c * 1000.0, "end": (c + 1) * 1000.0} for c in range((n + 199) // 200)]
    return {"title": "bench", "source": "bench.txt", "duration": n * 5.0, "sample_rate": RATE,
            "files": {"book": "book.mp3"}, "chapters": chapters, "sentences": sentences, "warnings": []}


def tone_synth(prons, engine, settings, **_):
    for pron in prons:
        seconds = 0.2 * len(pron.syllables) / settings.speed
        t = np.arange(int(seconds * RATE)) / RATE
        yield pron, Clip((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), RATE, engine)


def drills(n: int, slow: float | None) -> tuple[float, float]:
    data = manifest(n)
    sentence = Sentence(0, TEXT, (), tuple(i + 1 for i, c in enumerate(TEXT) if c == "，"), SourcePosition("b", 1, 1))
    toks = tuple(tokens(TEXT))
    prons = (Pronunciation(replace(sentence, index=i), toks) for i in range(n))
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = render_shadowing(folder, prons, data, engine="tone", synthesize=tone_synth,
                                  options=ShadowingOptions(slow_pass=slow))
        took = time.perf_counter() - start
    audio = sum(c["duration"] for c in result["chapters"])
    return took, audio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--drill-sentences", type=int, default=100)
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        data = manifest(n)
        start = time.perf_counter()
        page = render_page(data)
        rows.append((n, time.perf_counter() - start, len(page.encode("utf-8"))))
    print("page: sentences  render s  size MB")
    for n, took, size in rows:
        print(f"      {n:9d}  {took:8.2f}  {size / 1e6:7.2f}")
    if len(rows) > 1:
        (n0, t0, s0), (n1, t1, s1) = rows[0], rows[-1]
        print(f"      {n1 / n0:.0f}x sentences -> {t1 / t0:.1f}x time, {s1 / s0:.1f}x size")
    n = args.drill_sentences
    for slow in (None, 0.75):
        took, audio = drills(n, slow)
        label = f"slow pass {slow}" if slow else "no slow pass"
        print(f"drills ({n} sentences, {label}): {audio / 60:.1f} min of drill audio in {took:.1f} s"
              f" = {took / (audio / 60):.2f} s per minute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
