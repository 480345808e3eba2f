"""Files written whole or not at all: the one way this package writes a finished file.

A file is written beside its target under a temporary name (`.tmp-<name>.<random>.part`) and
renamed onto the target only when complete, so whatever stops the process leaves either the
old file or the whole new one, never half of one; a failed write removes its temporary file.

The temporary file is created the way `open()` creates a file, with mode 0666 less the umask
(0644 under umask 022). `tempfile.mkstemp` and `NamedTemporaryFile` create 0600 files, and a
0600 book cannot be served by a web server, nor a 0600 cache file read by the other users of a
shared cache.

Only the standard library is imported: the command line's up-to-date check runs before the
heavy modules load.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO, Iterator

TEMPORARY_PREFIX = ".tmp-"  # `cache info` counts, and `cache clear` removes, clip files left with it


@contextlib.contextmanager
def replacing(target: str | os.PathLike, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """A new binary file (readable, writable, seekable) beside `target`, renamed onto `target` when the
    block ends normally and removed when it raises. `fsync` flushes it to the disk before the rename."""
    target = Path(target)
    handle, temporary = _create(target)
    try:
        with handle:
            yield handle
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(target: str | os.PathLike, data: bytes | str, *, fsync: bool = False) -> None:
    """Write `data` (str as UTF-8) to `target` whole or not at all."""
    with replacing(target, fsync=fsync) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def _create(target: Path) -> tuple[BinaryIO, Path]:
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        temporary = target.with_name(f"{TEMPORARY_PREFIX}{target.name}.{secrets.token_hex(6)}.part")
        try:
            descriptor = os.open(temporary, flags, 0o666)  # the umask applies, as it does for open()
        except FileExistsError:
            continue  # 48 random bits taken already: draw again
        return os.fdopen(descriptor, "r+b"), temporary
