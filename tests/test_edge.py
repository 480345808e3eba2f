"""The edge engine against a local stand-in for Microsoft's service (tests/edge_service.py): no network."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from edge_service import EdgeService
from gtts_fixtures import make_pronunciation  # noqa: E402
from tts_pipeline import engines  # noqa: E402
from tts_pipeline.cache import ClipCache  # noqa: E402
from tts_pipeline.engines import online  # noqa: E402
from tts_pipeline.engines.base import VoiceSettings  # noqa: E402
from tts_pipeline.engines.edge import SERVICE_ENV_VAR, SHIPPED_VOICES, EdgeEngine, list_voices, pitch_for, rate_for  # noqa: E402
from tts_pipeline.errors import EngineError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# 实行 with the hint háng forced: a plain reader says shíxíng, so 行 goes out as a homophone.
SHIXING = make_pronunciation(("实", "shi2", "lexicon"), ("行", "hang2", "hint"), ("。", None, "none"))


@pytest.fixture(scope="module")
def running_service():
    service = EdgeService().start()
    yield service
    service.stop()


@pytest.fixture
def edge_service(running_service, monkeypatch):
    """The local service, emptied of earlier exchanges, with the engine pointed at it."""
    running_service.script.clear()
    running_service.requests.clear()
    running_service.connections = 0
    monkeypatch.setenv(SERVICE_ENV_VAR, running_service.url)
    return running_service


@pytest.fixture
def pauses(monkeypatch):
    """Record the backoff pauses instead of sleeping through them."""
    taken: list[float] = []
    monkeypatch.setattr(online.TextServiceEngine, "clock", online.Clock(sleep=taken.append))
    return taken


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"ws://127.0.0.1:{s.getsockname()[1]}"  # nothing listens once the socket is closed


# -- voices -------------------------------------------------------------------


def test_voices_come_from_the_service_and_only_mandarin_ones(edge_service):
    voices, source = list_voices()
    assert source == "the service"
    assert [v.name for v in voices] == ["zh-CN-XiaoxiaoNeural", "zh-CN-YunxiNeural"]  # no zh-HK, no en-US


def test_voices_offline_are_the_shipped_list_marked_as_such(monkeypatch):
    monkeypatch.setenv(SERVICE_ENV_VAR, _closed_port())
    voices, source = list_voices()
    assert voices == SHIPPED_VOICES
    assert source.startswith("the list shipped with tts-pipeline; the service could not be asked: cannot connect to 127.0.0.1")


def test_voices_command_lists_the_engine_and_its_voices(edge_service, capsys):
    from tts_pipeline.cli import main

    assert main(["voices"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("edge ")]
    assert "usable" in line and "online" in line and "24000 Hz" in line
    assert main(["voices", "--engine", "edge"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "edge voices, from the service:"
    assert out[2].startswith("zh-CN-YunxiNeural") and "Male" in out[2]
    assert main(["voices", "--engine", "neural"]) == 0
    assert "neural has one voice" in capsys.readouterr().out


def test_voice_is_refused_for_an_engine_with_one_voice(tmp_path):
    with pytest.raises(EngineError, match=r"engine 'espeak' has one voice, so --voice does not apply.*edge, gtts"):
        engines.create("espeak", VoiceSettings(voice="zh-CN-YunxiNeural"))
    from tts_pipeline.pipeline import build

    source = tmp_path / "a.txt"
    source.write_text("你好。", encoding="utf-8")
    with pytest.raises(EngineError, match="engine 'neural' has one voice"):
        build(source, output=tmp_path / "out", settings=VoiceSettings(voice="zh-CN-YunxiNeural"))
    assert not (tmp_path / "out").exists()  # refused before any work


def test_a_name_that_is_no_mandarin_edge_voice_is_refused_at_once():
    for name in ("en-US-EmmaMultilingualNeural", "zh-HK-HiuGaaiNeural", "Yunxi"):
        with pytest.raises(EngineError, match="is not a Mandarin Edge voice"):
            EdgeEngine(VoiceSettings(voice=name))


# -- what is sent ---------------------------------------------------------------


def test_speed_and_pitch_become_the_services_rate_and_pitch():
    assert (rate_for(1.0), rate_for(0.8), rate_for(1.25)) == ("+0%", "-20%", "+25%")
    assert (pitch_for(1.0, "Male"), pitch_for(1.1, "Female"), pitch_for(0.9, "Male")) == ("+0Hz", "+22Hz", "-12Hz")


def test_voice_rate_pitch_and_substituted_text_reach_the_service(edge_service):
    engine = EdgeEngine(VoiceSettings(voice="zh-CN-YunxiNeural", speed=0.8, pitch=1.1))
    clip = engine.synthesize(SHIXING)
    (sent,) = edge_service.requests
    assert (sent.voice, sent.rate, sent.pitch) == ("zh-CN-YunxiNeural", "-20%", "+12Hz")
    assert sent.text == "实航。" == engine.sent_text(SHIXING)  # háng kept: 航 reads only háng
    assert clip.engine == "edge" and clip.sample_rate == 24000
    assert clip.duration == pytest.approx(1.2, abs=0.05)  # the recorded reply, decoded once
    assert 0.03 < abs(clip.samples).max() <= 1.0  # the recorded tone, not silence


def test_the_engine_also_runs_inside_a_running_event_loop(edge_service):
    import asyncio

    async def in_a_notebook():
        return EdgeEngine().synthesize(SHIXING)

    assert asyncio.run(in_a_notebook()).duration > 1.0


def test_cache_key_covers_voice_rate_pitch_and_the_text_sent():
    base = EdgeEngine().cache_key(SHIXING)
    assert base.endswith("|实航。")
    others = [
        EdgeEngine(VoiceSettings(voice="zh-CN-YunxiNeural")).cache_key(SHIXING),
        EdgeEngine(VoiceSettings(speed=0.9)).cache_key(SHIXING),
        EdgeEngine(VoiceSettings(pitch=1.2)).cache_key(SHIXING),
        EdgeEngine().cache_key(make_pronunciation(("实", "shi2", "lexicon"), ("行", "xing2", "lexicon"), ("。", None, "none"))),
    ]
    assert len({base, *others}) == 5


def test_a_reading_no_homophone_can_carry_is_sent_as_written_with_a_notice():
    request = EdgeEngine().plan(make_pronunciation(("音", "yin1", "lexicon"), ("乐", "le4", "hint")))
    assert request.text == "音乐"
    (notice,) = request.notices
    assert notice.code == "edge-no-homophone" and notice.hint == "le4" and "the Edge voice will likely say yue4" in notice.message


# -- timing -------------------------------------------------------------------


def test_word_boundaries_become_word_times_tied_to_tokens_and_survive_the_cache(edge_service, tmp_path):
    pron = make_pronunciation(("2024", "er4 ling2 er4 si4", "normalized", "二零二四"), ("年", "nian2", "lexicon"),
                              ("，", None, "none"), ("AI", "A I", "normalized"), ("好", "hao3", "lexicon"))
    clip = EdgeEngine().synthesize(pron)
    assert [w.text for w in clip.words] == ["二", "零", "二", "四", "年", "AI", "好"]
    assert [(w.first_token, w.last_token) for w in clip.words] == [(0, 0)] * 4 + [(1, 1), (3, 3), (4, 4)]
    starts = [w.start for w in clip.words]
    assert starts == sorted(starts) and all(w.start < w.end <= clip.duration for w in clip.words)
    cache = ClipCache(tmp_path)
    cache.put("k", clip)
    assert cache.get("k").words == clip.words


# -- failures -----------------------------------------------------------------


def test_throttling_is_retried_with_growing_pauses_then_succeeds(edge_service, pauses):
    edge_service.script[:] = ["throttle", "throttle", "ok"]
    clip = EdgeEngine().synthesize(SHIXING)
    assert clip.duration > 1.0 and edge_service.connections == 3
    assert len(pauses) == 2 and 0.5 <= pauses[0] <= 1.0 and 1.0 <= pauses[1] <= 2.0


def test_throttling_that_does_not_pass_ends_in_one_line(edge_service, pauses):
    edge_service.script[:] = ["throttle"] * 3
    with pytest.raises(EngineError) as failure:
        EdgeEngine(VoiceSettings(options=(("attempts", 3),))).synthesize(SHIXING)
    message = str(failure.value)
    assert "\n" not in message and "sentence s0001" in message and "after 3 attempts (last: HTTP 429" in message
    assert len(pauses) == 2


def test_a_stream_cut_off_half_way_is_retried_and_never_kept(edge_service, pauses):
    edge_service.script[:] = ["cut", "ok"]
    clip = EdgeEngine().synthesize(SHIXING)
    assert clip.duration == pytest.approx(1.2, abs=0.05) and edge_service.connections == 2
    edge_service.script[:] = ["cut", "cut"]
    with pytest.raises(EngineError, match=r"after 2 attempts \(last: the stream was cut off after 0\.\d s of audio"):
        EdgeEngine(VoiceSettings(options=(("attempts", 2),))).synthesize(SHIXING)


def test_the_service_closing_before_any_audio_is_retried(edge_service, pauses):
    edge_service.script[:] = ["close", "ok"]
    assert EdgeEngine().synthesize(SHIXING).duration > 1.0
    assert edge_service.connections == 2 and len(pauses) == 1


def test_a_voice_the_service_does_not_have_ends_naming_it(edge_service, pauses):
    with pytest.raises(EngineError) as failure:
        EdgeEngine(VoiceSettings(voice="zh-CN-NobodyNeural", options=(("attempts", 2),))).synthesize(SHIXING)
    assert "sent no audio (is zh-CN-NobodyNeural a voice it offers? `tts-pipeline voices --engine edge`" in str(failure.value)
    assert edge_service.requests[0].voice == "zh-CN-NobodyNeural"


def test_a_service_that_does_not_answer_times_out(edge_service, pauses, monkeypatch):
    monkeypatch.setattr(EdgeEngine, "timeout", (1, 1))
    edge_service.script[:] = ["silent", "silent"]
    with pytest.raises(EngineError, match=r"after 2 attempts \(last: timed out\)"):
        EdgeEngine(VoiceSettings(options=(("attempts", 2),))).synthesize(SHIXING)


def test_offline_every_attempt_fails_to_connect_and_the_next_sentence_fails_at_once(monkeypatch, pauses):
    monkeypatch.setenv(SERVICE_ENV_VAR, _closed_port())
    engine = EdgeEngine()
    with pytest.raises(EngineError) as failure:
        engine.synthesize(SHIXING)
    message = str(failure.value)
    assert message.startswith("article.txt:1:1: edge: the Edge voice zh-CN-XiaoxiaoNeural failed on sentence s0001 after 4 attempts")
    assert "cannot connect to 127.0.0.1" in message and "--fallback neural" in message and "\n" not in message
    assert len(pauses) == 3 and pauses == sorted(pauses)  # growing pauses (with jitter inside each step)
    with pytest.raises(EngineError, match="an earlier sentence failed 4 attempts"):
        engine.synthesize(make_pronunciation(("好", "hao3", "lexicon"), index=1))
    assert len(pauses) == 3


# -- whole builds ---------------------------------------------------------------

ARTICLE = "实行(háng)资产盘活。\n重(chóng)庆的银行很多。\n"


def _build(tmp_path, *options: str, service: str) -> subprocess.CompletedProcess:
    source = tmp_path / "news.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    env = {**os.environ, SERVICE_ENV_VAR: service, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-m", "tts_pipeline", "build", str(source), "-o", str(tmp_path / "out"), "--engine", "edge",
         "--voice", "zh-CN-YunxiNeural", "--hints", "force", "--quiet", "--jobs", "1", *options],
        capture_output=True, text=True, env=env, timeout=240,
    )


def test_build_with_edge_records_what_was_sent_and_keeps_the_clips(edge_service, tmp_path):
    run = _build(tmp_path, "--pitch", "1.1", service=edge_service.url)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "edge"
    first, second = manifest["sentences"]
    assert (first["engine"], first["sent"]) == ("edge", "实航资产盘活。")
    assert second["sent"] == "重庆的银行很多。" == second["text"]
    assert [r.text for r in edge_service.requests] == [first["sent"], second["sent"]]
    assert {(r.voice, r.pitch) for r in edge_service.requests} == {("zh-CN-YunxiNeural", "+12Hz")}
    assert first["end"] - first["start"] == pytest.approx(1.2, abs=0.1)
    assert (tmp_path / "out" / first["file"]).stat().st_size > 0


def test_build_offline_fails_with_one_line_and_exit_3(tmp_path):
    run = _build(tmp_path, "--edge-attempts", "1", service=_closed_port())
    assert run.returncode == 3
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("tts-pipeline: error: ") and "sentence s0001" in line and "cannot connect" in line


def test_build_offline_with_a_fallback_completes_and_warns_per_sentence(tmp_path):
    run = _build(tmp_path, "--edge-attempts", "1", "--fallback", "espeak", service=_closed_port())
    assert run.returncode == 0, run.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [s["engine"] for s in manifest["sentences"]] == ["espeak", "espeak"]
    assert [s["sent"] for s in manifest["sentences"]] == [None, None]  # nothing reached Microsoft
    fallbacks = [w for w in manifest["warnings"] if w["code"] == "engine-fallback"]
    assert [w["sentence"] for w in fallbacks] == ["s0001", "s0002"]
    assert "--voice" not in run.stderr  # the fallback was not handed edge's voice
