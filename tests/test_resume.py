"""Kill a real build with SIGKILL part way, then run it again.

The build runs as `python -m tts_pipeline build` in its own process with the
`test-tone` engine from tests/tone_engine.py, loaded through the
entry point in tests/plugin (as an installed engine plugin's) and slowed down by
TTS_TEST_TONE_DELAY so that it can be killed mid-way. Each synthesis appends
the sentence id to the TTS_TEST_TONE_LOG file, which tells the test both when
to kill and how many clips the second run had to make.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from proctable import processes
from tts_pipeline.cache import ClipCache

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SENTENCES = 36  # plus the two chapter headings, which are spoken too
TOTAL = SENTENCES + 2
# a killed build also leaves its lock file, which no process holds any more
TEMPORARY_PARTS = (".tts-pipeline-partial", ".tts-pipeline-previous", ".tts-pipeline-lock", ".tmp", ".partial", ".part")


def article(path: Path, unit: str = "圈") -> None:
    """Two chapters of distinct sentences (every sentence has its own number), each under a # heading."""
    words = ["今天", "我们", "学习", "中文", "老师", "朋友", "城市", "公园", "早上", "晚上"]
    lines = ["# 第一章 春天", ""]
    for i in range(SENTENCES):
        if i == SENTENCES // 2:
            lines += ["", "# 第二章 秋天", ""]
        elif i and i % 6 == 0:
            lines.append("")
        lines.append(f"{words[i % 10]}{words[(i * 3 + 1) % 10]}走了第{i + 1}{unit}。")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def environment(log: Path, delay: float) -> dict[str, str]:
    env = dict(os.environ)
    # tests/plugin: the test engines' entry point, as an installed engine plugin's
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), str(TESTS / "plugin"), str(ROOT), env.get("PYTHONPATH")]))
    env["TTS_TEST_TONE_DELAY"] = str(delay)
    env["TTS_TEST_TONE_LOG"] = str(log)
    return env


def command(source: Path, out: Path, cache: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "tts_pipeline", "build", str(source), "-o", str(out),
            "--engine", "test-tone", "--cache-dir", str(cache), "--jobs", str(jobs)]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def is_temporary(relative: str) -> bool:
    return any(part in relative for part in TEMPORARY_PARTS)


def children(pid: int) -> list[int]:
    return [p.pid for p in processes() if p.parent == pid]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_part_way(argv: list[str], cwd: Path, env: dict[str, str], log: Path, after: int = 12) -> None:
    """Run a build, SIGKILL it once it has made `after` clips, and check its workers go too."""
    build = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(lines(log)) < after:
        if build.poll() is not None:
            pytest.fail(f"the build ended before it could be killed: {build.stderr.read().decode()}")
        if time.monotonic() > deadline:
            build.kill()
            pytest.fail(f"the build made fewer than {after} clips in 120 s")
        time.sleep(0.02)
    workers = children(build.pid)
    build.send_signal(signal.SIGKILL)
    build.communicate()
    # Workers notice that their parent is gone and exit by themselves.
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)], "worker processes outlived the killed build"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_killed_part_way_leaves_no_false_file_and_resumes_from_the_cache(tmp_path, tmp_path_factory, jobs):
    source, out, cache = tmp_path / "lesson.txt", tmp_path / "out", tmp_path / "cache"
    article(source)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    kill_part_way(command(source, out, cache, jobs), tmp_path, environment(first_log, 0.15), first_log)

    after_kill = files(out)
    finals = {name: data for name, data in after_kill.items() if not is_temporary(name)}
    assert "manifest.json" not in finals, "a killed build must not leave a manifest that claims it finished"
    stored = ClipCache(cache).info()
    assert 8 <= stored.clips < TOTAL, stored

    # The second run: fast engine, same cache.
    rerun = subprocess.run(command(source, out, cache, jobs), cwd=tmp_path, env=environment(second_log, 0),
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    remade = lines(second_log)
    # every sentence is distinct, so this count means no stored clip was made again
    assert len(remade) == len(set(remade)) == TOTAL - stored.clips
    assert f"{stored.clips} clips from the cache" in rerun.stderr

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["sentences"]) == TOTAL
    assert [s["engine"] for s in manifest["sentences"]] == ["test-tone"] * TOTAL
    assert [c["title"] for c in manifest["chapters"]] == ["第一章 春天", "第二章 秋天"]
    final = files(out)
    assert not [name for name in final if is_temporary(name)], "temporary files left after a finished build"
    for name, data in finals.items():
        assert final.get(name) == data, f"{name} existed after the kill but was not the finished file"

    # What the resumed build wrote is what an uninterrupted build writes.
    expected = uninterrupted(tmp_path_factory)
    timing = lambda m: [(s["id"], s["start"], s["end"], s["book_start"], s["book_end"]) for s in m["sentences"]]  # noqa: E731
    assert timing(manifest) == timing(expected)
    assert manifest["duration"] == expected["duration"]


_uninterrupted: list[dict] = []


def uninterrupted(tmp_path_factory) -> dict:
    """The manifest of the same build run without interruption (made once for both tests)."""
    if not _uninterrupted:
        where = tmp_path_factory.mktemp("clean")
        article(where / "lesson.txt")
        clean = subprocess.run(command(where / "lesson.txt", where / "out", where / "cache", 1), cwd=where,
                               env=environment(where / "clean.log", 0), capture_output=True, text=True, timeout=300)
        assert clean.returncode == 0, clean.stderr
        _uninterrupted.append(json.loads((where / "out" / "manifest.json").read_text(encoding="utf-8")))
    return _uninterrupted[0]


def test_a_rebuild_killed_part_way_leaves_the_previous_output_as_it_was(tmp_path):
    source, out, cache = tmp_path / "lesson.txt", tmp_path / "out", tmp_path / "cache"
    article(source, unit="圈")
    done = subprocess.run(command(source, out, cache, 1), cwd=tmp_path, env=environment(tmp_path / "a.log", 0),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    before = files(out)
    clips_before = ClipCache(cache).info().clips

    article(source, unit="步")  # every sentence changes, the two headings do not
    log = tmp_path / "b.log"
    kill_part_way(command(source, out, cache, 1), tmp_path, environment(log, 0.15), log, after=8)
    after = {name: data for name, data in files(out).items() if not is_temporary(name)}
    assert after == before, "the previous output changed under a build that did not finish"
    made = ClipCache(cache).info().clips - clips_before
    assert made >= 6

    rerun = subprocess.run(command(source, out, cache, 1), cwd=tmp_path, env=environment(tmp_path / "c.log", 0),
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert len(lines(tmp_path / "c.log")) == SENTENCES - made
    assert f"{made + 2} clips from the cache" in rerun.stderr
    texts = [s["text"] for s in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sentences"]]
    assert sum("步" in t for t in texts) == SENTENCES and not any("圈" in t for t in texts)


def test_pronunciations_are_read_back_from_the_cache_and_an_edit_reads_only_its_sentence(tmp_path, monkeypatch):
    import tts_pipeline.pronunciation as pronounce
    from tts_pipeline.parse import parse_text

    text = "我们去银行。他会重(chóng)新开始。天气很好。\n"
    edited = text.replace("天气很好", "天气真好")
    fresh = list(pronounce.pronounce_article(parse_text(text)))
    first = list(pronounce.pronounce_article(parse_text(text), cache_dir=tmp_path))
    assert first == fresh

    real = pronounce.pronounce_sentence
    read: list[str] = []

    def counting(sentence, *options):
        read.append(sentence.text)
        return real(sentence, *options)

    monkeypatch.setattr(pronounce, "pronounce_sentence", counting)
    again = list(pronounce.pronounce_article(parse_text(text), cache_dir=tmp_path))
    assert again == fresh and read == []
    after_edit = list(pronounce.pronounce_article(parse_text(edited), cache_dir=tmp_path))
    assert read == ["天气真好。"]
    assert after_edit[:2] == fresh[:2] and after_edit[2].sentence.text == "天气真好。"
    other_policy = list(pronounce.pronounce_article(parse_text(text), policy="off", cache_dir=tmp_path))
    assert len(read) == 4 and len(other_policy) == 3  # the policy is part of the key
