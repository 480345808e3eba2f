"""A small deterministic engine for testing the synthesis loop, the cache and workers.

Each syllable becomes a short tone whose pitch comes from the syllable, so
different sentences give different samples and equal ones equal samples.
Importing this module registers two engines:

- `test-tone`: speaks everything; sleeps TTS_TEST_TONE_DELAY seconds per
  sentence (to make a build slow enough to kill), and counts each call by
  appending a line to the file named by TTS_TEST_TONE_LOG, if set.
- `test-picky`: like test-tone but raises EngineError on any sentence
  containing 坏 (to exercise --fallback).

With TTS_TEST_TONE_LOG_PARENT set, each log line also names the parent
process of the speaking process (on a Ray cluster: the raylet of its node).

The kill-and-resume test loads it into a real `python -m tts_pipeline build`
the way any engine plugin is found: tests/plugin holds an installed package's
metadata whose `tts_pipeline.engines` entry point names this module.
"""
from __future__ import annotations

import os
import time
import zlib

import numpy as np

from tts_pipeline.engines import Engine, register
from tts_pipeline.errors import EngineError
from tts_pipeline.model import Clip, Notice, Pronunciation, SourcePosition, Sentence, Token

RATE = 16000
SYLLABLE_SECONDS = 0.04


@register
class ToneEngine(Engine):
    name = "test-tone"
    sample_rate = RATE
    description = "test tones (for the test suite only)"

    def cache_key(self, pronunciation: Pronunciation) -> str:
        return f"{self.name}|v1|speed={self.settings.speed}|{' '.join(pronunciation.syllables)}"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        delay = float(os.environ.get("TTS_TEST_TONE_DELAY", "0") or 0)
        if delay:
            time.sleep(delay)
        log = os.environ.get("TTS_TEST_TONE_LOG")
        if log:
            parent = f" {os.getppid()}" if os.environ.get("TTS_TEST_TONE_LOG_PARENT") else ""
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{pronunciation.sentence.id}{parent}\n")
        length = int(RATE * SYLLABLE_SECONDS / self.settings.speed)
        t = np.arange(length, dtype=np.float64) / RATE
        parts = [np.zeros(length // 2)]
        for syllable in pronunciation.syllables:
            pitch = 150 + zlib.crc32(syllable.encode()) % 400
            parts.append(0.3 * np.sin(2 * np.pi * pitch * t) + 0.01 * np.sin(2 * np.pi * 37.3 * t))
        return Clip(np.concatenate(parts).astype(np.float32), RATE, self.name)


@register
class PickyEngine(ToneEngine):
    name = "test-picky"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        if "坏" in pronunciation.sentence.text:
            raise EngineError(f"engine 'test-picky' cannot say 坏 in sentence {pronunciation.sentence.id}")
        return super().synthesize(pronunciation)


def pronunciation(index: int, text: str) -> Pronunciation:
    """A pronounced sentence without the pronounce stage: one made-up syllable per character."""
    sentence = Sentence(index, text, (), (), SourcePosition("test.txt", index + 1, 1))
    tokens = tuple(
        Token(ch, f"{'bcdfgjklmnpqrstwxyz'[ord(ch) % 19]}a{ord(ch) % 4 + 1}", "default", i, ch)
        for i, ch in enumerate(text)
    )
    return Pronunciation(sentence, tokens)


@register
class CrashingEngine(ToneEngine):
    """Ends its whole process on any sentence containing 崩: use only with worker processes."""

    name = "test-crash"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        if "崩" in pronunciation.sentence.text:
            os._exit(9)
        return super().synthesize(pronunciation)


@register
class CrashOnceEngine(ToneEngine):
    """Ends its whole process the first time it meets a sentence containing 崩 (it leaves the file named by
    TTS_TEST_CRASH_MARK behind to know), then speaks it like test-tone: a worker that dies once."""

    name = "test-crash-once"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        mark = os.environ["TTS_TEST_CRASH_MARK"]
        if "崩" in pronunciation.sentence.text and not os.path.exists(mark):
            open(mark, "w").close()
            os._exit(9)
        return super().synthesize(pronunciation)


@register
class ThreadsEngine(ToneEngine):
    """Says, in a notice on its clip, how many threads it was given."""

    name = "test-threads"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        clip = super().synthesize(pronunciation)
        return Clip(clip.samples, clip.sample_rate, self.name, (Notice("threads", f"threads={self.settings.threads}"),))


@register
class KeylessEngine(ToneEngine):
    """Like test-tone, but its cache_key fails (an engine's bug) on any sentence containing 坏."""

    name = "test-keyless"

    def cache_key(self, pronunciation: Pronunciation) -> str:
        if "坏" in pronunciation.sentence.text:
            raise ValueError("no key for 坏")
        return super().cache_key(pronunciation)
