"""Token timing: the Timing transforms, and a token's time surviving every stage that moves audio.

The `tone-timed` engine speaks each syllable as a tone burst after a silence of
its own length and says exactly where each burst starts; after trimming,
resampling, levelling, pauses and the MP3 joins (encoder delay and padding),
the burst must still start where the manifest says, in the sentence file and in
the book.
"""
from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

import buildkit  # noqa: F401 - registers the tone engines
import tts_pipeline
from buildkit import decode
from tts_pipeline import engines
from tts_pipeline.cache import ClipCache
from tts_pipeline.engines.base import Engine
from tts_pipeline.model import Clip, Pronunciation
from tts_pipeline.stitch import PausePlan, prepared_sentence
from tts_pipeline.engines.speaking import estimated_timing
from tts_pipeline.timing import Timing, estimate, from_durations

RATE = 22050  # not the book's rate when a fallback mixes engines: the timing is resampled


def bursts(pron: Pronunciation, rate: int) -> tuple[np.ndarray, Timing]:
    """Per spoken token a silence, then a tone burst; lengths vary with the token, so no grid hides an error."""
    parts, tokens, starts, ends, position = [np.zeros(int(0.2 * rate))], [], [], [], int(0.2 * rate)
    for index, token in enumerate(pron.tokens):
        if not token.pinyin:
            continue
        crc = zlib.crc32(token.text.encode())
        gap, length = int((0.04 + crc % 5 * 0.01) * rate), int((0.08 + crc % 7 * 0.01) * rate)
        t = np.arange(length) / rate
        parts += [np.zeros(gap), 0.4 * np.sin(2 * np.pi * (200 + crc % 300) * t)]
        tokens.append(index)
        starts.append(position + gap)
        ends.append(position + gap + length)
        position += gap + length
    parts.append(np.zeros(int(0.3 * rate)))
    return np.concatenate(parts).astype(np.float32), Timing(rate, tuple(tokens), tuple(starts), tuple(ends))


class TimedEngine(Engine):
    name = "tone-timed"
    sample_rate = RATE

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        samples, timing = bursts(pronunciation, RATE)
        return Clip(samples, RATE, self.name, timing=timing)

    def cache_key(self, pronunciation: Pronunciation) -> str:
        return f"{self.name}:{pronunciation.sentence.text}"


engines.register(TimedEngine)


def onset(audio: np.ndarray, rate: int, around: float, reach: float = 0.03) -> float:
    """Where the audio first rises above a quarter of its level near `around`, in seconds."""
    a, b = max(0, int((around - reach) * rate)), int((around + reach) * rate)
    window = np.abs(audio[a:b])
    loud = np.flatnonzero(window > 0.25 * np.abs(audio).max())
    return (a + loud[0]) / rate if len(loud) else float("inf")


# --- the transforms ---------------------------------------------------------------------------

def test_cut_shifts_and_clamps_to_the_kept_audio():
    timing = Timing(100, (0, 2, 3), (10, 50, 90), (40, 80, 120))
    cut = timing.cut(20, 100)
    assert cut.starts == (0, 30, 70) and cut.ends == (20, 60, 80)
    assert cut.tokens == (0, 2, 3) and not cut.estimated


def test_delayed_resampled_and_joined():
    a = Timing(1000, (0,), (100,), (300,))
    b = Timing(2000, (1,), (0,), (400,), estimated=True)
    joined = Timing.joined([(0, a), (500, b)], 1000)
    assert joined.tokens == (0, 1) and joined.starts == (100, 500) and joined.ends == (300, 700)
    assert joined.estimated
    assert a.delayed(7).starts == (107,)
    assert a.resampled(24000).starts == (2400,)
    assert Timing.from_json(joined.to_json()) == joined


def test_durations_give_each_token_its_symbols_frames():
    # sil, initial+final of token 0, mark (belongs to token 0), initial+final of token 2, sil, eos
    owners = (-1, 0, 0, 0, 2, 2, 2, -1)
    frames = (3, 2, 5, 1, 2, 4, 6, 1)
    timing = from_durations(owners, frames, hop=300, sample_rate=24000)
    assert timing.tokens == (0, 2)
    assert timing.starts == (900, 3300) and timing.ends == (3300, 6900)


def test_a_timing_needs_a_start_and_end_per_token():
    with pytest.raises(ValueError):
        Timing(100, (0, 1), (0,), (1,))


def test_estimate_skips_the_pause_between_two_phrases():
    rate = 8000
    tone = 0.3 * np.sin(np.arange(int(0.4 * rate)) / 3)
    samples = np.concatenate([np.zeros(800), tone, np.zeros(4000), tone, np.zeros(800)])
    timing = estimate(samples, rate, [(0, 1), (1, 1)])
    assert timing.estimated
    assert abs(timing.starts[0] / rate - 0.1) < 0.02
    assert abs(timing.starts[1] / rate - (0.1 + 0.4 + 0.5)) < 0.02  # after the pause, not in it


# --- one clip through the sentence preparation --------------------------------------------------

def test_trimmed_and_resampled_clip_keeps_every_burst_where_its_timing_says():
    pron = buildkit_pron("今天天气很好")
    samples, timing = bursts(pron, RATE)
    clip = Clip(samples, RATE, "tone-timed", timing=timing)
    audio, moved = prepared_sentence(clip, 24000, PausePlan(keep=0.02))
    assert len(audio) < len(samples) * 24000 / RATE  # the edges were trimmed
    assert moved.sample_rate == 24000 and moved.tokens == timing.tokens
    for start in moved.starts:
        assert abs(onset(audio, 24000, start / 24000) - start / 24000) <= 0.002


def buildkit_pron(text: str) -> Pronunciation:
    from tts_pipeline.model import Sentence, SourcePosition, Token

    sentence = Sentence(0, text, (), (), SourcePosition("t.txt", 1, 1))
    return Pronunciation(sentence, tuple(Token(c, "ma1", "default", i, c) for i, c in enumerate(text)))


def test_an_engine_without_timing_gets_an_estimate_marked_as_such():
    pron = buildkit_pron("你好")
    samples, _ = bursts(pron, RATE)
    timing = estimated_timing(pron, samples, RATE)
    assert timing.estimated and timing.tokens == (0, 1)


# --- a whole build ------------------------------------------------------------------------------

ARTICLE = "# 第一章\n\n你好。我是王老师。\n\n今天天气很好，我们去公园吧！\n\n# 第二章\n\n重庆很大。谢谢大家。\n"


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_every_token_starts_where_the_manifest_says_in_its_file_and_in_the_book(tmp_path, fmt):
    source = tmp_path / "a.md"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    options = {"output": out, "engine": "tone-timed", "player": False, "format": fmt,
               "cache": ClipCache(tmp_path / "cache")}
    manifest = tts_pipeline.build(source, **options)
    book, rate = decode(out / "book.mp3")
    checked = 0
    for sentence in manifest.sentences:
        audio, file_rate = decode(out / sentence.file)
        times = [t for t in sentence.tokens if t.pinyin]
        assert all(t.start is not None for t in times)
        assert [t.start for t in times] == sorted(t.start for t in times)
        assert all(0 <= t.start < t.end <= sentence.end - sentence.start + 0.001 for t in times)
        for token in times:
            assert abs(onset(audio, file_rate, token.start) - token.start) <= 0.003, (sentence.id, token)
            assert abs(onset(book, rate, token.book_start) - token.book_start) <= 0.003, (sentence.id, token)
            checked += 1
    assert checked >= 20
    # a rebuild takes the chapters from the previous output and keeps their token times
    again = tts_pipeline.build(source, **options)
    assert [s.tokens for s in again.sentences] == [s.tokens for s in manifest.sentences]
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    punctuation = written["sentences"][1]["tokens"][-1]
    assert punctuation["text"] == "。" and "start" not in punctuation and "estimated" not in punctuation


# --- transcripts --------------------------------------------------------------------------------

def _cue():
    from tts_pipeline.export.manifest import TokenEntry
    from tts_pipeline.export.transcripts import Cue

    tokens = (TokenEntry("重", "chong2", "hint", 0.0, 0.22, 12.30, 12.52),
              TokenEntry("庆", "qing4", "lexicon", 0.22, 0.5, 12.52, 12.80),
              TokenEntry("在", "zai4", "lexicon", 0.5, 0.7, 12.80, 13.00),
              TokenEntry("哪", "na3", "lexicon", 0.7, 0.9, 13.00, 13.20),
              TokenEntry("儿", "er5", "lexicon", 0.9, 1.1, 13.20, 13.40),
              TokenEntry("？", None, "none"))
    return Cue("s0001", 12.30, 13.45, "重庆在哪儿？", "Chóngqìng zài nǎr?", tokens)


def test_enhanced_lrc_stamps_every_character_and_the_end_of_the_last():
    from tts_pipeline.export.transcripts import lrc

    lines = lrc([_cue()], "t").splitlines()
    assert lines[1] == "[00:12.30]<00:12.30>重<00:12.52>庆<00:12.80>在<00:13.00>哪<00:13.20>儿<00:13.40>？"
    # the pinyin line: one stamp per syllable shown, the erhua inside nǎr
    assert lines[2] == "[00:12.30]<00:12.30>Chóng<00:12.52>qìng <00:12.80>zài <00:13.00>nǎr<00:13.40>?"


def test_vtt_inline_timestamps_stay_strictly_inside_the_cue():
    from tts_pipeline.export.transcripts import vtt

    block = vtt([_cue()], "t").split("\n\n")[1].splitlines()
    assert block[1] == "00:00:12.300 --> 00:00:13.450"
    assert block[2] == "重<00:00:12.520>庆<00:00:12.800>在<00:00:13.000>哪<00:00:13.200>儿<00:00:13.400>？"
    assert block[3].startswith("Chóng<00:00:12.520>qìng ")


def test_srt_and_untimed_cues_stay_plain():
    from dataclasses import replace

    from tts_pipeline.export.transcripts import lrc, srt

    assert "<" not in srt([_cue()], "t")
    plain = replace(_cue(), tokens=())
    assert lrc([plain], "t").splitlines()[1] == "[00:12.30]重庆在哪儿？"


def test_an_engine_that_gives_word_times_has_them_shared_among_the_words_tokens():
    from tts_pipeline.model import WordTime

    pron = buildkit_pron("你好世界")
    pron = Pronunciation(pron.sentence, pron.tokens[:3] + (replace_pinyin(pron.tokens[3], "jie4 jie4"),))
    words = (WordTime("你好", 0.1, 0.5, 0, 1), WordTime("世界", 0.6, 1.2, 2, 3), WordTime("?", 1.3, 1.4))
    timing = estimated_timing(pron, np.zeros(RATE * 2, np.float32), RATE, words)
    assert timing.estimated and timing.tokens == (0, 1, 2, 3)
    seconds = [(round(s / RATE, 3), round(e / RATE, 3)) for s, e in zip(timing.starts, timing.ends)]
    # 世 has one syllable and the made-up 界 two: a third and two thirds of the word
    assert seconds == [(0.1, 0.3), (0.3, 0.5), (0.6, 0.8), (0.8, 1.2)]


def replace_pinyin(token, pinyin):
    from dataclasses import replace

    return replace(token, pinyin=pinyin)
