"""Bytes -> text: UTF-8 (with or without BOM), UTF-16/32 with BOM, GB18030."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# Control characters that have no place in an article; tab, line ends and form feed do.
_JUNK = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_ADVICE = "save it as UTF-8 text"


def _undecodable(name: str, error: UnicodeDecodeError, skipped: int, tried: str) -> InputError:
    byte = error.object[error.start]
    return InputError(
        f"{name}: cannot decode byte 0x{byte:02x} at byte offset {skipped + error.start} as {tried}; {_ADVICE}"
    )


def decode(data: bytes, name: str) -> str:
    """Decode an article file's bytes; InputError names the file and, if undecodable, the byte offset."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as error:
                raise _undecodable(name, error, len(bom), label) from None
            return _checked(text, name, codec, len(bom))
    if b"\0" in data:
        raise InputError(
            f"{name}: looks like a binary file (NUL byte at byte offset {data.index(0)}); "
            f"give a text article ({_ADVICE}, or UTF-16 with a BOM)"
        )
    try:
        return _checked(data.decode("utf-8"), name, "utf-8", 0)
    except UnicodeDecodeError as utf8_error:
        try:
            return _checked(data.decode("gb18030"), name, "gb18030", 0)
        except UnicodeDecodeError as gb_error:
            # Report where the likelier encoding broke: the one that read further.
            error = max(utf8_error, gb_error, key=lambda e: e.start)
            raise _undecodable(name, error, 0, "UTF-8 or GB18030") from None


def _checked(text: str, name: str, codec: str, skipped: int) -> str:
    junk = _JUNK.search(text)
    if junk:
        offset = skipped + len(text[: junk.start()].encode(codec))
        raise InputError(
            f"{name}: looks like a binary file (control byte 0x{ord(junk.group()):02x} at byte offset {offset}); "
            f"give a text article ({_ADVICE})"
        )
    if not text.strip():
        raise InputError(f"{name}: the file is empty; give an article with some text")
    return text


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """An input file's bytes, every failure (and a file over `limit` bytes) a one-line InputError."""
    name = str(path)
    file = Path(path)
    if file.is_dir():
        raise InputError(f"{name}: is a directory; give an article file (see `tts-pipeline build --help`)")
    try:
        if limit is not None and file.stat().st_size > limit:
            raise InputError(f"{name}: the file is larger than {limit // 2**20} MB; give a smaller one")
        return file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file; check the path") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read the file ({error.strerror or error})") from None


def read_text(path: str | Path) -> str:
    """Read and decode an article file, turning every failure into a one-line InputError."""
    return decode(read_bytes(path), str(path))
