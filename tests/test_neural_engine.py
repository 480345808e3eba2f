"""The neural engine end to end on short sentences; the models load once per module."""
from __future__ import annotations

import numpy as np
import pytest

from neural_pron import pron
from tts_pipeline.engines import VoiceSettings, create, engine_class

availability = engine_class("neural").availability()
if not availability.usable:  # pragma: no cover - depends on the machine
    pytest.skip(f"neural engine unusable here: {availability.reason}", allow_module_level=True)


@pytest.fixture(scope="module")
def engine():
    return create("neural", VoiceSettings(threads=2))


def test_a_short_sentence_has_a_plausible_duration(engine):
    p = pron("今天天气很好。")
    clip = engine.synthesize(p)
    assert clip.sample_rate == 24000 and clip.engine == "neural"
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert 6 * 0.15 <= clip.duration <= 6 * 0.4


def test_the_same_sentence_gives_identical_samples(engine):
    p = pron("我们去公园。")
    assert np.array_equal(engine.synthesize(p).samples, engine.synthesize(p).samples)


def test_speech_is_louder_than_silence_below_full_scale_and_centred(engine):
    samples = engine.synthesize(pron("明天见。")).samples
    rms = float(np.sqrt(np.mean(samples**2)))
    assert rms > 0.02
    assert np.abs(samples).max() < 0.99
    assert abs(float(samples.mean())) < 0.01


def test_a_hinted_polyphone_changes_the_audio_and_the_cache_key(engine):
    chong = pron("重新开始", readings={0: "chong2"})
    zhong = pron("重新开始", readings={0: "zhong4"})
    assert engine.cache_key(chong) != engine.cache_key(zhong)
    assert engine.cache_key(chong) == engine.cache_key(pron("重新开始", readings={0: "chong2"}))
    a, b = engine.synthesize(chong).samples, engine.synthesize(zhong).samples
    assert len(a) != len(b) or not np.array_equal(a, b)


def test_an_unknown_syllable_warns_in_the_clip_and_does_not_crash(engine):
    clip = engine.synthesize(pron("你好吗", readings={1: "xyz4"}))
    assert [n.code for n in clip.notices] == ["unspeakable"]
    assert clip.duration > 0.3


def test_a_sentence_with_nothing_to_say_gives_a_short_silent_clip(engine):
    clip = engine.synthesize(pron("……"))
    assert clip.duration < 0.2 and not clip.samples.any()


def test_slower_speed_gives_longer_audio_and_a_new_cache_key(engine):
    p = pron("今天天气很好。")
    slow = create("neural", VoiceSettings(speed=0.7, threads=2))
    assert slow.synthesize(p).duration > engine.synthesize(p).duration * 1.2
    assert slow.cache_key(p) != engine.cache_key(p)


def test_a_split_sentence_is_one_clip_with_a_pause_between_pieces(engine, monkeypatch):
    p = pron("我们今天下午去公园，他们明天上午去学校。")
    whole = engine.synthesize(p)
    monkeypatch.setattr(engine.frontend, "max_syllables", 10)
    assert len(engine.script(p).pieces) == 2
    split = engine.synthesize(p)
    frame = 240
    rms = np.sqrt(np.mean(split.samples[: len(split.samples) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    quiet = np.flatnonzero(rms < 1e-4)
    assert len(quiet) * frame / 24000 >= 0.2  # the joining pause
    assert abs(split.duration - whole.duration) < 0.6


def test_out_of_range_settings_are_refused_with_the_option_named():
    from tts_pipeline.errors import EngineError

    with pytest.raises(EngineError, match="speed 5"):
        create("neural", VoiceSettings(speed=5))


def _energy(samples: np.ndarray, a: float, b: float, rate: int = 24000) -> float:
    part = samples[int(a * rate):int(b * rate)]
    return float(np.sqrt(np.mean(part**2))) if len(part) else 0.0


def test_every_spoken_token_has_its_time_from_the_durations(engine):
    p = pron("重庆今天天气很好，我们去公园。")
    clip = engine.synthesize(p)
    spoken = [i for i, t in enumerate(p.tokens) if t.pinyin]
    timing = clip.timing
    assert timing is not None and not timing.estimated and timing.sample_rate == 24000
    assert list(timing.tokens) == spoken
    assert list(timing.starts) == sorted(timing.starts)
    assert all(0 <= s < e <= len(clip.samples) for s, e in zip(timing.starts, timing.ends))
    # every token's own span holds speech
    for _, start, end in timing.spans():
        assert _energy(clip.samples, start, end) > 0.01


def test_a_long_sentence_split_in_pieces_keeps_token_times_across_the_join(engine):
    text = "我们今天在这里召开一个非常重要的会议，讨论明年的工作计划和各个部门之间如何更好地合作的问题。"
    p = pron(text)
    assert len(engine.script(p).pieces) >= 2
    clip = engine.synthesize(p)
    timing = clip.timing
    assert len(timing) == sum(1 for t in p.tokens if t.pinyin)
    assert list(timing.starts) == sorted(timing.starts)
    after_comma = next(k for k, t in enumerate(timing.tokens) if p.tokens[t].text == "讨")
    start = timing.starts[after_comma] / 24000
    # the join's pause lies before the token, its speech after it
    assert _energy(clip.samples, start - 0.08, start - 0.02) < 0.3 * _energy(clip.samples, start, start + 0.1)


def test_slower_speech_stretches_the_token_times(engine):
    p = pron("我们去公园。")
    slow = create("neural", VoiceSettings(threads=2, speed=0.5)).synthesize(p)
    normal = engine.synthesize(p)
    ratio = (slow.timing.ends[-1] - slow.timing.starts[0]) / (normal.timing.ends[-1] - normal.timing.starts[0])
    assert 1.7 <= ratio <= 2.3
    assert slow.timing.ends[-1] <= len(slow.samples)
