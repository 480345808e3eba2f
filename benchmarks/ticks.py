"""Ticks in the pauses of the sample article's clips, before and after the gate, side by side.

    .venv/bin/python benchmarks/ticks.py [ARTICLE] [--png DIR]

Synthesises every sentence of ARTICLE (default tests/data/sample_article.txt)
with the default voice (clips come from the clip cache when they are there),
then for each clip counts the isolated bursts `tts_pipeline.ticks.find_ticks`
finds in the clip as the engine gave it and in the clip as the stitcher
prepares it (`stitch.sentence_audio`: gate, trim, fades), each with its level
in the raw clip and after levelling to the profile's loudness (what a listener
hears). It also checks that the gate changed no sample at or above -30 dBFS
(speech is untouched), and with --png draws a spectrogram of 300 ms around the
first tick, before and after, for a person to look at.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts_pipeline.cache import ClipCache  # noqa: E402
from tts_pipeline.engines.base import VoiceSettings  # noqa: E402
from tts_pipeline.parse import read_article  # noqa: E402
from tts_pipeline.pronunciation import pronounce_article  # noqa: E402
from tts_pipeline.stitch import PausePlan, clip_samples, level, sentence_audio  # noqa: E402
from tts_pipeline.synthesize import synthesize_all  # noqa: E402
from tts_pipeline.ticks import CEILING, find_ticks, remove_ticks  # noqa: E402


def spectrogram_png(samples: np.ndarray, rate: int, path: Path, title: str) -> None:
    """A log-magnitude spectrogram (5 ms hop, 0-8 kHz, -110..-20 dB) drawn with Pillow."""
    from PIL import Image, ImageDraw

    size, hop = 512, rate // 200
    window = np.hanning(size)
    padded = np.pad(samples.astype(np.float64), size // 2)
    frames = [padded[i : i + size] * window for i in range(0, len(padded) - size, hop)]
    power = np.abs(np.fft.rfft(np.array(frames), axis=1)) / (window.sum() / 2)
    top = int(8000 / (rate / size))
    level_db = 20 * np.log10(np.maximum(power[:, :top], 1e-9))
    scaled = np.clip((level_db + 110) / 90, 0, 1)
    image = (255 * scaled.T[::-1]).astype(np.uint8)
    picture = Image.fromarray(image).resize((image.shape[1] * 6, image.shape[0] * 2), Image.NEAREST).convert("RGB")
    ImageDraw.Draw(picture).text((4, 4), title, fill=(255, 80, 80))
    picture.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("article", nargs="?", default=str(ROOT / "tests/data/sample_article.txt"))
    parser.add_argument("--png", type=Path, help="folder for before/after spectrograms of the first tick")
    args = parser.parse_args()
    prons = [p for p in pronounce_article(read_article(args.article)) if p.speaks]
    plan = PausePlan()
    before_total = after_total = 0
    touched_loud = 0
    drawn = False
    print(f"{'sentence':9} {'ticks before':>12} {'after':>6}  levels before (raw clip dBFS / levelled dBFS)")
    for pron, clip in synthesize_all(prons, "neural", VoiceSettings(threads=1), cache=ClipCache()):
        rate = clip.sample_rate
        raw = clip_samples(clip, rate)
        before = find_ticks(raw, rate)
        gated = remove_ticks(raw, rate)
        changed = np.flatnonzero(gated != raw)
        touched_loud += int(np.sum(np.abs(raw[changed]) >= CEILING))
        prepared = sentence_audio(clip, rate, plan)
        after = find_ticks(prepared, rate)
        # the gain levelling gives the clip, to say how loud each tick would have been in the files
        gain_db = level(clip_samples(clip, rate), rate).gain
        before_total += len(before)
        after_total += len(after)
        if before or after:
            levels = ", ".join(f"{t.start / rate:.3f} s {t.peak_db:.1f} / {t.peak_db + gain_db:.1f}" for t in before)
            print(f"{pron.sentence.id:9} {len(before):12d} {len(after):6d}  {levels}")
        if args.png and before and not drawn:
            args.png.mkdir(parents=True, exist_ok=True)
            tick = before[0]
            a, b = max(0, tick.start - int(0.15 * rate)), tick.end + int(0.15 * rate)
            spectrogram_png(raw[a:b], rate, args.png / "tick-before.png", f"{pron.sentence.id} before")
            spectrogram_png(gated[a:b], rate, args.png / "tick-after.png", f"{pron.sentence.id} after")
            drawn = True
    print(f"\nall {len(prons)} clips: {before_total} ticks before the gate, {after_total} after; "
          f"samples at or above -30 dBFS changed by the gate: {touched_loud}")


if __name__ == "__main__":
    main()
