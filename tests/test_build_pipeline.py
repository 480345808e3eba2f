"""The build with stand-in engines: the folder, the timeline against the files, chapters, failures."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from mutagen.id3 import ID3
from scipy import signal

import buildkit  # noqa: F401 - registers the tone-test engines
import tts_pipeline
from buildkit import decode
from tts_pipeline import cli
from tts_pipeline.export import ffmpeg
from tts_pipeline.export.folder import MARKER, STAGING, output_error, slug
from tts_pipeline.export.manifest import Manifest


ARTICLE = """# 第一章 相遇

你好。我是王老师。

今天天气很好，我们去公园吧！

# 第二章 重(chóng)庆

重庆很大。谢谢大家。
"""
LESSON = "# 第二课\n\n我们学习汉字。汉字很有意思。\n"


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "lesson-one.md"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run_build(path, out, **options):
    options = {"engine": "tone-test", "player": False, **options}
    return tts_pipeline.build(path, output=out, **options)


@pytest.fixture
def built(article, tmp_path):
    out = tmp_path / "out"
    return run_build(article, out), out


def test_every_file_exists_and_the_manifest_names_them(built):
    manifest, out = built
    assert isinstance(manifest, Manifest)
    assert Manifest.read(out / "manifest.json") == manifest
    assert [c.title for c in manifest.chapters] == ["第一章 相遇", "第二章 重庆"]
    assert [c.file for c in manifest.chapters] == ["chapters/01-第一章-相遇.mp3", "chapters/02-第二章-重庆.mp3"]
    # Headings are spoken: each is a sentence and a paragraph of its own.
    assert [s.id for s in manifest.sentences] == [f"s{i:04d}" for i in range(1, 8)]
    for name in ("book.mp3", "transcript.lrc", "transcript.srt", "transcript.vtt", MARKER):
        assert (out / name).is_file()
    for entry in (*manifest.chapters, *manifest.sentences):
        assert (out / entry.file).is_file()
    assert not (out / STAGING).exists()
    assert [s.paragraph for s in manifest.sentences] == [0, 1, 1, 2, 0, 1, 1]
    assert manifest.sentences[5].pinyin == "Chóngqìng hěndà."  # one word per jieba word
    assert manifest.engine.name == "tone-test" and manifest.sample_rate == 24000


def test_timeline_matches_the_samples_written(built):
    manifest, out = built
    book, rate = decode(out / "book.mp3")
    assert abs(len(book) / rate - manifest.duration) <= 0.010
    assert manifest.duration == manifest.chapters[-1].end
    for chapter in manifest.chapters:
        audio, _ = decode(out / chapter.file)
        assert abs(len(audio) / rate - (chapter.end - chapter.start)) <= 0.002
    previous_end = 0.0
    for sentence in manifest.sentences:
        chapter = manifest.chapters[sentence.chapter - 1]
        assert previous_end <= sentence.book_start < sentence.book_end <= chapter.end
        assert sentence.book_start == pytest.approx(chapter.start + sentence.start, abs=0.0011)
        clip, _ = decode(out / sentence.file)
        assert abs(len(clip) / rate - (sentence.end - sentence.start)) <= 0.0011
        # The sentence file is the stretch of the book the timeline points at.
        first = int(round(sentence.book_start * rate))
        stretch = book[first : first + len(clip)]
        lags = np.arange(-60, 61)
        best = lags[int(np.argmax([np.dot(np.roll(stretch, lag), clip) for lag in lags]))]
        assert abs(best) <= rate // 2000  # times are rounded to the millisecond
        assert np.corrcoef(np.roll(stretch, best), clip)[0, 1] > 0.9
        before = book[max(0, first - int(0.2 * rate)) : first - int(0.06 * rate)]
        assert np.max(np.abs(before)) < 0.01  # the pause before it is silent
        previous_end = sentence.book_end


def test_book_has_id3_chapters_with_titles_and_times(built):
    manifest, out = built
    tags = ID3(out / "book.mp3")
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == [c.title for c in manifest.chapters]
    assert [(c.start_time, c.end_time) for c in chaps] == [
        (round(c.start * 1000), round(c.end * 1000)) for c in manifest.chapters]
    assert tags.getall("CTOC")[0].child_element_ids == ["chp1", "chp2"]


def test_every_chapter_is_at_minus_16_lufs(built):
    manifest, out = built
    for chapter in manifest.chapters:
        audio, rate = decode(out / chapter.file)
        assert abs(pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64)) + 16) <= 1.0
        assert chapter.true_peak <= -1.0
        peak = np.max(np.abs(signal.resample_poly(audio.astype(np.float64), 4, 1)))
        assert 20 * np.log10(peak) <= -1.0  # measured on the MP3 as written


def test_transcript_cues_in_order_inside_the_book(built):
    manifest, out = built
    srt = (out / "transcript.srt").read_text(encoding="utf-8").strip().split("\n\n")
    assert len(srt) == len(manifest.sentences)
    assert srt[0].splitlines()[2:] == [manifest.sentences[0].text, manifest.sentences[0].pinyin]
    vtt = (out / "transcript.vtt").read_text(encoding="utf-8")
    starts = [line.split(" --> ")[0] for line in vtt.splitlines() if " --> " in line]
    assert starts == sorted(starts) and len(starts) == 7
    lrc = (out / "transcript.lrc").read_text(encoding="utf-8").splitlines()
    assert sum(1 for line in lrc if line.endswith("。") or line.endswith("！")) == 5


def test_fallback_clip_of_another_format_is_converted(article, tmp_path):
    manifest = run_build(article, tmp_path / "out", engine="tone-fail", fallback="tone-22k")
    engines = [s.engine for s in manifest.sentences]
    assert engines == ["tone-fail"] * 3 + ["tone-22k"] + ["tone-fail"] * 3
    assert any(w.sentence == "s0004" for w in manifest.warnings)
    book, rate = decode(tmp_path / "out" / "book.mp3")
    assert rate == 24000 and abs(len(book) / rate - manifest.duration) <= 0.010


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg"])
def test_other_formats_for_chapter_and_sentence_files(article, tmp_path, fmt):
    manifest = run_build(article, tmp_path / "out", format=fmt)
    assert all(e.file.endswith("." + fmt) for e in (*manifest.chapters, *manifest.sentences))
    audio, rate = decode(tmp_path / "out" / manifest.sentences[0].file)
    s = manifest.sentences[0]
    assert abs(len(audio) / rate - (s.end - s.start)) <= 0.0011
    assert (tmp_path / "out" / "book.mp3").exists() and manifest.files.book_m4b is None


def test_m4b_has_the_chapters(article, tmp_path):
    manifest = run_build(article, tmp_path / "out", format="m4b", bitrate="48k")
    assert manifest.files.book_m4b == "book.m4b"
    probe = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-i", str(tmp_path / "out" / "book.m4b")],
                           capture_output=True, text=True).stderr
    assert probe.count("Chapter #") == 2 and "第二章 重庆" in probe
    assert f"start {manifest.chapters[1].start:.6f}".rstrip("0")[:-1] in probe


def test_merge_makes_one_book_with_a_chapter_per_input(article, tmp_path):
    second = tmp_path / "lesson-two.md"
    second.write_text(LESSON, encoding="utf-8")
    manifest = tts_pipeline.build(article, second, output=tmp_path / "course", engine="tone-test", player=False,
                                  merge=True)
    assert [c.title for c in manifest.chapters] == ["第一章 相遇", "第二课"]
    assert [c.source for c in manifest.chapters] == [str(article), str(second)]
    assert [s.id for s in manifest.sentences] == [f"s{i:04d}" for i in range(1, 11)]
    assert [s.chapter for s in manifest.sentences] == [1] * 7 + [2] * 3


def test_several_inputs_make_one_folder_each(article, tmp_path):
    second = tmp_path / "lesson-two.md"
    second.write_text(LESSON, encoding="utf-8")
    manifests = tts_pipeline.build(article, second, output=tmp_path / "all", engine="tone-test", player=False)
    assert [m.title for m in manifests] == ["第一章 相遇", "第二课"]
    assert (tmp_path / "all" / "lesson-one" / "book.mp3").exists()
    assert (tmp_path / "all" / "lesson-two" / "book.mp3").exists()


def test_default_output_is_audio_out_slug(article, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_build(article, None)
    assert (tmp_path / "audio_out" / "lesson-one" / "manifest.json").exists()


def test_front_door_is_the_pipeline_function_itself(article, tmp_path):
    """tts_pipeline.build is the real function, with its real parameters, before and after the pipeline's
    module is imported."""
    import inspect

    import tts_pipeline.pipeline

    assert tts_pipeline.build is tts_pipeline.pipeline.build
    assert "engine" in inspect.signature(tts_pipeline.build).parameters
    first = tts_pipeline.build(article, output=tmp_path / "a", engine="tone-test", player=False)
    second = tts_pipeline.build(article, output=tmp_path / "a", engine="tone-test", player=False)
    assert first.duration == second.duration


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def cli_build(capsys, *args):
    code = cli.main(["build", *map(str, args), "--no-cache", "--quiet"])
    return code, capsys.readouterr().err


def test_engine_failing_half_way_keeps_the_previous_output(built, article, capsys):
    _, out = built
    before = snapshot(out)
    code, err = cli_build(capsys, article, "-o", out, "--engine", "tone-fail")
    assert code == 3
    assert err.count("\n") == 1 and "s0004" in err and "Traceback" not in err
    assert snapshot(out) == before


# A build in a process whose files may not grow past a limit (RLIMIT_FSIZE), as on a full disk or FAT32's 4 GB:
# with SIGXFSZ ignored, the write that would pass the limit fails (EFBIG) and nothing is patched.
LIMITED_BUILD = """
import resource, signal, sys
sys.path.insert(0, sys.argv[1])
import buildkit  # registers the tone-test engines
from tts_pipeline import cli
from tts_pipeline.export import ffmpeg
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.exit(cli.main(["build", *sys.argv[3:], "--no-cache", "--quiet"]))
"""


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_a_file_too_large_to_write_is_one_line_and_keeps_the_previous_output(built, article, fmt):
    _, out = built
    before = snapshot(out)
    sizes = {name: len(data) for name, data in before.items()}
    # under the book (which the MP3 build writes last) and the WAV build's chapter files, over every MP3 chapter
    limit = max(size for name, size in sizes.items() if name.startswith("chapters/")) + 1000
    assert limit < sizes["book.mp3"]
    tests = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", LIMITED_BUILD, str(tests), str(limit), str(article), "-o", str(out),
                           "--engine", "tone-test", "--format", fmt], capture_output=True, text=True, env=env,
                          timeout=240)
    assert done.returncode == 4, done.stderr
    assert done.stderr.count("\n") == 1 and "too large" in done.stderr and "ulimit -f" in done.stderr
    assert snapshot(out) == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full (a device every write to fails as a full disk)")
def test_a_full_disk_is_named_as_such():
    with pytest.raises(OSError) as caught:
        with open("/dev/full", "wb") as device:
            device.write(b"x")
    assert caught.value.errno == errno.ENOSPC
    assert str(output_error(caught.value, "out/book.mp3")) == (
        "disk full while writing out/book.mp3; free space and run again")


def test_unwritable_output_is_one_line(article, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code, err = cli_build(capsys, article, "-o", tmp_path / "afile" / "out", "--engine", "tone-test")
    assert code == 4 and err.count("\n") == 1 and "afile" in err


def test_read_only_folder_is_one_line(article, tmp_path, capsys, monkeypatch):
    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(type(tmp_path), "mkdir", read_only)
    code, err = cli_build(capsys, article, "-o", tmp_path / "ro", "--engine", "tone-test")
    assert code == 4 and err.count("\n") == 1 and "Read-only" in err


def test_foreign_folder_needs_force(article, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, err = cli_build(capsys, article, "-o", out, "--engine", "tone-test")
    assert code == 4 and "--force" in err
    code, _ = cli_build(capsys, article, "-o", out, "--engine", "tone-test", "--force")
    assert code == 0 and (out / "notes.txt").read_text() == "mine" and (out / "book.mp3").exists()


def test_bad_options_are_one_line(article, tmp_path):
    with pytest.raises(tts_pipeline.errors.PipelineError, match="bitrate"):
        run_build(article, tmp_path / "x", bitrate="loud")
    with pytest.raises(tts_pipeline.errors.EngineError, match="unknown engine"):
        run_build(article, tmp_path / "x", engine="nope")


def test_manifest_json_has_the_documented_keys(built):
    _, out = built
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert list(data)[:10] == ["format", "title", "source", "created_by", "engine", "sample_rate", "duration",
                               "files", "chapters", "sentences"]
    assert data["format"] == "tts-pipeline/1"
    assert set(data["sentences"][0]) >= {"id", "index", "chapter", "paragraph", "text", "pinyin", "tokens", "engine",
                                         "file", "start", "end", "book_start", "book_end"}
    token = data["sentences"][0]["tokens"][0]
    assert {k: token[k] for k in ("text", "pinyin", "source")} == {"text": "第", "pinyin": "di4", "source": "default"}
    # the tone engine gives no timing: the estimate from the audio, marked as such
    assert set(token) == {"text", "pinyin", "source", "start", "end", "book_start", "book_end", "estimated"}
    assert token["estimated"] is True


def test_pronounce_front_door_is_a_plain_function_after_the_stage_is_imported():
    import inspect

    import tts_pipeline.pronunciation  # noqa: F401 - a build imports the stage package

    assert inspect.isfunction(tts_pipeline.pronounce)
    assert list(inspect.signature(tts_pipeline.pronounce).parameters) == ["text", "hints"]

    first = tts_pipeline.pronounce("重(chóng)庆的银行")
    again = tts_pipeline.pronounce("银行")
    assert [t.pinyin for t in first][:1] == ["chong2"] and [t.text for t in again] == ["银", "行"]


@pytest.mark.parametrize("name,expected", [("Lesson 3 (draft)", "lesson-3-draft"), ("重庆新闻", "重庆新闻"),
                                           ("第一章 相遇", "第一章-相遇"), ("../..", "book")])
def test_slug_keeps_han_characters_and_nothing_unsafe(name, expected):
    assert slug(name) == expected


@pytest.mark.parametrize("fallback", [None, "test-tone"])
def test_an_engine_whose_cache_key_fails_is_an_engine_failure_on_that_sentence(article, tmp_path, capsys, fallback):
    import tone_engine  # noqa: F401 - registers test-keyless, whose cache_key fails on 坏

    article.write_text(ARTICLE.replace("重庆很大。", "重庆很坏。"), encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(article), "-o", str(out), "--engine", "test-keyless", "--cache-dir", str(tmp_path / "cache"),
            "--quiet", "--jobs", "1"]
    code = cli.main(args + (["--fallback", fallback] if fallback else []))
    err = capsys.readouterr().err
    if fallback is None:
        assert code == 3 and "internal error" not in err
        assert "s0006" in err and "ValueError: no key for 坏" in err and "\n" not in err.strip()
    else:
        assert code == 0, err
        manifest = Manifest.read(out / "manifest.json")
        (warning,) = [w for w in manifest.warnings if w.code == "engine-fallback"]
        assert warning.sentence == "s0006" and "no key for 坏" in warning.message
        assert {s.engine for s in manifest.sentences if s.id != "s0006"} == {"test-keyless"}
