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
