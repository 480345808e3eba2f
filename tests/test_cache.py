"""The clip cache: where it lives, what it keeps, and how it survives interruptions."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tts_pipeline.cache import ClipCache, ContentKey, content_key, quantize
from tts_pipeline.cachelayout import resolve_root, using
from tts_pipeline.incremental import (
    KEYS_FILE, OutputKeys, build_stamp, chapter_key, code_fingerprint, record_output, root_stamp, up_to_date_outputs,
)
from tts_pipeline.model import Clip, Notice, SourcePosition


def tone(seconds=0.5, rate=24000, pitch=220.0):
    t = np.arange(int(seconds * rate)) / rate
    return (0.4 * np.sin(2 * np.pi * pitch * t)).astype(np.float32)


def test_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("TTS_PIPELINE_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_root() == tmp_path / "home" / ".cache" / "tts_pipeline"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_root() == tmp_path / "xdg" / "tts_pipeline"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec says relative paths are invalid
    assert resolve_root() == tmp_path / "home" / ".cache" / "tts_pipeline"
    monkeypatch.setenv("TTS_PIPELINE_CACHE", str(tmp_path / "explicit"))
    assert resolve_root() == tmp_path / "explicit"
    assert ClipCache().root == tmp_path / "explicit"
    with using(tmp_path / "given"):  # --cache-dir
        assert ClipCache().root == tmp_path / "given"
    assert ClipCache(tmp_path / "named").root == tmp_path / "named"


def test_a_stored_clip_comes_back_sample_for_sample(tmp_path):
    cache = ClipCache(tmp_path)
    samples = quantize(tone())
    notice = Notice("unsayable", "no reading for ㄅ", 3, SourcePosition("a.txt", 2, 5), text="ㄅ")
    cache.put("k1", Clip(samples, 24000, "neural", (notice,)))
    clip = ClipCache(tmp_path).get("k1")
    assert clip is not None
    assert clip.samples.dtype == np.float32 and np.array_equal(clip.samples, samples)
    assert (clip.sample_rate, clip.engine, clip.notices) == (24000, "neural", (notice,))


def test_quantize_is_what_the_cache_keeps_and_is_stable():
    raw = np.array([0.0, 0.5, -0.5, 1.5, -2.0, 1e-6, 0.123456789], dtype=np.float32)
    once = quantize(raw)
    assert np.array_equal(quantize(once), once)
    assert once.max() <= 1.0 and once.min() >= -1.0
    assert np.max(np.abs(once[:3] - raw[:3])) < 1 / 32767


def test_an_absent_key_is_a_miss_and_counts(tmp_path):
    cache = ClipCache(tmp_path)
    assert cache.get("nothing") is None
    cache.put("k", Clip(quantize(tone()), 24000, "neural"))
    assert cache.get("k") is not None
    assert (cache.hits, cache.misses, cache.stores) == (1, 1, 1)


def test_clips_are_compact(tmp_path):
    cache = ClipCache(tmp_path)
    path = cache.put("k", Clip(quantize(tone(seconds=2.0)), 24000, "neural"))
    raw_float32 = 2.0 * 24000 * 4
    assert path.stat().st_size < raw_float32 / 4


def test_a_truncated_file_is_a_miss_and_is_removed(tmp_path):
    cache = ClipCache(tmp_path)
    path = cache.put("k", Clip(quantize(tone()), 24000, "neural"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    assert cache.get("k") is None
    assert not path.exists()


def test_a_file_for_another_key_is_not_trusted(tmp_path):
    cache = ClipCache(tmp_path)
    cache.put("a", Clip(quantize(tone()), 24000, "neural"))
    cache.path_for("b").parent.mkdir(parents=True, exist_ok=True)
    cache.path_for("a").rename(cache.path_for("b"))
    assert cache.get("b") is None


WRITE_PAST_A_LIMIT = """
import resource, signal, sys
import numpy as np
from tts_pipeline.cache import ClipCache
from tts_pipeline.errors import OutputError
from tts_pipeline.model import Clip
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails (EFBIG) instead of ending us
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
noise = np.random.default_rng(1).uniform(-0.5, 0.5, 24000 * 10).astype(np.float32)  # 10 s: far over 20 kB
try:
    ClipCache(sys.argv[1]).put("k", Clip(noise, 24000, "neural"))
except OutputError as exc:
    print(exc)
"""


def test_a_write_that_fails_half_way_leaves_nothing_under_any_name(tmp_path):
    """A clip that cannot be written whole (here: past a limit on file size, in a process of its own) leaves
    neither a file under its final name nor its temporary file."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", WRITE_PAST_A_LIMIT, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                              [str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH", "")])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cannot write to the clip cache") and "--no-cache" in done.stdout
    cache = ClipCache(tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert cache.get("k") is None


def test_leftover_temporary_files_are_ignored_counted_and_cleared(tmp_path):
    cache = ClipCache(tmp_path)
    cache.put("k", Clip(quantize(tone()), 24000, "neural"))
    leftover = cache.path_for("k").parent / ".tmp-abc.flac"
    leftover.write_bytes(b"half a clip")
    info = cache.info()
    assert (info.clips, info.leftovers, info.leftover_size) == (1, 1, len(b"half a clip"))
    assert info.size == cache.path_for("k").stat().st_size
    removed = cache.clear()
    assert removed.clips == 1 and removed.leftovers == 1
    after = cache.info()
    assert (after.clips, after.leftovers, after.size) == (0, 0, 0)
    assert cache.get("k") is None


def test_info_on_a_missing_folder_is_empty(tmp_path):
    info = ClipCache(tmp_path / "never-made").info()
    assert (info.clips, info.size) == (0, 0)


def test_unwritable_cache_says_what_to_do(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    from tts_pipeline.errors import OutputError

    with pytest.raises(OutputError, match="--cache-dir|--no-cache"):
        ClipCache(blocker).put("k", Clip(quantize(tone()), 24000, "neural"))


def test_content_key_changes_with_any_part():
    a = Clip(quantize(tone()), 24000, "neural")
    b = Clip(quantize(tone(pitch=221.0)), 24000, "neural")
    base = content_key([a, b], (0.3, 0.8), "mp3")
    assert base == content_key([a, b], (0.3, 0.8), "mp3")
    assert base != content_key([b, a], (0.3, 0.8), "mp3")
    assert base != content_key([a, b], (0.3, 0.9), "mp3")
    assert base != content_key([a, b], (0.3, 0.8), "m4b")
    assert content_key("ab", "c") != content_key("a", "bc")


# -- rebuilding only what changed ----------------------------------------------



def test_content_key_can_be_built_piece_by_piece():
    running = ContentKey("chapter", 1)
    running.add("s0001", 0)
    running.add("s0002", 1)
    assert running.hexdigest() == content_key("chapter", 1, "s0001", 0, "s0002", 1)


def test_build_stamp_changes_with_the_input_and_the_options(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("你好。", encoding="utf-8")
    stamp = build_stamp([source], {"speed": 1.0})
    assert stamp == build_stamp([source], {"speed": 1.0})
    assert stamp != build_stamp([source], {"speed": 0.9})
    source.write_text("你好！", encoding="utf-8")
    assert stamp != build_stamp([source], {"speed": 1.0})
    assert build_stamp([tmp_path / "missing.txt"], {}) is None
    assert len(code_fingerprint()) == 64


def test_chapter_key_depends_on_every_sentence_and_the_format():
    def key(ids, fmt="mp3"):
        running = chapter_key("第一章", "chapters/01-a.mp3", (0.45, 0.9), fmt, "64k", 2.0)
        for sentence_id in ids:
            running.add(Clip(quantize(tone(0.1, pitch=200 + len(sentence_id))), 24000, "neural"), sentence_id, 0)
        return running.hexdigest()

    assert key(["s0001", "s0002"]) == key(["s0001", "s0002"])
    assert key(["s0001", "s0002"]) != key(["s0001", "s0003"])
    assert key(["s0001", "s0002"]) != key(["s0001", "s0002"], fmt="ogg")


def staged_build(root: Path, staging: Path, keys: OutputKeys, chapter_keys: dict[str, str]) -> list[bool]:
    """What a build does with OutputKeys: reuse or 'encode' each chapter, record, commit."""
    reused = []
    for name, key in chapter_keys.items():
        files = [f"chapters/{name}.mp3", f"sentences/{name}-1.mp3"]
        reused.append(keys.reuse_chapter(key, staging, files))
        if not reused[-1]:
            for file in files:
                (staging / file).parent.mkdir(parents=True, exist_ok=True)
                (staging / file).write_text(f"{file} encoded from {key}")
    (staging / "manifest.json").write_text("{}")
    keys.write(staging, root_stamp("stamp-" + "-".join(chapter_keys.values()), root))
    shutil.rmtree(root, ignore_errors=True)
    staging.rename(root)
    return reused


def test_unchanged_chapters_are_linked_from_the_previous_output(tmp_path):
    root = tmp_path / "out"
    first = staged_build(root, tmp_path / "stage1", OutputKeys.load(root), {"01": "k1", "02": "k2"})
    assert first == [False, False]
    old = (root / "chapters/02.mp3").read_text()

    keys = OutputKeys.load(root)
    assert keys.up_to_date(root_stamp("stamp-k1-k2", root)) and not keys.up_to_date(root_stamp("stamp-k1-k9", root))
    second = staged_build(root, tmp_path / "stage2", keys, {"01": "k1-edited", "02": "k2"})
    assert second == [False, True] and keys.reused == 1
    assert (root / "chapters/02.mp3").read_text() == old
    assert "k1-edited" in (root / "chapters/01.mp3").read_text()
    assert (root / KEYS_FILE).is_file()


def test_a_missing_or_changed_file_means_not_up_to_date_and_not_reusable(tmp_path):
    root = tmp_path / "out"
    staged_build(root, tmp_path / "stage1", OutputKeys.load(root), {"01": "k1"})
    stamp = root_stamp("stamp-k1", root)
    assert OutputKeys.load(root).up_to_date(stamp)
    (root / "manifest.json").write_text("{} ")
    assert not OutputKeys.load(root).up_to_date(stamp)
    (root / "sentences/01-1.mp3").unlink()
    keys = OutputKeys.load(root)
    assert not keys.up_to_date(stamp)
    assert not keys.reuse_chapter("k1", tmp_path, ["chapters/01.mp3", "sentences/01-1.mp3"])


def test_the_cache_folder_records_which_outputs_a_stamp_made(tmp_path):
    cache, one, two = tmp_path / "cache", tmp_path / "one", tmp_path / "two"
    assert up_to_date_outputs("s", cache, expected=1) is None
    staged_build(one, tmp_path / "stage1", OutputKeys.load(one), {"01": "k1"})
    record_output(cache, "stamp-k1", one)
    record_output(cache, "stamp-k1", one)
    assert up_to_date_outputs("stamp-k1", cache, expected=1) == [str(one)]
    assert up_to_date_outputs("stamp-k1", cache, expected=2) is None
    staged_build(two, tmp_path / "stage2", OutputKeys.load(two), {"01": "k1"})
    record_output(cache, "stamp-k1", two)
    assert up_to_date_outputs("stamp-k1", cache, expected=2) == [str(one), str(two)]
    assert up_to_date_outputs(None, cache, expected=1) is None
    ClipCache(cache).clear()
    assert up_to_date_outputs("stamp-k1", cache, expected=1) is None


def test_a_damaged_keys_file_is_ignored(tmp_path):
    (tmp_path / KEYS_FILE).write_text("{not json")
    keys = OutputKeys.load(tmp_path)
    assert keys.previous == {} and not keys.up_to_date("anything")


def test_clear_also_drops_stored_readings(tmp_path):
    from tts_pipeline.pronunciation import PronunciationCache

    readings = PronunciationCache(tmp_path).folder
    readings.mkdir(parents=True)
    (readings / "some-sentence").write_bytes(b"stored reading")
    ClipCache(tmp_path).clear()
    assert not readings.exists()


def test_clear_also_drops_the_silent_mp3s(tmp_path):
    from tts_pipeline.export.chapterjoin import silence_files

    cache = ClipCache(tmp_path)
    made = silence_files({3}, 24000, "64k", cache.silence_dir)
    assert made[3].is_file()
    cache.clear()
    assert not cache.silence_dir.exists()
