"""The cache folder: where it is, and every folder the program keeps in it.

Every part that keeps files in the cache asks this module for its folder, so
that `--cache-dir` moves all of them and `cache info` / `cache clear` see all
of them. The root, first match wins:

1. `--cache-dir DIR` (the command line enters `using(DIR)` for the command; a
   build given `cache=ClipCache(DIR)` does the same for the build);
2. `$TTS_PIPELINE_CACHE`;
3. `$XDG_CACHE_HOME/tts_pipeline`, when that is an absolute path (the XDG
   spec says a relative one is invalid and must be ignored);
4. `~/.cache/tts_pipeline`.

Worker processes are given the root their parent uses (backends/processes.py). Only the
standard library is imported: the command line reads the cache before it
imports the heavy stages.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ENV_VAR = "TTS_PIPELINE_CACHE"


@dataclass(frozen=True)
class Part:
    """One folder in the cache: `folder` below the root, `what` it holds (for `cache info`)."""

    folder: str
    what: str


CLIPS = Part("clips-v1", "clips")  # cache.ClipCache; a new layout gets a new name, so old clips are not found
PRONUNCIATIONS = Part("pronunciations-2", "stored readings")  # pronunciation.PronunciationCache
TABLES = Part("pronounce", "pronouncer tables")  # pronunciation/once.py, packed.py
MODELS = Part("models", "rewritten voice models")  # engines/neural/rewrite.py
SILENCE = Part("silence", "silent MP3s")  # export/chapterjoin.py
BUILDS = Part("builds", "records of up-to-date outputs")  # incremental.py
PARTS = (CLIPS, PRONUNCIATIONS, TABLES, MODELS, SILENCE, BUILDS)
# Folders of earlier layouts, never read again: `cache info` counts them and `cache clear` removes them.
EARLIER = (Part("pronunciations-1", "stored readings of an earlier version"),)


@dataclass(frozen=True)
class Usage:
    """What one part of the cache holds: files and bytes."""

    part: Part
    path: Path
    files: int
    size: int


@dataclass(frozen=True)
class CacheLayout:
    root: Path

    def path(self, part: Part) -> Path:
        return self.root / part.folder

    def usage(self, parts: tuple[Part, ...] = PARTS + EARLIER) -> tuple[Usage, ...]:
        return tuple(_usage(part, self.path(part)) for part in parts)

    def remove(self, parts: tuple[Part, ...]) -> None:
        """Delete these parts' folders; whatever else the root holds is not this program's and stays."""
        for part in parts:
            shutil.rmtree(self.path(part), ignore_errors=True)


def _usage(part: Part, folder: Path) -> Usage:
    files = size = 0
    for path in folder.rglob("*") if folder.is_dir() else ():
        try:
            if path.is_file():
                files += 1
                size += path.stat().st_size
        except OSError:  # removed while counting
            pass
    return Usage(part, folder, files, size)


_chosen: list[Path] = []  # the roots of the `using` blocks entered, innermost last


def resolve_root(explicit: str | os.PathLike | None = None) -> Path:
    """The cache root: `explicit`, else the environment (see the module's doc)."""
    if explicit:
        return Path(explicit).expanduser()
    named = os.environ.get(ENV_VAR)
    if named:
        return Path(named).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "tts_pipeline"


def current(explicit: str | os.PathLike | None = None) -> CacheLayout:
    """The layout of `explicit`, else of the innermost `using` block, else of the environment's root."""
    if explicit or not _chosen:
        return CacheLayout(resolve_root(explicit))
    return CacheLayout(_chosen[-1])


@contextlib.contextmanager
def using(root: str | os.PathLike | None) -> Iterator[CacheLayout]:
    """Within the block every part of the program keeps its files under `root` (None: as before)."""
    if root is None:
        yield current()
        return
    _chosen.append(resolve_root(root))
    try:
        yield current()
    finally:
        _chosen.pop()
