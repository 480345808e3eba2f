"""Two builds into one output folder: the second stops at once with one line, the first is not disturbed."""
from __future__ import annotations

import json
import subprocess
import time

import pytest

from test_resume import SENTENCES, TOTAL, article, command, environment, is_temporary, lines, uninterrupted
from tts_pipeline.errors import OutputError
from tts_pipeline.export.folder import LOCK, STAGING, OutputFolder


def test_a_second_build_into_the_same_folder_stops_at_once_and_the_first_completes(tmp_path, tmp_path_factory):
    source, out, cache = tmp_path / "lesson.txt", tmp_path / "out", tmp_path / "cache"
    article(source)
    first_log = tmp_path / "first.log"
    first = subprocess.Popen(command(source, out, cache, 1), cwd=tmp_path, env=environment(first_log, 0.05),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while len(lines(first_log)) < 3:  # speaking: it has its staging folder and holds the lock
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline, "the first build spoke nothing in 120 s"
            time.sleep(0.02)
        second_log = tmp_path / "second.log"
        second = subprocess.run(command(source, out, cache, 1), cwd=tmp_path, env=environment(second_log, 0),
                                capture_output=True, text=True, timeout=120)
        # it neither waited for the first build to end nor ended it
        assert first.poll() is None, f"the first build ended under the second: {first.communicate()[1]}"
        assert second.returncode == 4
        assert second.stderr.splitlines() == [f"tts-pipeline: error: another build is writing {out}; "
                                              "wait for it to finish or choose another -o"]
        assert lines(second_log) == []  # it spoke nothing
        _, errors = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, errors
    assert len(lines(first_log)) == TOTAL
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["sentences"]) == SENTENCES + 2
    assert manifest["sentences"] == uninterrupted(tmp_path_factory)["sentences"]
    left = [p.relative_to(out).as_posix() for p in out.rglob("*")]
    assert not [name for name in left if is_temporary(name)]  # the lock file included
    assert all((out / s["file"]).stat().st_size > 0 for s in manifest["sentences"])


def test_a_staging_folder_is_removed_only_when_no_build_holds_the_lock(tmp_path):
    target = tmp_path / "out"
    running = OutputFolder(target)
    staged = running.prepare() / "book.mp3"
    staged.write_bytes(b"half a book")
    with pytest.raises(OutputError, match=f"^another build is writing {target}; "):
        OutputFolder(target).prepare()
    assert staged.read_bytes() == b"half a book"
    running.abort()

    (target / STAGING).mkdir()  # left by a build that was killed: the kernel released its lock
    (target / STAGING / "book.mp3").write_bytes(b"stale")
    again = OutputFolder(target)
    assert list(again.prepare().iterdir()) == []
    again.abort()
    assert not (target / STAGING).exists() and not (target / LOCK).exists()
