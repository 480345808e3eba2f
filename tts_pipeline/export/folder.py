"""The output folder: checked before a build, filled in a staging folder,
swapped into place only when everything is written.

A build writes into `<output>/.tts-pipeline-partial/`. On success each
top-level entry replaces the old one by rename (old ones go to
`.tts-pipeline-previous/` and are deleted after), the marker file records what
this program wrote, and manifest.json is renamed last. On failure the staging
folder is removed and the previous output stays as it was.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

from .. import __version__
from ..atomic import write_atomic
from ..errors import OutputError

MARKER = ".tts-pipeline"
STAGING = ".tts-pipeline-partial"
PREVIOUS = ".tts-pipeline-previous"
LAST = "manifest.json"


def output_error(exc: OSError, where: Path | str) -> OutputError:
    """One line for a failed write: what, where, what to do."""
    target = exc.filename or where
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {target}; free space and run again")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return OutputError(f"cannot write {target}: {exc.strerror}; choose a writable folder with -o")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return OutputError(f"cannot create the output folder {where}: part of its path is a file; choose another -o")
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")


class OutputFolder:
    def __init__(self, root: str | Path, force: bool = False) -> None:
        self.root = Path(root)
        self.force = force
        self.staging = self.root / STAGING

    def check(self) -> None:
        """Refuse a file, or a folder holding files this program did not write (unless forced)."""
        if self.root.exists() and not self.root.is_dir():
            raise OutputError(f"output {self.root} is a file, not a folder; choose another -o")
        if self.root.is_dir() and not self.force and not (self.root / MARKER).exists():
            foreign = sorted(p.name for p in self.root.iterdir() if p.name not in (STAGING, PREVIOUS))
            if foreign:
                shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
                raise OutputError(
                    f"output folder {self.root} holds files tts-pipeline did not write ({shown}); "
                    "choose an empty or new folder, or pass --force"
                )

    def prepare(self) -> Path:
        """Check, create the folder, recover from an interrupted swap, and return an empty staging folder."""
        self.check()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._recover()
            if self.staging.exists():
                shutil.rmtree(self.staging)  # left by a build that was killed
            self.staging.mkdir()
        except OSError as exc:
            raise output_error(exc, self.root) from None
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
        """A path in the staging folder; refuses anything that would land outside it."""
        path = (self.staging / relative).resolve()
        if not path.is_relative_to(self.staging.resolve()):
            raise OutputError(f"refusing to write {relative!r} outside the output folder {self.root}")
        return path

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

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
