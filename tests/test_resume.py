"""Kill a real build with SIGKILL part way, then run it again.

The build runs as `python -m tts_pipeline build` in its own process with the
`test-tone` engine from tests/tone_engine.py, loaded through the
TTS_PIPELINE_ENGINE_PLUGINS testing hook and slowed down by
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

from tts_pipeline.cache import ClipCache

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SENTENCES = 36
TEMPORARY_PARTS = (".tts-pipeline-partial", ".tts-pipeline-previous", ".tmp", ".partial", ".part")


def article(path: Path) -> None:
    """Two chapters of distinct sentences (every sentence has its own number)."""
    words = ["今天", "我们", "学习", "中文", "老师", "朋友", "城市", "公园", "早上", "晚上"]
    lines = ["第一章 春天", ""]
    for i in range(SENTENCES):
        if i == SENTENCES // 2:
            lines += ["", "第二章 秋天", ""]
        elif i and i % 6 == 0:
            lines.append("")
        lines.append(f"{words[i % 10]}{words[(i * 3 + 1) % 10]}走了第{i + 1}圈。")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def environment(log: Path, delay: float) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), str(ROOT), env.get("PYTHONPATH")]))
    env["TTS_PIPELINE_ENGINE_PLUGINS"] = "tone_engine"
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
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_killed_part_way_leaves_no_false_file_and_resumes_from_the_cache(tmp_path, jobs):
    source, out, cache = tmp_path / "lesson.txt", tmp_path / "out", tmp_path / "cache"
    article(source)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    build = subprocess.Popen(command(source, out, cache, jobs), cwd=tmp_path, env=environment(first_log, 0.15),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(lines(first_log)) < 12:
        if build.poll() is not None:
            pytest.fail(f"the build ended before it could be killed: {build.stderr.read().decode()}")
        if time.monotonic() > deadline:
            build.kill()
            pytest.fail("the build made fewer than 12 clips in 120 s")
        time.sleep(0.02)
    workers = children(build.pid)
    build.send_signal(signal.SIGKILL)
    build.communicate()

    # Workers notice that their parent is gone and exit by themselves.
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)], "worker processes outlived the killed build"

    after_kill = files(out)
    finals = {name: data for name, data in after_kill.items() if not is_temporary(name)}
    assert "manifest.json" not in finals, "a killed build must not leave a manifest that claims it finished"
    stored = ClipCache(cache).info()
    assert 8 <= stored.clips < SENTENCES, stored

    # The second run: fast engine, same cache.
    rerun = subprocess.run(command(source, out, cache, jobs), cwd=tmp_path, env=environment(second_log, 0),
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    remade = lines(second_log)
    # every sentence is distinct, so this count means no stored clip was made again
    assert len(remade) == len(set(remade)) == SENTENCES - stored.clips
    assert f"{stored.clips} clips from the cache" in rerun.stderr

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["sentences"]) == SENTENCES
    assert [s["engine"] for s in manifest["sentences"]] == ["test-tone"] * SENTENCES
    final = files(out)
    assert not [name for name in final if is_temporary(name)], "temporary files left after a finished build"
    for name, data in finals.items():
        assert final.get(name) == data, f"{name} existed after the kill but was not the finished file"

    # What the resumed build wrote is what an uninterrupted build writes.
    clean_out = tmp_path / "clean"
    clean = subprocess.run(command(source, clean_out, tmp_path / "clean-cache", 1), cwd=tmp_path,
                           env=environment(tmp_path / "clean.log", 0), capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0, clean.stderr
    expected = json.loads((clean_out / "manifest.json").read_text(encoding="utf-8"))
    timing = lambda m: [(s["id"], s["start"], s["end"], s["book_start"], s["book_end"]) for s in m["sentences"]]  # noqa: E731
    assert timing(manifest) == timing(expected)
    assert manifest["duration"] == expected["duration"]
