"""Does starting one ffmpeg per sentence file dominate the build? Measured side by side.

    .venv/bin/python benchmarks/sentence_files.py [OUTPUT_FOLDER]

OUTPUT_FOLDER is a finished build (default: builds tests/data/sample_article.txt
with the default engine into a temporary folder first, timing that build).
For every chapter it re-encodes the sentence files three ways from the same
PCM: one ffmpeg process per sentence, the build's batched way (one process
cutting up to 64 files with asplit/atrim), and the chapter file alone for scale.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts_pipeline.export import ffmpeg  # noqa: E402


def build_sample(folder: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tts_pipeline", "build", str(ROOT / "tests/data/sample_article.txt"),
         "-o", str(folder), "--no-cache", "--quiet"],
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    build_seconds = None
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        if len(sys.argv) > 1:
            folder = Path(sys.argv[1])
        else:
            folder = scratch / "sample"
            build_seconds = build_sample(folder)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        rate = manifest["sample_rate"]
        codec, bitrate = ffmpeg.CODECS["mp3"], "64k"
        per_process = batched = chapter_only = 0.0
        count = 0
        for chapter in manifest["chapters"]:
            wav = scratch / f"chapter{chapter['index']}.wav"
            ffmpeg.run(["-i", str(folder / chapter["file"]), "-ar", str(rate), "-ac", "1", "-c:a", "pcm_s16le", str(wav)], "wav")
            cuts = [(round(s["start"] * rate), round(s["end"] * rate), s["id"])
                    for s in manifest["sentences"] if s["chapter"] == chapter["index"]]
            count += len(cuts)
            (scratch / "a").mkdir(exist_ok=True)
            (scratch / "b").mkdir(exist_ok=True)
            started = time.perf_counter()
            for start, end, name in cuts:
                ffmpeg.encode_sentences(wav, [(start, end, scratch / "a" / f"{name}.mp3")], codec, bitrate)
            per_process += time.perf_counter() - started
            started = time.perf_counter()
            ffmpeg.encode_sentences(wav, [(s, e, scratch / "b" / f"{n}.mp3") for s, e, n in cuts], codec, bitrate)
            batched += time.perf_counter() - started
            started = time.perf_counter()
            ffmpeg.encode_file(wav, scratch / "chapter.mp3", codec, bitrate)
            chapter_only += time.perf_counter() - started
        print(f"folder: {folder} ({count} sentences, {manifest['duration']:.1f} s of audio)")
        if build_seconds is not None:
            print(f"whole build (neural, no cache):        {build_seconds:7.2f} s")
        print(f"sentence files, one process each:      {per_process:7.2f} s  ({1000 * per_process / count:.1f} ms a file)")
        print(f"sentence files, batched (as built):    {batched:7.2f} s  ({1000 * batched / count:.1f} ms a file)")
        print(f"chapter files alone, for scale:        {chapter_only:7.2f} s")
        print(f"one process each / batched:            {per_process / batched:7.2f} x")
        if build_seconds is not None:
            print(f"one process each, share of the build:  {100 * per_process / build_seconds:7.1f} %")
            print(f"batched, share of the build:           {100 * batched / build_seconds:7.1f} %")


if __name__ == "__main__":
    main()
