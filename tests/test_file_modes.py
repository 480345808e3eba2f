"""Every file a build writes, in the output folder and in the cache, has the mode the umask gives.

A 0600 book cannot be served by the web server the player is put behind, and a 0600 cache file
cannot be read by the other users of a shared cache folder.
"""
from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from test_resume import article, command, environment
from tts_pipeline.atomic import replacing, write_atomic
from tts_pipeline.pronunciation.packed import write_table


def modes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*") if p.is_file()}


def test_a_build_writes_every_file_with_the_mode_of_the_umask(tmp_path):
    source, out, cache = tmp_path / "lesson.txt", tmp_path / "out", tmp_path / "cache"
    article(source)
    done = subprocess.run(command(source, out, cache, 1), cwd=tmp_path,
                          env=environment(tmp_path / "log", 0), capture_output=True, text=True, timeout=300,
                          umask=0o022)
    assert done.returncode == 0, done.stderr
    written = modes(out) | {f"cache/{name}": mode for name, mode in modes(cache).items()}
    expected = ("book.mp3", "chapters/01-", "sentences/s0001.mp3", "manifest.json", "transcript.lrc",
                "transcript.srt", "transcript.vtt", "index.html", "cache/clips-", "cache/pronunciations-",
                "cache/builds/", "cache/silence/")
    for start in expected:
        assert any(name.startswith(start) for name in written), f"the build wrote no {start}… file"
    assert {name: oct(mode) for name, mode in written.items() if mode != 0o644} == {}


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_the_atomic_writer_follows_the_umask(tmp_path, umask, mode):
    import os

    before = os.umask(umask)
    try:
        write_atomic(tmp_path / "text.json", "{}\n")
        write_table(tmp_path / "pronounce" / "table.packed", b"packed")
        with replacing(tmp_path / "joined.mp3") as handle:
            handle.write(b"frames")
    finally:
        os.umask(before)
    assert modes(tmp_path) == {"text.json": mode, "pronounce/table.packed": mode, "joined.mp3": mode}


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "book.mp3"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with replacing(target) as handle:
            handle.write(b"half of the new")
            raise RuntimeError("killed half way")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.mp3"]
