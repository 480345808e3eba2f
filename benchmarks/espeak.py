"""The espeak engine on the sample article: what reloading the library per sentence costs.

    .venv/bin/python benchmarks/espeak.py

The engine loads, uses and unloads libespeak-ng for every sentence so that
its output depends on the sentence alone.  Measured side by side in one run,
over every sentence of tests/data/sample_article.txt:

- engine: EspeakEngine.synthesize() (reload per sentence);
- kept: the same calls on a library loaded once and kept (faster, but a
  sentence's samples then depend on what was said before it);
- program: the espeak-ng program, one process per sentence (if on PATH).

Printed: audio seconds, time, real-time factor, the ratio to `kept`, and how
many sentences came out different when the whole article was spoken twice.
"""
from __future__ import annotations

import ctypes
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from engine import SAMPLE, pronunciations  # noqa: E402

from tts_pipeline.engines import espeak  # noqa: E402
from tts_pipeline.engines.espeak import EspeakEngine, pinyin_text  # noqa: E402


class KeptLibrary:
    def __init__(self, backend):
        self.lib = ctypes.CDLL(backend.path)
        self.chunks: list[np.ndarray] = []

        def collect(wav, count, _events):
            if count > 0:
                self.chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            return 0

        self.callback = espeak._SYNTH_CALLBACK(collect)
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_Initialize(espeak._AUDIO_OUTPUT_SYNCHRONOUS, 0, backend.data.encode(), espeak._INITIALIZE_DONT_EXIT)
        self.lib.espeak_SetSynthCallback(self.callback)
        self.lib.espeak_SetVoiceByName(espeak.VOICE.encode())
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]

    def speak(self, text: str) -> np.ndarray:
        self.chunks.clear()
        encoded = text.encode() + b"\0"
        self.lib.espeak_Synth(encoded, len(encoded), 0, 0, 0, espeak._CHARS_UTF8, None, None)
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)


def timed(speak, texts):
    start = time.perf_counter()
    clips = [speak(t) for t in texts]
    return time.perf_counter() - start, clips


def main() -> None:
    prons, how = pronunciations(SAMPLE)
    texts = [pinyin_text(p) for p in prons]
    print(f"{len(prons)} sentences of {SAMPLE.name} ({how})")
    engine = EspeakEngine()
    rows = []

    seconds, clips = timed(lambda p: engine.synthesize(p).samples, prons)
    _, again = timed(lambda p: engine.synthesize(p).samples, list(reversed(prons)))
    audio = sum(len(c) for c in clips) / espeak.SAMPLE_RATE
    differing = sum(not np.array_equal(a, b) for a, b in zip(clips, reversed(again)))
    rows.append(("engine (reload)", seconds, differing))

    backend = espeak._find_backend()
    if backend and backend.kind == "library":
        import _ctypes

        kept = KeptLibrary(backend)
        kept_seconds, kept_clips = timed(kept.speak, texts)
        _, kept_again = timed(kept.speak, list(reversed(texts)))
        differing = sum(not np.array_equal(a, b) for a, b in zip(kept_clips, reversed(kept_again)))
        rows.append(("kept loaded", kept_seconds, differing))
        kept.lib.espeak_Terminate()
        _ctypes.dlclose(kept.lib._handle)
    program = shutil.which("espeak-ng")
    if program:
        prog_backend = espeak._Backend("program", program)
        speak = lambda t: espeak._speak_with_program(prog_backend, t, engine.rate, engine.pitch)  # noqa: E731
        prog_seconds, prog_clips = timed(speak, texts)
        _, prog_again = timed(speak, list(reversed(texts)))
        differing = sum(not np.array_equal(a, b) for a, b in zip(prog_clips, reversed(prog_again)))
        rows.append(("program", prog_seconds, differing))

    baseline = dict((name, s) for name, s, _ in rows).get("kept loaded")
    print(f"audio: {audio:.1f} s")
    print(f"{'backend':16} {'time s':>8} {'ms/sent':>8} {'RTF':>7} {'vs kept':>8} {'differ on 2nd pass':>19}")
    for name, s, differing in rows:
        ratio = f"{s / baseline:.2f}x" if baseline else "-"
        print(f"{name:16} {s:8.2f} {1000 * s / len(prons):8.1f} {s / audio:7.4f} {ratio:>8} {differing:>12}/{len(prons)}")


if __name__ == "__main__":
    main()
