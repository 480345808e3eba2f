"""The processes on this machine, read from /proc (Linux): what tests check a build or a cluster left behind."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


@dataclass(frozen=True)
class Process:
    pid: int
    state: str  # "Z" for a zombie
    parent: int
    session: int
    command: bytes


def processes() -> Iterator[Process]:
    """Every process that can be read now (one that ends while being read is left out)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            yield Process(int(entry), fields[0], int(fields[1]), int(fields[3]), command)
