"""End to end with the real default engine on a short article: the whole folder, checked from the files."""
from __future__ import annotations

import json
import re

import numpy as np
import pyloudnorm
import pytest
from mutagen.id3 import ID3
from scipy import signal

from buildkit import decode
from tts_pipeline import cli, engines

pytestmark = pytest.mark.slow

SHORT = """# 重(chóng)庆

重庆是一座山城。长江和嘉陵江在这里相遇。

# 银行

他在银行工作。
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    availability = engines.engine_class(engines.DEFAULT_ENGINE).availability()
    if not availability.usable:
        pytest.skip(f"the neural voice cannot run here: {availability.reason}")
    root = tmp_path_factory.mktemp("e2e")
    source = root / "short.md"
    source.write_text(SHORT, encoding="utf-8")
    out = root / "out"
    code = cli.main(["build", str(source), "-o", str(out), "--no-cache", "--quiet"])
    assert code == 0
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_every_file_exists(folder):
    out, manifest = folder
    files = manifest["files"]
    for name in ("book", "lrc", "srt", "vtt", "player"):
        assert (out / files[name]).is_file(), name
    for entry in manifest["chapters"] + manifest["sentences"]:
        assert (out / entry["file"]).stat().st_size > 1000
    assert manifest["engine"]["name"] == "neural"
    assert {s["engine"] for s in manifest["sentences"]} == {"neural"}
    assert [c["title"] for c in manifest["chapters"]] == ["重庆", "银行"]


def test_readings_reach_the_manifest(folder):
    _, manifest = folder
    bank = next(s for s in manifest["sentences"] if "银行" in s["text"] and "工作" in s["text"])
    assert "yínháng" in bank["pinyin"]
    tokens = {t["text"]: t["pinyin"] for t in bank["tokens"]}
    assert tokens["行"] == "hang2"


def test_book_chapters_and_duration_match_the_timeline(folder):
    out, manifest = folder
    book, rate = decode(out / "book.mp3")
    last_end = manifest["sentences"][-1]["book_end"]
    assert abs(len(book) / rate - manifest["duration"]) <= 0.010
    assert manifest["duration"] == manifest["chapters"][-1]["end"] >= last_end
    chaps = sorted(ID3(out / "book.mp3").getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["重庆", "银行"]
    assert [(c.start_time, c.end_time) for c in chaps] == [
        (round(c["start"] * 1000), round(c["end"] * 1000)) for c in manifest["chapters"]]
    # speech where the timeline says, silence in the pauses between
    for sentence in manifest["sentences"]:
        start, end = (int(sentence[k] * rate) for k in ("book_start", "book_end"))
        assert np.sqrt(np.mean(book[start:end] ** 2)) > 0.02
        assert np.max(np.abs(book[max(0, start - int(0.3 * rate)) : start - int(0.08 * rate)])) < 0.02


def test_cues_are_in_order_and_inside_their_files(folder):
    out, manifest = folder
    previous = 0.0
    for sentence in manifest["sentences"]:
        chapter = manifest["chapters"][sentence["chapter"] - 1]
        assert previous <= sentence["book_start"] < sentence["book_end"] <= chapter["end"]
        assert 0 <= sentence["start"] < sentence["end"] <= chapter["end"] - chapter["start"]
        clip, rate = decode(out / sentence["file"])
        assert abs(len(clip) / rate - (sentence["end"] - sentence["start"])) <= 0.0011
        previous = sentence["book_end"]
    vtt = (out / "transcript.vtt").read_text(encoding="utf-8")
    assert vtt.count(" --> ") == len(manifest["sentences"])
    plain = re.sub(r"<\d\d:\d\d:\d\d\.\d{3}>", "", vtt)  # without the inline timestamps
    assert "Yínháng" in plain or "yínháng" in plain


def test_every_spoken_character_has_its_time_inside_its_sentence(folder):
    _, manifest = folder
    for sentence in manifest["sentences"]:
        spoken = [t for t in sentence["tokens"] if t["pinyin"]]
        assert spoken and all("start" in t and "book_start" in t for t in spoken), sentence["id"]
        assert not any(t.get("estimated") for t in spoken)  # the neural voice's own durations
        length = sentence["end"] - sentence["start"]
        starts = [t["start"] for t in spoken]
        assert starts == sorted(starts)
        for token in spoken:
            assert 0 <= token["start"] <= token["end"] <= length + 0.001
            assert sentence["book_start"] <= token["book_start"] <= token["book_end"] <= sentence["book_end"] + 0.001
            assert abs(token["book_start"] - sentence["book_start"] - token["start"]) <= 0.0011


def test_each_chapter_is_at_minus_16_lufs(folder):
    out, manifest = folder
    for chapter in manifest["chapters"]:
        audio, rate = decode(out / chapter["file"])
        loudness = pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64))
        assert abs(loudness + 16) <= 1.0, chapter["title"]
        peak = np.max(np.abs(signal.resample_poly(audio.astype(np.float64), 4, 1)))
        assert 20 * np.log10(peak) <= -1.0, chapter["title"]
