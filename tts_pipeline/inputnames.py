"""What an input name on the command line is: standard input (`-`), a web address, or a file.

Standard library only: the command line asks before it imports any stage
(incremental.py's stamp), and parse/inputs.py picks its reader by it.
"""
from __future__ import annotations

from pathlib import Path

STDIN = "-"
STDIN_SOURCE = "<stdin>"
SCHEMES = ("http://", "https://")


def is_url(name: str) -> bool:
    return str(name).lower().startswith(SCHEMES)


def is_file(name: str) -> bool:
    """Whether the input is read from a file (not standard input, not an address)."""
    return str(name) != STDIN and not is_url(name)


def input_stem(name: str | Path) -> str:
    """A short name for an input, for its output folder: the file's stem, a page's last path part, `stdin`."""
    name = str(name)
    if name == STDIN:
        return "stdin"
    if is_url(name):
        from urllib.parse import urlsplit

        parts = urlsplit(name)
        last = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return Path(last).stem or parts.hostname or "page"
    return Path(name).stem
