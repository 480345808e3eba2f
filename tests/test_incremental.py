"""Rebuilds after an edit: unchanged chapters are taken from the previous output without reading a clip."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from mutagen.id3 import ID3

import buildkit
import tts_pipeline
from tts_pipeline.cache import ClipCache
from tts_pipeline.incremental import KEYS_FILE

book_audio = __import__("tts_pipeline.bookaudio", fromlist=["BookAudio"])  # where chapters are assembled

ARTICLE = """# 第一章 相遇

你好。我是王老师。

今天天气很好，我们去公园吧！

# 第二章 重庆

重庆很大。谢谢大家。
"""
EDITED = ARTICLE.replace("重庆很大。", "重庆非常大。")


class CountingCache(ClipCache):
    def __init__(self, root):
        super().__init__(root)
        self.read = []

    def get(self, key):
        self.read.append(key)
        return super().get(key)


@pytest.fixture
def assembled(monkeypatch):
    """The titles of the chapters whose audio the build stitched."""
    titles = []

    class Counting(book_audio.ChapterAssembler):
        def __init__(self, index, title, *args, **kwargs):
            titles.append(title)
            super().__init__(index, title, *args, **kwargs)

    monkeypatch.setattr(book_audio, "ChapterAssembler", Counting)
    return titles


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def run(source, out, cache_root, **options):
    cache = CountingCache(cache_root) if cache_root is not None else None
    options = {"engine": "tone-test", "player": False, **options}
    manifest = tts_pipeline.build(source, output=out, cache=cache, **options)
    return manifest, cache


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.name != KEYS_FILE}


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_an_edit_remakes_only_its_chapter_and_the_result_is_a_fresh_build(tmp_path, assembled, fmt):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache, format=fmt)
    first_chapter = out / f"chapters/01-第一章-相遇.{fmt}"
    inode = first_chapter.stat().st_ino
    assembled.clear()

    write(source, EDITED)
    manifest, counted = run(source, out, cache, format=fmt)
    assert assembled == ["第二章 重庆"]
    assert len(counted.read) == 3  # the second chapter's heading and two sentences, nothing of the first
    assert first_chapter.stat().st_ino == inode  # linked, not written again
    keys = json.loads((out / KEYS_FILE).read_text(encoding="utf-8"))
    record = keys["chapters"][f"chapters/01-第一章-相遇.{fmt}"]
    assert len(record["timing"]["spans"]) == 4 and record["plan"]

    # Everything, book and manifest included, is what a build from nothing writes.
    fresh, _ = run(source, tmp_path / "fresh", tmp_path / "fresh-cache", format=fmt)
    assert fresh == manifest
    assert files(tmp_path / "fresh") == files(out)


def test_a_deleted_or_changed_file_in_the_old_output_remakes_its_chapter(tmp_path, assembled):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache, format="wav")
    (out / "sentences/s0002.wav").unlink()
    with open(out / "sentences/s0006.wav", "ab") as damaged:
        damaged.write(b"\0\0")
    assembled.clear()
    run(source, out, cache, format="wav")
    assert assembled == ["第一章 相遇", "第二章 重庆"]
    assert (out / "sentences/s0002.wav").is_file()
    assembled.clear()
    run(source, out, cache, format="wav")
    assert assembled == []


def test_without_a_cache_every_chapter_is_stitched(tmp_path, assembled):
    source, out = write(tmp_path / "a.md", ARTICLE), tmp_path / "out"
    run(source, out, tmp_path / "cache", format="wav")
    assembled.clear()
    run(source, out, None, format="wav")
    assert assembled == ["第一章 相遇", "第二章 重庆"]


def test_a_chapter_with_a_fallback_clip_is_remade_and_keeps_its_warning(tmp_path, assembled):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    first, _ = run(source, out, cache, format="wav", engine="tone-fail", fallback="tone-test")
    assembled.clear()
    second, _ = run(source, out, cache, format="wav", engine="tone-fail", fallback="tone-test")
    # the fourth sentence fell back: its chapter is made again (the voice might speak it now), the other is not
    assert assembled == ["第一章 相遇"]
    assert second == first
    assert [w.code for w in second.warnings] == ["engine-fallback"]


def test_lossy_formats_stitch_every_chapter_but_link_unchanged_files(tmp_path, assembled):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache, format="ogg")
    inode = (out / "sentences/s0001.ogg").stat().st_ino
    assembled.clear()
    write(source, EDITED)
    run(source, out, cache, format="ogg")
    assert assembled == ["第一章 相遇", "第二章 重庆"]  # the book needs their PCM
    assert (out / "sentences/s0001.ogg").stat().st_ino == inode


def test_merged_inputs_reuse_the_lessons_not_edited(tmp_path, assembled):
    one = write(tmp_path / "one.md", "# 第一课\n\n你好。我是王老师。\n")
    two = write(tmp_path / "two.md", "# 第二课\n\n我们学习汉字。\n")
    out, cache = tmp_path / "course", tmp_path / "cache"
    tts_pipeline.build(one, two, output=out, engine="tone-test", player=False, cache=ClipCache(cache), merge=True,
                       format="wav")
    assembled.clear()
    write(two, "# 第二课\n\n我们学习汉字。汉字很有意思。\n")
    manifest = tts_pipeline.build(one, two, output=out, engine="tone-test", player=False, cache=ClipCache(cache),
                                  merge=True, format="wav")
    assert assembled == ["第二课"]
    assert [s.chapter for s in manifest.sentences] == [1, 1, 1, 2, 2, 2]


def test_an_mp3_edit_encodes_only_its_sentence_and_matches_a_fresh_build(tmp_path):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache)
    inodes = {name: (out / name).stat().st_ino for name in files(out)}
    write(source, EDITED)
    manifest, counted = run(source, out, cache)
    assert counted.read == [counted.read[0]]  # the edited sentence's clip, nothing else
    linked = {name for name, inode in inodes.items() if (out / name).stat().st_ino == inode}
    # the first chapter whole; the second joined again from its old sentence files and the new one
    assert "chapters/01-第一章-相遇.mp3" in linked and "chapters/02-第二章-重庆.mp3" not in linked
    assert {"sentences/s0005.mp3", "sentences/s0007.mp3"} <= linked and "sentences/s0006.mp3" not in linked
    fresh, _ = run(source, tmp_path / "fresh", tmp_path / "fresh-cache")
    assert fresh == manifest
    assert files(tmp_path / "fresh") == files(out)


def test_sentence_files_are_found_by_what_they_are_made_of_not_their_names(tmp_path):
    """A sentence inserted at the top renumbers every file after it; none of them is encoded again."""
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache)
    before = {name: (out / name).read_bytes() for name in files(out) if name.startswith("sentences/")}
    write(source, ARTICLE.replace("你好。", "大家好。你好。"))
    manifest, counted = run(source, out, cache)
    assert len(counted.read) == 1
    after = {s.file: (out / s.file).read_bytes() for s in manifest.sentences}
    # the audio is the same; the tags say where each sentence now is in its chapter
    assert ([_untagged(after[f"sentences/s{i:04d}.mp3"]) for i in range(3, 9)]
            == [_untagged(before[f"sentences/s{i:04d}.mp3"]) for i in range(2, 8)])
    assert str(ID3(out / "sentences/s0003.mp3")["TRCK"]) == "3/5"  # heading, 大家好, 你好, 我是王老师, 今天…


def _untagged(data: bytes) -> bytes:
    """An MP3's bytes after its ID3v2 tag (whose size is four 7-bit bytes)."""
    assert data[:3] == b"ID3"
    size = 0
    for byte in data[6:10]:
        size = size << 7 | byte
    return data[10 + size :]


def test_book_times_follow_the_joined_book_gaps_included(tmp_path):
    source, out = write(tmp_path / "a.md", ARTICLE), tmp_path / "out"
    manifest, _ = run(source, out, tmp_path / "cache")
    book, rate = buildkit.decode(out / "book.mp3")
    first, second = manifest.chapters
    # The join keeps the encoder's padding and delay between chapters: a few milliseconds of book time.
    assert 0.02 < second.start - first.end < 0.1
    assert abs(len(book) / rate - manifest.duration) <= 0.002
    for sentence in manifest.sentences:
        clip, _ = buildkit.decode(out / sentence.file)
        chapter = manifest.chapters[sentence.chapter - 1]
        assert sentence.book_start == pytest.approx(chapter.start + sentence.start, abs=0.0011)
        at = int(round(sentence.book_start * rate))
        lags = np.arange(-48, 49)
        fit = [np.dot(book[at + lag: at + lag + len(clip)], clip) for lag in lags]
        assert abs(lags[int(np.argmax(fit))]) <= rate // 1000  # times are rounded to the millisecond
        best = at + lags[int(np.argmax(fit))]
        assert np.corrcoef(book[best: best + len(clip)], clip)[0, 1] > 0.99


def test_a_keys_record_without_its_timing_is_not_trusted(tmp_path, assembled):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    first, _ = run(source, out, cache, format="wav")
    keys = json.loads((out / KEYS_FILE).read_text(encoding="utf-8"))
    del keys["chapters"]["chapters/01-第一章-相遇.wav"]["timing"]["spans"]
    keys["chapters"]["chapters/02-第二章-重庆.wav"]["clips"] = "garbled"
    (out / KEYS_FILE).write_text(json.dumps(keys), encoding="utf-8")
    assembled.clear()
    again, _ = run(source, out, cache, format="wav")
    assert assembled == ["第一章 相遇", "第二章 重庆"] and again == first


def test_a_first_build_with_jobs_starts_its_workers_before_reading_the_input(tmp_path, monkeypatch):
    import tts_pipeline.parse as parse
    import tts_pipeline.synthesize as synthesize

    order = []
    start, read = synthesize.start_backend, parse.read_article
    monkeypatch.setattr(synthesize, "start_backend", lambda *args: order.append("workers") or start(*args))
    monkeypatch.setattr(parse, "read_article", lambda *args, **kw: order.append("read") or read(*args, **kw))
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache, jobs=2)
    assert order == ["workers", "read"]
    order.clear()
    write(source, EDITED)
    run(source, out, cache, jobs=2)
    assert order == ["read", "workers"]  # a rebuild starts them only for a sentence it must speak
    order.clear()
    run(source, out, cache, jobs=2)
    assert order == ["read"]  # nothing to speak: no worker at all


# -- a damaged previous output -----------------------------------------------------------------------------------
# s0001 and s0005 are the chapter headings; s0002 is 你好。 in the first chapter.
FIRST_CHAPTER_MP3 = "chapters/01-第一章-相遇.mp3"


def damage(path, at, count, keep_time=False):
    """Zero `count` bytes of `path` from byte `at` (from the end when negative), in place, keeping its size; with
    `keep_time` its modification time is put back, as a copy tool or a failing disk may leave it."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    at = at % len(data)
    data[at:at + count] = bytes(count)
    path.write_bytes(bytes(data))
    if keep_time:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def matches_a_fresh_build(tmp_path, source, out, manifest, **options):
    fresh, _ = run(source, tmp_path / "fresh", tmp_path / "fresh-cache", **options)
    assert fresh == manifest
    assert files(tmp_path / "fresh") == files(out)


@pytest.mark.parametrize("keep_time", [False, True], ids=["modified", "time-put-back"])
@pytest.mark.parametrize("name, edit, from_clip", [
    # an edit in the same chapter: it is joined again, s0002 encoded again from its cached clip
    ("sentences/s0002.mp3", ("我是王老师。", "我是李老师。"), True),
    # an edit in the other chapter: this one, taken whole before, is joined again from its sentence files
    (FIRST_CHAPTER_MP3, ("重庆很大。", "重庆非常大。"), False),
])
def test_a_damaged_mp3_of_the_previous_output_is_made_again(tmp_path, name, edit, from_clip, keep_time):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache)
    damage(out / name, (out / name).stat().st_size // 2, 200, keep_time)
    write(source, ARTICLE.replace(*edit))
    manifest, counted = run(source, out, cache)  # failed with "broken MP3 frame at byte …"
    assert any(":你好。:" in key for key in counted.read) == from_clip
    matches_a_fresh_build(tmp_path, source, out, manifest)


def test_damage_that_misses_every_frame_header_is_not_linked_into_the_new_output(tmp_path):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    run(source, out, cache)
    damage(out / "sentences/s0002.mp3", -6, 4)  # inside the last frame's audio data: every frame still parses
    write(source, EDITED)  # an edit in the other chapter
    manifest, _ = run(source, out, cache)
    matches_a_fresh_build(tmp_path, source, out, manifest)


def test_a_retagged_book_of_the_same_size_is_not_up_to_date(tmp_path):
    source, out, cache = write(tmp_path / "a.md", ARTICLE), tmp_path / "out", tmp_path / "cache"
    manifest, _ = run(source, out, cache, stamp="same command")
    book = out / "book.mp3"
    written = book.read_bytes()
    title = manifest.title.encode("utf-8")  # as the ID3v2.4 tag holds it
    assert written.startswith(b"ID3") and written.index(title) < 64  # the TIT2 frame comes first
    book.write_bytes(written.replace(title, manifest.title[::-1].encode("utf-8"), 1))  # a tag editor's work
    run(source, out, cache, stamp="same command")
    assert book.read_bytes() == written
    inode = book.stat().st_ino
    run(source, out, cache, stamp="same command")
    assert book.stat().st_ino == inode  # and now it is up to date
