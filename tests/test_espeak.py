"""The espeak engine: pinyin in, deterministic speech out, options honoured."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from gtts_fixtures import make_pronunciation
from tts_pipeline import engines
from tts_pipeline.engines import espeak
from tts_pipeline.engines.base import VoiceSettings
from tts_pipeline.engines.espeak import EspeakEngine, pinyin_text
from tts_pipeline.model import Token

CHONGQING = make_pronunciation(
    ("重", "chong2", "hint"), ("庆", "qing4", "lexicon"), ("，", None, "none"),
    ("实", "shi2", "lexicon"), ("行", "hang2", "hint"), ("。", None, "none"),
)

needs_espeak = pytest.mark.skipif(
    espeak.backend_kind() == "none", reason="neither espeakng-loader nor the espeak-ng program is installed"
)


def _f0_track(samples: np.ndarray, rate: int) -> np.ndarray:
    """Fundamental frequency of each loud 30 ms frame, by autocorrelation (Hz)."""
    frame, hop = int(0.03 * rate), int(0.01 * rate)
    low, high = rate // 300, rate // 60
    loudest = np.abs(samples).max()
    track = []
    for start in range(0, len(samples) - frame, hop):
        chunk = samples[start:start + frame]
        if np.sqrt(np.mean(chunk**2)) < 0.1 * loudest:
            continue
        chunk = chunk - chunk.mean()
        corr = np.correlate(chunk, chunk, mode="full")[frame - 1:]
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.4 * corr[0]:
            track.append(rate / lag)
    return np.array(track)


def _syllable(pinyin: str):
    return make_pronunciation(("妈", pinyin, "hint"), ("。", None, "none"))


# -- input text --------------------------------------------------------------


def test_resolved_readings_go_in_as_tone_numbered_pinyin_with_pauses():
    assert pinyin_text(CHONGQING) == "chong2 qing4, shi2 hang2."


def test_syllables_of_one_word_are_joined_and_umlauts_spelled_for_the_voice():
    tokens = (
        Token("绿", "lv4", "lexicon", 0, "绿", True), Token("色", "se4", "lexicon", 1, "色", False),
        Token("去", "qu4", "lexicon", 2, "去", True), Token("女", "nv3", "lexicon", 3, "女", True),
        Token("居", "jv1", "lexicon", 4, "居", True), Token("儿", "r5", "lexicon", 5, "儿", False),
        Token("？", None, "none", 6, "？", True),
    )
    pron = make_pronunciation()
    pron = type(pron)(pron.sentence, tokens)
    assert pinyin_text(pron) == "lv4se4 qu4 nv3 ju1er5?"


def test_numbers_are_read_from_their_normalised_pinyin():
    pron = make_pronunciation(("2024", "er4 ling2 er4 si4", "normalized", "二零二四"), ("年", "nian2", "lexicon"))
    assert pinyin_text(pron) == "er4ling2er4si4 nian2"


def test_cache_key_follows_the_text_and_every_option():
    base = EspeakEngine().cache_key(CHONGQING)
    assert "chong2 qing4, shi2 hang2." in base
    assert EspeakEngine(VoiceSettings(speed=1.3)).cache_key(CHONGQING) != base
    assert EspeakEngine(VoiceSettings(pitch=1.2)).cache_key(CHONGQING) != base
    other = make_pronunciation(("实", "shi2", "lexicon"), ("行", "xing2", "lexicon"))
    assert EspeakEngine().cache_key(other) != base


# -- speech --------------------------------------------------------------------


@needs_espeak
def test_a_sentence_is_speech_of_a_plausible_length_and_level():
    clip = EspeakEngine().synthesize(CHONGQING)
    assert clip.engine == "espeak" and clip.sample_rate == 22050
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert 0.8 < clip.duration < 4.0  # four syllables and a pause
    assert np.abs(clip.samples).max() <= 1.0
    rms_db = 20 * np.log10(np.sqrt(np.mean(clip.samples**2)))
    assert -30 < rms_db < -6
    # speech has a pitch: most loud frames are voiced at a speaking voice's F0
    f0 = _f0_track(clip.samples, clip.sample_rate)
    assert len(f0) > 20 and 70 < np.median(f0) < 300


@needs_espeak
def test_output_depends_on_the_sentence_alone():
    engine = EspeakEngine()
    first = engine.synthesize(CHONGQING).samples
    engine.synthesize(make_pronunciation(("你", "ni3", "lexicon"), ("好", "hao3", "lexicon")))
    again = EspeakEngine().synthesize(CHONGQING).samples
    assert first.shape == again.shape and np.array_equal(first, again)


@needs_espeak
def test_tones_are_spoken_as_resolved():
    def rise(pinyin: str) -> float:
        track = _f0_track(*_clip_parts(_syllable(pinyin)))
        third = len(track) // 3
        return float(np.median(track[-third:]) / np.median(track[:third]))

    assert rise("ma2") > 1.05  # 2nd tone rises
    assert rise("ma4") < 0.95  # 4th tone falls
    assert rise("ma2") > rise("ma1") > rise("ma4")


def _clip_parts(pron):
    clip = EspeakEngine().synthesize(pron)
    return clip.samples, clip.sample_rate


@needs_espeak
def test_speed_and_pitch_options_change_the_voice():
    normal = EspeakEngine().synthesize(CHONGQING)
    fast = EspeakEngine(VoiceSettings(speed=1.6)).synthesize(CHONGQING)
    slow = EspeakEngine(VoiceSettings(speed=0.7)).synthesize(CHONGQING)
    assert fast.duration < 0.8 * normal.duration < slow.duration
    low = np.median(_f0_track(*_clip_parts_with(VoiceSettings(pitch=0.6))))
    high = np.median(_f0_track(*_clip_parts_with(VoiceSettings(pitch=1.6))))
    assert high > 1.2 * low


def _clip_parts_with(settings):
    clip = EspeakEngine(settings).synthesize(CHONGQING)
    return clip.samples, clip.sample_rate


@needs_espeak
def test_a_syllable_the_voice_does_not_know_gives_a_notice():
    pron = make_pronunciation(("嗯", "hm5", "hint"), ("。", None, "none"))
    clip = EspeakEngine().synthesize(pron)
    (notice,) = clip.notices
    assert notice.code == "espeak-unknown-syllable" and notice.text == "hm5"
    assert "s0001" in notice.message
    assert EspeakEngine().synthesize(CHONGQING).notices == ()


@needs_espeak
def test_a_sentence_with_nothing_to_say_is_an_empty_clip():
    clip = EspeakEngine().synthesize(make_pronunciation(("……", None, "none")))
    assert clip.duration == 0


@needs_espeak
def test_registry_lists_and_creates_espeak():
    assert "espeak" in engines.engine_names()
    assert EspeakEngine.availability().usable
    assert isinstance(engines.create("espeak"), EspeakEngine)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="the espeak-ng program is not installed")
def test_the_espeak_ng_program_is_used_when_chosen(monkeypatch):
    monkeypatch.setenv(espeak.BACKEND_ENV_VAR, "program")
    assert EspeakEngine.availability().reason == f"the espeak-ng program at {shutil.which('espeak-ng')}"
    assert espeak.backend_kind() == "program"
    clip = EspeakEngine().synthesize(CHONGQING)
    assert clip.sample_rate == 22050 and 0.8 < clip.duration < 4.0
    assert np.array_equal(clip.samples, EspeakEngine().synthesize(CHONGQING).samples)


def test_without_the_chosen_espeak_the_engine_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv(espeak.BACKEND_ENV_VAR, "program")
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no espeak-ng on it
    availability = EspeakEngine.availability()
    assert not availability.usable and "apt install espeak-ng" in availability.reason
    with pytest.raises(engines.EngineError, match="espeak-ng program is not on PATH"):
        engines.create("espeak")


def test_a_backend_that_does_not_exist_is_named_in_one_line(monkeypatch):
    monkeypatch.setenv(espeak.BACKEND_ENV_VAR, "festival")
    availability = EspeakEngine.availability()
    assert not availability.usable
    assert availability.reason == ("TTS_PIPELINE_ESPEAK='festival' names no way to run espeak-ng; "
                                   "set it to library or program, or leave it unset")


@pytest.mark.skipif(espeak.backend_kind() != "library", reason="libespeak-ng of espeakng-loader does not load here")
def test_the_library_is_the_default_and_can_be_chosen(monkeypatch):
    monkeypatch.delenv(espeak.BACKEND_ENV_VAR, raising=False)
    default = EspeakEngine.availability().reason
    monkeypatch.setenv(espeak.BACKEND_ENV_VAR, "library")
    assert EspeakEngine.availability().reason == default == "libespeak-ng from the espeakng-loader package, in this process"


@needs_espeak
def test_a_token_without_a_reading_is_reported_not_spoken():
    pron = make_pronunciation(("去", "qu4", "lexicon"), ("Ω3", None, "none"), ("。", None, "none"))
    clip = EspeakEngine().synthesize(pron)
    (notice,) = clip.notices
    assert notice.code == "espeak-unspoken" and notice.text == "Ω3"
    assert pinyin_text(pron) == "qu4."


@needs_espeak
def test_the_bundled_example_builds_with_espeak(tmp_path):
    import json
    from pathlib import Path

    from tts_pipeline.pipeline import build

    example = Path(__file__).resolve().parent.parent / "examples" / "chongqing-news.txt"
    out = tmp_path / "out"
    build(example, output=out, engine="espeak", quiet=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "espeak" and manifest["sample_rate"] == 22050
    sentences = manifest["sentences"]
    assert len(sentences) >= 5 and {s["engine"] for s in sentences} == {"espeak"}
    assert not [w for w in manifest["warnings"] if w["code"].startswith("espeak-")]
    for sentence in sentences:
        assert (out / sentence["file"]).stat().st_size > 0
        # espeak speaks about 4-6 syllables a second at its normal pace
        han = sum("\u4e00" <= c <= "\u9fff" for c in sentence["text"])
        assert han / 8 < sentence["end"] - sentence["start"] < han / 2 + 2


def test_word_events_time_the_words_and_share_each_among_its_syllables():
    words = {1: [(0, 1), (1, 1)], 13: [(3, 2)]}  # "chong2qing4 …": two one-syllable tokens, then one of two
    timing = espeak._word_timing(words, [(1, 0), (13, 1000)], 3000)
    assert timing.tokens == (0, 1, 3) and timing.estimated
    assert timing.starts == (0, 500, 1000) and timing.ends == (500, 1000, 3000)
    assert espeak._word_timing(words, [(1, 0)], 3000) is None  # a word without its event: no timing from events


@needs_espeak
def test_the_library_times_every_spoken_token_from_its_word_events():
    if espeak._find_backend().kind != "library":
        pytest.skip("the espeak-ng program gives no word events; only the library does")
    clip = EspeakEngine().synthesize(CHONGQING)
    timing = clip.timing
    assert timing is not None and timing.estimated
    assert timing.tokens == (0, 1, 3, 4)
    assert list(timing.starts) == sorted(timing.starts) and timing.ends[-1] <= len(clip.samples)
    # the clause's pause lies before 实, which starts a word: silence just before its start, speech after
    start, rate = timing.starts[2], clip.sample_rate

    def rms(a: float, b: float) -> float:
        return float(np.sqrt(np.mean(clip.samples[start + int(a * rate):start + int(b * rate)] ** 2)))

    assert rms(-0.08, -0.01) < 0.005 and rms(0.0, 0.2) > 0.05
