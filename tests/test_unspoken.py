"""Sentences with nothing to speak (……, * * *, ——, a lone 。) through a real build: they keep their place in the
text, the manifest and the transcripts, have no clip, and the build succeeds; an article of nothing but them is
a one-line input error."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tone_engine  # noqa: F401 - registers the test-tone engine, which is silent for a sentence without syllables
from buildkit import decode
from tts_pipeline import cli

FORMATS = ["mp3", "wav"]
REAL = ["你好。", "我们去公园吧！", "重庆很大。", "他在银行工作。"]


def cli_build(source: Path, out: Path, fmt: str, *extra: str) -> int:
    return cli.main(["build", str(source), "-o", str(out), "--engine", "test-tone", "--format", fmt, "--quiet",
                     "--no-cache", *extra])


def built(tmp_path: Path, text: str, fmt: str, *extra: str) -> tuple[Path, dict]:
    source = tmp_path / "article.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli_build(source, out, fmt, *extra) == 0
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def check_clips(out: Path, manifest: dict, unspoken: set[str]) -> None:
    """Every sentence that speaks has a file with audio; the others have none, an instant, and a notice."""
    noticed = {w["sentence"] for w in manifest["warnings"] if w["code"] == "nothing-to-speak"}
    assert noticed == {s["id"] for s in manifest["sentences"] if s["text"] in unspoken}
    files = set()
    for sentence in manifest["sentences"]:
        if sentence["text"] in unspoken:
            assert sentence["file"] is None and sentence["engine"] is None
            assert sentence["start"] == sentence["end"] and sentence["book_start"] == sentence["book_end"]
            continue
        audio, rate = decode(out / sentence["file"])
        assert len(audio) / rate > 0.02 and abs(len(audio) / rate - (sentence["end"] - sentence["start"])) <= 0.0011
        files.add(sentence["file"])
    assert {f"sentences/{p.name}" for p in (out / "sentences").iterdir()} == files


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("text, unspoken", [
    ("你好。\n……\n再见。\n", {"……"}),
    ("第一段。\n\n* * *\n\n第二段。\n", {"* * *"}),
    ("第一段。\n——\n第二段。——\n", {"——"}),
])
def test_a_line_with_nothing_to_speak_keeps_its_place_without_a_clip(tmp_path, fmt, text, unspoken):
    out, manifest = built(tmp_path, text, fmt)
    lines = [line for line in text.splitlines() if line.strip()]
    assert "".join(s["text"] for s in manifest["sentences"]) == "".join(lines)
    check_clips(out, manifest, unspoken)
    vtt = (out / "transcript.vtt").read_text(encoding="utf-8")
    assert all(mark in vtt for mark in unspoken)
    assert vtt.count(" --> ") == len(manifest["sentences"])
    page = (out / "index.html").read_text(encoding="utf-8")
    for sentence in manifest["sentences"]:
        stop = f'class="s" id="{sentence["id"]}"' in page
        assert stop == (sentence["file"] is not None)  # the player shows it, but does not stop on it


def test_shadowing_drills_only_what_speaks(tmp_path):
    _, manifest = built(tmp_path, "你好。\n……\n再见。\n", "mp3", "--shadowing")
    drilled = {unit["sentence"] for chapter in manifest["shadowing"]["chapters"] for unit in chapter["units"]}
    assert drilled == {"s0001", "s0003"}


def test_the_summary_counts_it_as_a_warning_not_a_clip(tmp_path, capsys):
    source = tmp_path / "article.txt"
    source.write_text("你好。\n……\n再见。\n", encoding="utf-8")
    assert cli.main(["build", str(source), "-o", str(tmp_path / "out"), "--engine", "test-tone", "--no-cache"]) == 0
    assert "3 sentences" in (err := capsys.readouterr().err)
    assert "0 clips from the cache, 2 synthesised; 1 warning" in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_pause_around_it_is_not_doubled(tmp_path, fmt):
    _, manifest = built(tmp_path, "你好。\n……\n再见。“……”我走了。\n", fmt)
    hello, dots, bye, more, gone = manifest["sentences"]
    assert dots["book_start"] == hello["book_end"]  # the instant where the sentence before it ends
    paragraph, sentence = manifest["pauses"]["paragraph"], manifest["pauses"]["sentence"]
    # MP3 pauses land within half a 24 ms frame of the plan (docs/reference/audio.md); WAV ones on the sample
    slack = 0.013 if fmt == "mp3" else 0.001
    assert abs(bye["book_start"] - hello["book_end"] - paragraph) <= slack  # one paragraph's pause, not two
    assert abs(gone["book_start"] - bye["book_end"] - sentence) <= slack  # one sentence's pause
    assert more["book_start"] == more["book_end"] == bye["book_end"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_chapter_with_nothing_to_speak_is_its_closing_pause(tmp_path, fmt):
    out, manifest = built(tmp_path, "第一段。\n* * *\n第二段。\n", fmt, "--chapters", "paragraph")
    check_clips(out, manifest, {"* * *"})
    first, scene, last = manifest["chapters"]
    audio, rate = decode(out / scene["file"])
    assert abs(len(audio) / rate - manifest["pauses"]["chapter"]) <= 0.03 and not audio.any()
    assert scene["loudness"] is None and scene["true_peak"] is None
    assert first["end"] <= scene["start"] < scene["end"] <= last["start"]


def test_the_splitter_keeps_a_mark_after_a_closing_quote_with_its_sentence(tmp_path):
    out, manifest = built(tmp_path, "只有“嗯、哦、唉、哟……”。\n后来。\n", "mp3")
    assert [s["text"] for s in manifest["sentences"]] == ["只有“嗯、哦、唉、哟……”。", "后来。"]
    check_clips(out, manifest, set())


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_article_with_nothing_to_speak_is_a_one_line_error(tmp_path, capsys, fmt):
    source = tmp_path / "dots.txt"
    source.write_text("。。。\n\n* * *\n", encoding="utf-8")
    assert cli_build(source, tmp_path / "out", fmt) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "dots.txt: nothing to speak" in err
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_a_rebuild_after_an_edit_is_the_fresh_build(tmp_path):
    """Reuse (chapters for WAV, sentence files for MP3) around sentences with nothing to speak gives the bytes a
    fresh build gives."""
    text = "第一段。\n* * *\n第二段。\n——\n第三段。\n"
    for fmt in FORMATS:
        source, out, fresh = tmp_path / f"{fmt}.txt", tmp_path / f"out-{fmt}", tmp_path / f"fresh-{fmt}"
        source.write_text(text, encoding="utf-8")
        cache = ["--cache-dir", str(tmp_path / "cache"), "--chapters", "paragraph"]
        assert cli.main(["build", str(source), "-o", str(out), "--engine", "test-tone", "--format", fmt, "--quiet",
                         *cache]) == 0
        source.write_text(text.replace("第三段。", "第三段改了。"), encoding="utf-8")
        assert cli.main(["build", str(source), "-o", str(out), "--engine", "test-tone", "--format", fmt, "--quiet",
                         *cache]) == 0
        assert cli_build(source, fresh, fmt, "--chapters", "paragraph") == 0
        assert snapshot(out) == snapshot(fresh)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


# Lines of punctuation, symbols and space, as documents have them between sentences (scene breaks, ellipses,
# stray quotes and brackets, decorations).
NOISE = "。，、；：？！…—·“”‘’「」『』（）《》【】～.,;:?!-~*#@&%$^_=+|/\\<>[](){}'\"` \t\u3000"


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_noise_between_real_sentences_never_breaks_a_build(fmt, data):
    noise = st.text(alphabet=NOISE, min_size=1, max_size=6)
    lines = []
    for real in REAL:
        lines += data.draw(st.lists(noise, max_size=2), label="noise") + [real]
    lines += data.draw(st.lists(noise, max_size=2), label="noise at the end")
    with tempfile.TemporaryDirectory() as scratch:
        source, out = Path(scratch) / "noisy.txt", Path(scratch) / "out"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert cli_build(source, out, fmt) == 0
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        real = [s for s in manifest["sentences"] if s["text"] in REAL]
        assert [s["text"] for s in real] == REAL
        for sentence in real:
            audio, rate = decode(out / sentence["file"])
            assert len(audio) / rate > 0.02
        for sentence in manifest["sentences"]:
            assert (sentence["file"] is None) == (sentence["start"] == sentence["end"])
