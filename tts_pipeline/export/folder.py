"""The output folder: checked before a build, filled in a staging folder,
swapped into place only when everything is written.

A build writes into `<output>/.tts-pipeline-partial/`. On success each
top-level entry replaces the old one by rename (old ones go to
`.tts-pipeline-previous/` and are deleted after), the marker file records what
this program wrote, and manifest.json is renamed last. On failure the staging
folder is removed and the previous output stays as it was.

From `prepare` to the end of `commit` or `abort` a build holds an exclusive
lock (flock) on `<output>/.tts-pipeline-lock`, so a second build into the same
folder stops at once instead of removing the first one's staging folder. The
kernel drops the lock when its process ends, however it ends, so a staging
folder found while the lock is free was left by a build that was killed.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

from .. import __version__
from ..atomic import write_atomic
from ..errors import OutputError

MARKER = ".tts-pipeline"
STAGING = ".tts-pipeline-partial"
PREVIOUS = ".tts-pipeline-previous"
LOCK = ".tts-pipeline-lock"
LAST = "manifest.json"


def output_error(exc: OSError, where: Path | str) -> OutputError:
    """One line for a failed write: what, where, what to do."""
    target = exc.filename or where
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {target}; free space and run again")
    if exc.errno == errno.EFBIG:
        return OutputError(f"a file grew too large for the file system or the limit on file size while writing "
                           f"{target}; write to another disk with -o, or raise the limit (ulimit -f), and run again")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return OutputError(f"cannot write {target}: {exc.strerror}; choose a writable folder with -o")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return OutputError(f"cannot create the output folder {where}: part of its path is a file; choose another -o")
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")


class _Lock:
    """An exclusive flock on a file, removed when released."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def take(self) -> bool:
        """Lock the file (created if need be); False, at once, when another process holds it."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except BaseException:
                os.close(fd)
                raise
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                current = None
            if current is not None and os.path.samestat(current, os.fstat(fd)):
                self._fd = fd
                return True
            os.close(fd)  # the holder released and removed it between our open and our lock: take the new one

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still locked, so no one locks the file being removed
        finally:
            os.close(self._fd)
            self._fd = None


class OutputFolder:
    def __init__(self, root: str | Path, force: bool = False) -> None:
        self.root = Path(root)
        self.force = force
        self.staging = self.root / STAGING
        self._staging_resolved: Path | None = None
        self._lock = _Lock(self.root / LOCK)

    def check(self) -> None:
        """Refuse a file, or a folder holding files this program did not write (unless forced)."""
        if self.root.exists() and not self.root.is_dir():
            raise OutputError(f"output {self.root} is a file, not a folder; choose another -o")
        if self.root.is_dir() and not self.force and not (self.root / MARKER).exists():
            foreign = sorted(p.name for p in self.root.iterdir() if p.name not in (STAGING, PREVIOUS, LOCK))
            if foreign:
                shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
                raise OutputError(
                    f"output folder {self.root} holds files tts-pipeline did not write ({shown}); "
                    "choose an empty or new folder, or pass --force"
                )

    def prepare(self) -> Path:
        """Check, create and lock the folder, recover from an interrupted swap, and return an empty staging
        folder."""
        self.check()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if not self._lock.take():
                raise OutputError(f"another build is writing {self.root}; wait for it to finish or choose another -o")
            self._recover()
            if self.staging.exists():
                shutil.rmtree(self.staging)  # left by a build that was killed: the lock was free
            self.staging.mkdir()
        except OSError as exc:
            self._lock.release()
            raise output_error(exc, self.root) from None
        except BaseException:
            self._lock.release()
            raise
        return self.staging

    def _recover(self) -> None:
        previous = self.root / PREVIOUS
        if not previous.exists():
            return
        for entry in previous.iterdir():
            if not (self.root / entry.name).exists():
                os.replace(entry, self.root / entry.name)
        shutil.rmtree(previous)

    def inside(self, relative: str) -> Path:
        """A path in the staging folder; refuses anything that would land outside it. The name is checked as
        written (absolute, or climbing out with `..`): the staging folder is this build's own and holds no
        links, so resolving every sentence file's path on disk (a system call per folder in it) finds nothing
        more."""
        if self._staging_resolved is None:
            self._staging_resolved = self.staging.resolve()
        normal = os.path.normpath(relative)
        if os.path.isabs(normal) or normal == os.pardir or normal.startswith(os.pardir + os.sep):
            raise OutputError(f"refusing to write {relative!r} outside the output folder {self.root}")
        return self._staging_resolved if normal == os.curdir else self._staging_resolved / normal

    def _written_before(self) -> list[str]:
        try:
            return list(json.loads((self.root / MARKER).read_text(encoding="utf-8")).get("files", []))
        except (OSError, ValueError, AttributeError):
            return []

    def commit(self) -> None:
        """Swap the staged entries into place; old entries this program wrote and no longer writes go."""
        names = sorted((p.name for p in self.staging.iterdir()), key=lambda name: name == LAST)
        previous = self.root / PREVIOUS
        ours = self._written_before()
        # --force lets us write next to other files, never over them.
        clashes = [n for n in names if n not in ours and ((self.root / n).exists() or (self.root / n).is_symlink())]
        if clashes:
            raise OutputError(
                f"{self.root / clashes[0]} exists and was not written by tts-pipeline; move it away or choose another -o"
            )
        try:
            previous.mkdir(exist_ok=True)
            stale = [n for n in ours if n not in names and "/" not in n and n not in (MARKER,)]
            for name in [LAST] + stale:
                if (self.root / name).exists():
                    os.replace(self.root / name, previous / name)
            for name in names:
                target = self.root / name
                if target.exists() or target.is_symlink():
                    os.replace(target, previous / name)
                os.replace(self.staging / name, target)
            write_atomic(self.root / MARKER,
                         json.dumps({"written_by": f"tts-pipeline {__version__}", "files": names}, indent=1) + "\n")
            shutil.rmtree(previous)
            self.staging.rmdir()
        except OSError as exc:
            raise output_error(exc, self.root) from None
        self._lock.release()

    def abort(self) -> None:
        """Remove the staging folder and release the folder (also after a commit that failed); nothing once
        released, since another build may be writing it by then."""
        if not self._lock.held:
            return
        try:
            shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._lock.release()


def slug(name: str, fallback: str = "book", limit: int = 60) -> str:
    """A file-name-safe form of `name`: letters and digits of any script (Han
    characters stay as they are), lower-cased, everything else a dash."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = re.sub(r"[^\w]+|_+", "-", text).strip("-")
    return text[:limit].strip("-") or fallback
