"""Loaders for the pronounce stage's large shared tables and models."""
from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

# Every stored table is stamped with this, the versions of the packages it
# comes from and a digest of the modules that build and read tables, so that
# a change to any of them rebuilds it. A module that starts building a table
# must be added to TABLE_CODE.
TABLE_FORMAT = "packed-1"
TABLE_CODE = ("once.py", "packed.py", "segment.py", "lexicon.py", "readings.py", "context_model.py")
STALE_AFTER = 600.0  # seconds


def load_once(load: Callable[[], T]) -> Callable[[], T]:
    """Wrap `load` so it runs on the first call only, even when threads ask at the same moment."""
    lock = threading.Lock()
    loaded: list[T] = []

    @functools.wraps(load)
    def get() -> T:
        if not loaded:
            with lock:
                if not loaded:
                    loaded.append(load())
        return loaded[0]

    return get


def version(distribution: str) -> str:
    import importlib.metadata  # 40 ms to import; only opening a table needs it

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@functools.lru_cache(maxsize=None)
def code_digest() -> str:
    """A digest of the modules in TABLE_CODE."""
    import hashlib

    digest = hashlib.sha256()
    folder = Path(__file__).resolve().parent
    for name in TABLE_CODE:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()


def table_stamp(name: str, distributions: tuple[str, ...]) -> str:
    versions = ",".join(f"{d}={version(d)}" for d in distributions)
    return f"{TABLE_FORMAT}:{name}:{versions}:{code_digest()}"


def table_folder() -> Path:
    from .. import cachelayout

    return cachelayout.current().path(cachelayout.TABLES)


def stored_table(
    name: str, kind: str, distributions: tuple[str, ...], build: Callable[[], tuple[Mapping, dict]],
    folder: Path | None = None, legacy: tuple[str, ...] = (),
) -> Mapping:
    """Table `name` from the cache folder's pronounce/ (packed.py), built and stored on first use.

    Opening a table marks it used (its modification time). Building one also
    removes the files of its other stamps and the `legacy` patterns of files
    it replaces, unless they were used in the last STALE_AFTER seconds: two
    installations of different versions sharing one cache folder would
    otherwise delete each other's tables on every run."""
    import hashlib
    import os
    import time

    from . import packed

    stamp = table_stamp(name, distributions)
    folder = folder if folder is not None else table_folder()
    path = folder / f"{name}-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.packed"

    def build_and_tidy() -> tuple[Mapping, dict]:
        built = build()
        for pattern in (f"{name}-*.packed", *legacy):
            for stale in folder.glob(pattern):
                try:
                    if stale != path and stale.stat().st_mtime < time.time() - STALE_AFTER:
                        stale.unlink()
                except OSError:
                    pass
        return built

    table = packed.load_or_build(path, stamp, kind, build_and_tidy)
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache folder
    return table
