"""Shadowing drills: units, timeline, and the audio they write (tone bursts stand in for speech)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pypinyin import Style, lazy_pinyin

from tts_pipeline.engines.base import VoiceSettings
from tts_pipeline.errors import PipelineError
from tts_pipeline.learn.shadowing import ShadowingOptions, drill_units, render_shadowing, spoken_length
from tts_pipeline.model import Clip, Pronunciation, Sentence, SourcePosition, Token

RATE = 24000
SYLLABLE = 0.12  # seconds per syllable at speed 1 in the fake engine


def han_count(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text)


def pronounce(index: int, text: str) -> Pronunciation:
    clause_ends = tuple(i + 1 for i, ch in enumerate(text) if ch in "，；：、")
    sentence = Sentence(index, text, (), clause_ends, SourcePosition("t.txt", index + 1, 1))
    tokens = []
    for i, ch in enumerate(text):
        if han_count(ch):
            reading = lazy_pinyin(ch, style=Style.TONE3, neutral_tone_with_five=True)[0]
            tokens.append(Token(ch, reading, "lexicon", i, ch))
        else:
            tokens.append(Token(ch, None, "none", i, ch))
    return Pronunciation(sentence, tuple(tokens))


class FakeSynth:
    """Signature of synthesize_all; a 440 Hz burst per sentence, longer when slower."""

    def __init__(self) -> None:
        self.speeds: list[float] = []

    def __call__(self, prons, engine, settings, *, fallback=None, jobs=1, cache=None, progress=None):
        self.speeds.append(settings.speed)
        for pron in prons:
            seconds = SYLLABLE * len(pron.syllables) / settings.speed
            t = np.arange(int(seconds * RATE)) / RATE
            yield pron, Clip((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), RATE, engine)


SHORT = "不少游客喜欢在傍晚乘坐索道。"
LONG = "为了缩短等待时间，索道公司实行了网上预约，并在节假日延长运营时间，工作人员说今年客流量增长了。"


def manifest_for(prons, chapters):
    return {
        "title": "测试",
        "sample_rate": RATE,
        "chapters": [
            {"index": i, "title": t, "file": f"chapters/{i:02d}-{t}.mp3"} for i, t in enumerate(chapters, 1)
        ],
        "sentences": [{"id": p.sentence.id, "chapter": c} for p, c in prons],
    }


def test_short_sentence_is_one_unit():
    units = drill_units(pronounce(0, SHORT), 25)
    assert [(u.kind, u.text) for u in units] == [("sentence", SHORT)]


def test_long_sentence_is_drilled_by_clause_groups_then_whole():
    pron = pronounce(3, LONG)
    assert han_count(LONG) > 25
    units = drill_units(pron, 12)
    kinds = [u.kind for u in units]
    assert kinds[-1] == "sentence" and set(kinds[:-1]) == {"clause"} and len(kinds) >= 3
    clauses = units[:-1]
    assert "".join(u.pronunciation.sentence.text for u in clauses) == LONG
    for unit in clauses:
        text = unit.pronunciation.sentence.text
        # every token is rebased into its clause and still names its own characters
        assert all(text[t.start:t.start + len(t.text)] == t.text for t in unit.pronunciation.tokens)
        assert unit.sentence_id == "s0004"
        assert han_count(text) <= 12 or text.count("，") <= 1
    # the syllables of the clauses are exactly those of the sentence
    assert sum((u.pronunciation.syllables for u in clauses), []) == pron.syllables


def test_numbers_count_as_they_are_read():
    text = "2024年7月4日上午8点30分，重庆长江索道迎来了第一千万名游客。"
    readings = {"2024": "er4 ling2 er4 si4", "7": "qi1", "4": "si4", "8": "ba1", "30": "san1 shi2"}
    tokens, i = [], 0
    for part in re.findall(r"\d+|.", text):
        if part in readings:
            tokens.append(Token(part, readings[part], "normalized", i, part))
        elif han_count(part):
            tokens.append(Token(part, lazy_pinyin(part, style=Style.TONE3)[0], "lexicon", i, part))
        else:
            tokens.append(Token(part, None, "none", i, part))
        i += len(part)
    pron = Pronunciation(Sentence(0, text, (), (text.index("，") + 1,), SourcePosition("t", 1, 1)), tuple(tokens))
    assert han_count(text) == 23 and spoken_length(pron) == 32  # 2024 reads as four, 30 as two
    units = drill_units(pron, 25)
    assert [u.kind for u in units] == ["clause", "clause", "sentence"]
    assert units[0].text == "2024年7月4日上午8点30分"


def test_grouping_keeps_clauses_within_breath():
    units = drill_units(pronounce(0, LONG), 25)
    assert [han_count(u.text) for u in units[:-1]] == [19, 24]  # clauses of 8, 11, 11, 13 characters, paired greedily


def test_options_are_checked_with_user_messages():
    for bad in (dict(repeat=0), dict(gap=-1), dict(slow_pass=1.5), dict(drill_chars=1)):
        with pytest.raises(PipelineError, match="--"):
            ShadowingOptions(**bad)


def _rms(samples, start, end):
    part = samples[int(start * RATE):int(end * RATE)]
    return float(np.sqrt(np.mean(part**2))) if len(part) else 0.0


def test_render_writes_drills_with_the_timeline_they_play(tmp_path):
    prons = [(pronounce(0, SHORT), 1), (pronounce(1, LONG), 1), (pronounce(2, "江面上的灯光亮起来。"), 2)]
    manifest = manifest_for(prons, ["索道", "夜景"])
    synth = FakeSynth()
    options = ShadowingOptions(repeat=2, gap=1.5, slow_pass=0.75, drill_chars=25)
    result = render_shadowing(
        tmp_path, [p for p, _ in prons], manifest, engine="fake", options=options, synthesize=synth
    )
    assert sorted(synth.speeds) == [0.75, 1.0]  # one stream per speed for the book; slow from the engine
    assert [c["file"] for c in result["chapters"]] == ["shadowing/01-索道.mp3", "shadowing/02-夜景.mp3"]
    first = result["chapters"][0]
    # SHORT: 1 unit; LONG: 2 clause groups + whole -> 4 units, each slow once and normal twice
    assert len(first["units"]) == 4 * 3
    assert [u["pass"] for u in first["units"][:3]] == ["slow", "normal", "normal"]
    assert [u["kind"] for u in first["units"][3::3]] == ["clause", "clause", "sentence"]

    for play in first["units"]:
        length = play["end"] - play["start"]
        assert play["gap_end"] - play["end"] == pytest.approx(1.5 * length, abs=0.002)
    slow, normal = first["units"][0], first["units"][1]
    assert (slow["end"] - slow["start"]) / (normal["end"] - normal["start"]) == pytest.approx(1 / 0.75, rel=0.01)
    assert normal["pinyin"].startswith("bù shǎo yóu kè")

    audio, rate = sf.read(tmp_path / first["file"], dtype="float32")
    assert rate == RATE
    assert len(audio) / rate == pytest.approx(first["duration"], abs=0.1)
    # MP3 adds a little delay; probe well inside each stretch
    for play in first["units"]:
        assert _rms(audio, play["start"] + 0.1, play["end"] - 0.1) > 0.05, play
        assert _rms(audio, play["end"] + 0.15, play["gap_end"] - 0.1) < 0.002, play


def test_render_writes_an_lrc_per_chapter(tmp_path):
    prons = [(pronounce(0, SHORT), 1)]
    result = render_shadowing(
        tmp_path, [p for p, _ in prons], manifest_for(prons, ["索道"]), engine="fake",
        options=ShadowingOptions(repeat=3), synthesize=FakeSynth(),
    )
    chapter = result["chapters"][0]
    lines = (tmp_path / chapter["lrc"]).read_text(encoding="utf-8").splitlines()
    stamped = [line for line in lines if re.match(r"\[\d\d:\d\d\.\d\d\]" + SHORT, line)]
    assert len(stamped) == 3
    times = [int(s[1:3]) * 60 + float(s[4:9]) for s in stamped]
    assert times == pytest.approx([u["start"] for u in chapter["units"]], abs=0.006)
    assert any("bù shǎo" in line for line in lines)


def test_slow_pass_comes_from_the_engine_through_the_synthesis_loop(tmp_path):
    import tone_engine  # noqa: F401 - registers the test-tone engine

    prons = [(pronounce(0, SHORT), 1)]
    result = render_shadowing(
        tmp_path, [p for p, _ in prons], manifest_for(prons, ["索道"]) | {"sample_rate": tone_engine.RATE},
        engine="test-tone", settings=VoiceSettings(speed=1.0), options=ShadowingOptions(repeat=1, slow_pass=0.5),
    )
    slow, normal = result["chapters"][0]["units"]
    assert (slow["pass"], normal["pass"]) == ("slow", "normal")
    assert slow["engine"] == normal["engine"] == "test-tone"
    # the tone engine makes every syllable last SYLLABLE_SECONDS / speed: twice as long at 0.5
    ratio = (slow["end"] - slow["start"]) / (normal["end"] - normal["start"])
    assert ratio == pytest.approx(2.0, rel=0.05)


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chongqing-news.txt"


def test_build_of_the_example_writes_drills_into_the_manifest_and_the_page(tmp_path):
    import tone_engine  # noqa: F401 - registers the test-tone engine
    from tts_pipeline.pipeline import build

    out = tmp_path / "news"
    build(EXAMPLE, output=out, engine="test-tone", shadowing=ShadowingOptions(repeat=1, slow_pass=0.75))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    drills = manifest["shadowing"]
    assert [c["index"] for c in drills["chapters"]] == [c["index"] for c in manifest["chapters"]]
    for chapter, drill in zip(manifest["chapters"], drills["chapters"]):
        assert drill["file"] == "shadowing/" + chapter["file"].split("/", 1)[1]
        assert (out / drill["file"]).stat().st_size > 1000 and (out / drill["lrc"]).exists()
    whole = [u["sentence"] for c in drills["chapters"] for u in c["units"] if u["kind"] == "sentence" and u["pass"] == "normal"]
    assert whole == [s["id"] for s in manifest["sentences"]]  # every sentence drilled whole, in order
    page = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{s["id"]}"' in page for s in manifest["sentences"])
    assert "Shadowing drills" in page


def test_cli_refuses_a_bad_drill_option_in_one_line(tmp_path, capsys):
    from tts_pipeline.cli import main

    code = main(["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--shadowing", "--repeat", "0", "--no-cache"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("tts-pipeline: error: --repeat must be 1 or more (got 0)") and "\n" not in err
    assert not (tmp_path / "out").exists()


def buzzy_synth(prons, engine, settings, *, fallback=None, jobs=1, cache=None, progress=None):
    """Signature of synthesize_all; glottal-pulse-like bursts whose peaks the MP3 encoder raises by a dB or more."""
    for pron in prons:
        t = np.arange(int(SYLLABLE * len(pron.syllables) / settings.speed * RATE)) / RATE
        phase = (t * 120) % 1.0
        pulses = 0.8 * np.where(phase < 0.05, 1 - phase / 0.05, 0) * np.sin(2 * np.pi * 900 * t + 3 * phase) - 0.05
        yield pron, Clip(pulses.astype(np.float32), RATE, engine)


def test_drill_files_stay_under_the_true_peak_ceiling_after_encoding(tmp_path):
    from tts_pipeline.loudness import db, true_peak
    from tts_pipeline.stitch import PEAK_CEILING_DBTP

    prons = [(pronounce(0, SHORT), 1), (pronounce(1, LONG), 1)]
    result = render_shadowing(tmp_path, [p for p, _ in prons], manifest_for(prons, ["索道"]), engine="fake",
                              options=ShadowingOptions(repeat=1, slow_pass=0.75), synthesize=buzzy_synth)
    audio, _ = sf.read(tmp_path / result["chapters"][0]["file"], dtype="float64")
    assert db(true_peak(audio)) <= PEAK_CEILING_DBTP
