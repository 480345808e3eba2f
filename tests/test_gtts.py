"""The gtts engine against Google's replayed HTTP exchange: no test touches the network."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import requests
import responses
from pypinyin import Style, pinyin

from gtts_fixtures import GOOGLE_URL, make_pronunciation, reply_audio, reply_without_audio, sent_parameters
from tts_pipeline import engines
from tts_pipeline.engines import gtts as gtts_engine
from tts_pipeline.engines import online
from tts_pipeline.engines.base import VoiceSettings
from tts_pipeline.engines.gtts import GttsEngine, plan_request
from tts_pipeline.engines.homophones import homophone, plain_readings
from tts_pipeline.errors import EngineError

SHIXING_FORCED = make_pronunciation(("实", "shi2", "lexicon"), ("行", "hang2", "hint"), ("。", None, "none"))


@pytest.fixture
def pauses(monkeypatch):
    """Record the backoff pauses instead of sleeping through them."""
    taken: list[float] = []
    monkeypatch.setattr(online.TextServiceEngine, "clock", online.Clock(sleep=taken.append))
    return taken


@pytest.fixture
def google():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _only_reading(character: str) -> list[str]:
    return pinyin(character, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]


# -- what is sent ------------------------------------------------------------


def test_hinted_reading_that_pypinyin_already_gives_is_sent_unchanged():
    pron = make_pronunciation(("重", "chong2", "hint"), ("庆", "qing4", "lexicon"))
    request = plan_request(pron)
    assert request.text == "重庆"
    assert request.swaps == ()
    assert request.notices == ()


def test_forced_reading_that_differs_is_sent_as_an_unambiguous_homophone():
    request = plan_request(SHIXING_FORCED)
    sent = request.text[1]
    assert request.text[0] == "实" and request.text[2] == "。"
    assert sent != "行"
    assert _only_reading(sent) == ["hang2"]
    assert request.swaps == ((1, "行", sent),)
    # Google, reading the request like pypinyin does, now says what was resolved.
    assert plain_readings(request.text)[:2] == ["shi2", "hang2"]


def test_word_whose_plain_reading_is_already_right_is_not_swapped():
    pron = make_pronunciation(("银", "yin2", "lexicon"), ("行", "hang2", "lexicon"))
    assert plan_request(pron).text == "银行"


def test_swap_happens_only_where_readings_differ_in_a_longer_sentence():
    pron = make_pronunciation(
        ("他", "ta1", "lexicon"), ("在", "zai4", "lexicon"), ("银", "yin2", "lexicon"), ("行", "hang2", "lexicon"),
        ("实", "shi2", "lexicon"), ("行", "hang2", "hint"), ("改", "gai3", "lexicon"), ("革", "ge2", "hint"),
        ("，", None, "none"), ("重", "chong2", "hint"), ("庆", "qing4", "lexicon"), ("。", None, "none"),
    )
    request = plan_request(pron)
    assert [offset for offset, _, _ in request.swaps] == [5]
    assert request.text[:5] == "他在银行实" and request.text[6:] == "改革，重庆。"


def test_numbers_are_sent_as_their_normalised_reading():
    pron = make_pronunciation(
        ("2024", "er4 ling2 er4 si4", "normalized", "二零二四"), ("年", "nian2", "lexicon"), ("。", None, "none")
    )
    request = plan_request(pron)
    assert request.text == "二零二四年。"
    assert request.swaps == ()


def test_reading_without_an_unambiguous_homophone_is_sent_as_written_with_a_notice():
    assert homophone("le4") is None, "precondition: no common character reads only le4"
    pron = make_pronunciation(("音", "yin1", "lexicon"), ("乐", "le4", "hint"))
    request = plan_request(pron)
    assert request.text == "音乐"
    (notice,) = request.notices
    assert notice.code == "gtts-no-homophone"
    assert notice.text == "乐" and notice.hint == "le4" and notice.used == "yue4"
    assert "s0001" in notice.message and "\n" not in notice.message


def test_tone_sandhi_and_neutral_tones_are_left_to_google():
    # pypinyin's phrase list writes 一 with its changed tone (yí before a 4th tone).
    pron = make_pronunciation(("一", "yi1", "lexicon"), ("不", "bu4", "lexicon"), ("小", "xiao3", "lexicon"),
                              ("心", "xin1", "lexicon"), ("东", "dong1", "lexicon"), ("西", "xi5", "lexicon"))
    request = plan_request(pron)
    assert request.text == "一不小心东西"
    assert request.notices == ()


def test_cache_key_names_the_request_text_language_and_pace():
    base = GttsEngine().cache_key(SHIXING_FORCED)
    assert plan_request(SHIXING_FORCED).text in base
    assert GttsEngine(VoiceSettings(language="zh-TW")).cache_key(SHIXING_FORCED) != base
    assert GttsEngine(VoiceSettings(options=(("slow", True),))).cache_key(SHIXING_FORCED) != base
    other = make_pronunciation(("实", "shi2", "lexicon"), ("行", "xing2", "lexicon"), ("。", None, "none"))
    assert GttsEngine().cache_key(other) != base


def test_unknown_language_is_refused_with_the_choices():
    with pytest.raises(EngineError, match="zh-CN, zh-TW"):
        GttsEngine(VoiceSettings(language="en"))


def test_availability_states_the_network_need_without_using_it(google):
    availability = GttsEngine.availability()
    assert availability.usable
    assert "network" in availability.reason
    assert GttsEngine.needs_network
    assert len(google.calls) == 0


# -- the replayed exchange ---------------------------------------------------


def test_success_decodes_googles_mp3_at_its_own_rate(google):
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    clip = GttsEngine().synthesize(SHIXING_FORCED)
    assert clip.engine == "gtts"
    assert clip.sample_rate == 24000
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert 0.35 < clip.duration < 0.55  # a 0.4 s tone plus the MP3 decoder's padding
    assert float(np.sqrt(np.mean(clip.samples**2))) > 0.05
    (call,) = google.calls
    text, language, speed, _ = sent_parameters(call.request.body)
    assert text == plan_request(SHIXING_FORCED).text
    assert language == "zh-CN" and speed is None


def test_language_and_slow_pace_reach_google(google):
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    GttsEngine(VoiceSettings(language="zh-TW", options=(("slow", True),))).synthesize(SHIXING_FORCED)
    _, language, speed, _ = sent_parameters(google.calls[0].request.body)
    assert language == "zh-TW" and speed is True


def test_a_slow_speed_selects_googles_slow_pace(google):
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    GttsEngine(VoiceSettings(speed=0.7)).synthesize(SHIXING_FORCED)
    assert sent_parameters(google.calls[0].request.body)[2] is True


def test_a_long_sentence_goes_in_several_requests_joined_in_order(google):
    tokens = []
    for _ in range(40):
        tokens += [("银", "yin2", "lexicon"), ("行", "hang2", "lexicon"), ("，", None, "none")]
    pron = make_pronunciation(*tokens, ("。", None, "none"))
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    one = GttsEngine().synthesize(SHIXING_FORCED)
    long = GttsEngine().synthesize(pron)
    parts = len(google.calls) - 1
    assert parts >= 2  # 121 characters: over gTTS's 100 per request
    assert all(len(sent_parameters(c.request.body)[0]) <= 100 for c in google.calls)
    assert "".join(sent_parameters(c.request.body)[0] for c in google.calls[1:]).strip("，。").replace("，", "") == "银行" * 40
    assert len(long.samples) == parts * len(one.samples)


def test_too_many_requests_is_retried_after_a_backoff(google, pauses):
    google.add(responses.POST, GOOGLE_URL, body="Too Many Requests", status=429)
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    clip = GttsEngine().synthesize(SHIXING_FORCED)
    assert len(google.calls) == 2
    assert len(pauses) == 1 and 0.5 <= pauses[0] <= 1.0
    assert clip.duration > 0.35


def test_retry_after_from_the_server_is_honoured(google, pauses):
    google.add(responses.POST, GOOGLE_URL, body="slow down", status=429, headers={"Retry-After": "7"})
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    GttsEngine().synthesize(SHIXING_FORCED)
    assert pauses == [7.0]


def test_server_errors_until_the_cap_end_in_one_clear_line(google, pauses):
    google.add(responses.POST, GOOGLE_URL, body="oops", status=500)
    engine = GttsEngine(VoiceSettings(options=(("attempts", 3),)))
    with pytest.raises(EngineError) as caught:
        engine.synthesize(SHIXING_FORCED)
    message = str(caught.value)
    assert len(google.calls) == 3
    assert "\n" not in message
    assert "Google could not be reached" in message and "s0001" in message
    assert "after 3 attempts" in message and "HTTP 500" in message
    assert "--engine neural" in message
    # Exponential with jitter: each pause between half and all of its doubling ceiling.
    assert len(pauses) == 2
    assert 0.5 <= pauses[0] <= 1.0 and 1.0 <= pauses[1] <= 2.0


def test_timeouts_are_retried_and_then_reported(google, pauses):
    google.add(responses.POST, GOOGLE_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    engine = GttsEngine(VoiceSettings(options=(("attempts", 2),)))
    with pytest.raises(EngineError, match="timed out.*--engine neural"):
        engine.synthesize(SHIXING_FORCED)
    assert len(google.calls) == 2


def test_a_timeout_then_a_reply_succeeds(google, pauses):
    google.add(responses.POST, GOOGLE_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    google.add(responses.POST, GOOGLE_URL, body=requests.exceptions.ConnectionError("connection reset"))
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    clip = GttsEngine().synthesize(SHIXING_FORCED)
    assert len(google.calls) == 3 and len(pauses) == 2
    assert clip.duration > 0.35


def test_a_refusal_is_not_retried(google, pauses):
    google.add(responses.POST, GOOGLE_URL, body="forbidden", status=403)
    with pytest.raises(EngineError, match="refused sentence s0001 .*403"):
        GttsEngine().synthesize(SHIXING_FORCED)
    assert len(google.calls) == 1 and pauses == []


def test_a_reply_without_audio_is_an_error(google, pauses):
    google.add(responses.POST, GOOGLE_URL, body=reply_without_audio(), status=200)
    with pytest.raises(EngineError, match="s0001"):
        GttsEngine().synthesize(SHIXING_FORCED)
    assert len(google.calls) == 1


def test_no_more_than_a_few_requests_at_once(google):
    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def slow_reply(request):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return 200, {}, reply_audio()

    google.add_callback(responses.POST, GOOGLE_URL, callback=slow_reply)
    engine = GttsEngine()
    threads = [threading.Thread(target=engine.synthesize, args=(SHIXING_FORCED,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(google.calls) == 6
    assert 1 <= state["most"] <= gtts_engine.REQUESTS_AT_ONCE


def test_registry_creates_gtts_by_name():
    engine = engines.create("gtts", VoiceSettings(language="zh-TW"))
    assert isinstance(engine, GttsEngine) and engine.language == "zh-TW"


# -- when Google cannot be reached -------------------------------------------

needs_espeak = pytest.mark.skipif(
    not engines.engine_class("espeak").availability().usable, reason="espeak (espeakng-loader) is not installed"
)


@needs_espeak
def test_a_sentence_google_fails_on_is_spoken_by_the_fallback_engine(google, pauses):
    from tts_pipeline.synthesize import synthesize_all

    first = make_pronunciation(("银", "yin2", "lexicon"), ("行", "hang2", "lexicon"), ("。", None, "none"))
    second = make_pronunciation(("实", "shi2", "lexicon"), ("行", "hang2", "hint"), ("。", None, "none"), index=1)
    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    google.add(responses.POST, GOOGLE_URL, body="oops", status=500)
    settings = VoiceSettings(options=(("attempts", 2),))
    results = list(synthesize_all([first, second], "gtts", settings, fallback="espeak"))
    assert len(google.calls) == 3  # one success, then two failed attempts
    (_, spoken_by_google), (_, spoken_by_espeak) = results
    assert spoken_by_google.engine == "gtts" and spoken_by_google.sample_rate == 24000
    assert spoken_by_espeak.engine == "espeak" and spoken_by_espeak.sample_rate == 22050
    assert spoken_by_espeak.duration > 0.3
    (notice,) = [n for n in spoken_by_espeak.notices if n.code == "engine-fallback"]
    assert "Google could not be reached" in notice.message and notice.used == "espeak"


def test_after_one_sentence_used_up_its_attempts_the_next_fail_fast_until_a_probe(google, pauses, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(online.TextServiceEngine, "clock", online.Clock(now=lambda: clock[0], sleep=pauses.append))
    google.add(responses.POST, GOOGLE_URL, body=requests.exceptions.ConnectionError("network unreachable"))
    engine = GttsEngine(VoiceSettings(options=(("attempts", 3),)))
    with pytest.raises(EngineError, match="after 3 attempts"):
        engine.synthesize(SHIXING_FORCED)
    assert len(google.calls) == 3
    clock[0] += 5
    with pytest.raises(EngineError, match="next try in 25 s.*--engine neural"):
        engine.synthesize(SHIXING_FORCED)
    assert len(google.calls) == 3  # no request, no backoff
    clock[0] += engine.cooldown
    with pytest.raises(EngineError, match="after 1 attempt "):
        engine.synthesize(SHIXING_FORCED)
    assert len(google.calls) == 4  # one probe
    clock[0] += engine.cooldown
    google.replace(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    assert engine.synthesize(SHIXING_FORCED).duration > 0.35
    assert engine.synthesize(SHIXING_FORCED).duration > 0.35  # back to normal
    assert len(google.calls) == 6


# -- the whole build ---------------------------------------------------------

ARTICLE = "实行(háng)资产盘活。\n重(chóng)庆的银行很多。\n"



def _read_manifest(folder):
    import json

    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_whole_build_with_gtts_against_the_replayed_exchange(tmp_path, google, pauses):
    from tts_pipeline.pipeline import build

    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    source = tmp_path / "news.txt"
    source.write_text(ARTICLE + "音乐(lè)很好听。\n", encoding="utf-8")
    out = tmp_path / "out"
    build(source, output=out, engine="gtts", hints="force", quiet=True)
    manifest = _read_manifest(out)
    assert manifest["engine"]["name"] == "gtts"
    assert [s["engine"] for s in manifest["sentences"]] == ["gtts", "gtts", "gtts"]
    assert (out / "book.mp3").stat().st_size > 0
    for sentence in manifest["sentences"]:
        assert (out / sentence["file"]).exists()
        assert sentence["end"] > sentence["start"]
    sent = [sent_parameters(call.request.body)[0] for call in google.calls]
    assert len(sent) == 3
    assert sent[0].startswith("实航") and "行" not in sent[0]  # the forced háng reaches Google
    assert sent[1] == "重庆的银行很多。"  # pypinyin already reads these as resolved
    assert sent[2] == "音乐很好听。"
    (warning,) = [w for w in manifest["warnings"] if w["code"] == "gtts-no-homophone"]
    assert warning["sentence"] == "s0003" and warning["text"] == "乐" and warning["hint"] == "le4"


@needs_espeak
def test_whole_build_with_google_down_and_espeak_as_fallback(tmp_path, google, pauses):
    from tts_pipeline.pipeline import build

    google.add(responses.POST, GOOGLE_URL, body="unavailable", status=503)
    source = tmp_path / "news.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    build(source, output=out, engine="gtts", fallback="espeak", hints="force", quiet=True,
          settings=VoiceSettings(options=(("attempts", 2),)))
    manifest = _read_manifest(out)
    assert [s["engine"] for s in manifest["sentences"]] == ["espeak", "espeak"]
    # the first sentence used its two attempts; the second was not retried during the cool-down
    assert len(google.calls) == 2
    fallbacks = [w for w in manifest["warnings"] if w["code"] == "engine-fallback"]
    assert len(fallbacks) == 2 and all("Google could not be reached" in w["message"] for w in fallbacks)


@needs_espeak
def test_whole_build_mixing_google_and_espeak_clips_in_one_book(tmp_path, google, pauses):
    from tts_pipeline.pipeline import build

    google.add(responses.POST, GOOGLE_URL, body=reply_audio(), status=200)
    google.add(responses.POST, GOOGLE_URL, body="unavailable", status=503)
    source = tmp_path / "news.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    build(source, output=out, engine="gtts", fallback="espeak", quiet=True,
          settings=VoiceSettings(options=(("attempts", 1),)))
    manifest = _read_manifest(out)
    first, second = manifest["sentences"]
    assert (first["engine"], second["engine"]) == ("gtts", "espeak")
    assert first["book_end"] <= second["book_start"] < second["book_end"] <= manifest["duration"] + 0.01
    # each clip keeps its length through the conversion to the book's rate
    assert first["end"] - first["start"] == pytest.approx(0.4, abs=0.1)
