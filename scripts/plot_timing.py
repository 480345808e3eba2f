"""Draw a sentence's spectrogram and energy with its token boundaries, from a built folder.

    python scripts/plot_timing.py audio_out/news s0002 timing.png [--book]

Reads manifest.json, decodes the sentence's own file (or, with --book, the same
span of book.mp3, to see the times after the joins) and marks where each token
starts, labelled with its text. For looking at the timing with one's own eyes;
needs matplotlib, which the project itself does not (pip install matplotlib).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import soundfile as sf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("sentence", help="a sentence id, e.g. s0002")
    parser.add_argument("image", type=Path)
    parser.add_argument("--book", action="store_true", help="read the span from book.mp3 instead of the sentence file")
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    manifest = json.loads((args.folder / "manifest.json").read_text(encoding="utf-8"))
    sentence = next(s for s in manifest["sentences"] if s["id"] == args.sentence)
    if args.book:
        audio, rate = sf.read(args.folder / "book.mp3", dtype="float32")
        origin = max(0.0, sentence["book_start"] - 0.2)
        audio = audio[int(origin * rate):int((sentence["book_end"] + 0.2) * rate)]
        key = "book_start"
    else:
        audio, rate = sf.read(args.folder / sentence["file"], dtype="float32")
        origin, key = 0.0, "start"
    fonts = [f for f in font_manager.findSystemFonts() if "CJK" in f or "wqy" in f.lower()]
    label_font = font_manager.FontProperties(fname=fonts[0]) if fonts else None
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(max(8, len(audio) / rate * 3), 5), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 1]})
    top.specgram(audio + 1e-7, NFFT=512, Fs=rate, noverlap=448, cmap="magma", vmin=-120)
    top.set_ylim(0, 5000)
    top.set_ylabel("Hz")
    frame = rate // 100
    count = len(audio) // frame
    level = 20 * np.log10(np.sqrt(np.mean(audio[:count * frame].reshape(count, frame) ** 2, axis=1)) + 1e-6)
    bottom.plot(np.arange(count) / 100, level, color="black", lw=0.8)
    bottom.set_ylabel("dBFS")
    bottom.set_xlabel("seconds")
    for token in sentence["tokens"]:
        if token.get(key) is None:
            continue
        at = token[key] - origin
        for axis in (top, bottom):
            axis.axvline(at, color="cyan", lw=0.8)
        top.text(at + 0.01, 4600, token["text"], color="white", fontproperties=label_font, fontsize=13)
    figure.tight_layout()
    figure.savefig(args.image, dpi=60)


if __name__ == "__main__":
    main()
