"""The ZIP packages that EPUB books and Word documents are, opened with their size checked first."""
from __future__ import annotations

import io
import zipfile
import zlib

from ..errors import InputError


def open_package(data: bytes, name: str, limit: int, not_a_package: str) -> zipfile.ZipFile:
    """The package in `data`; InputError (`name: not_a_package (why)`) if it is no ZIP, and if it would unpack to
    more than `limit` bytes (a zip bomb stops here, before anything is unpacked)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise InputError(f"{name}: {not_a_package} ({error or type(error).__name__})") from None
    unpacked = sum(entry.file_size for entry in archive.infolist())
    if unpacked > limit:
        archive.close()
        raise InputError(f"{name}: it would unpack to {unpacked // 2**20} MB, over the {limit // 2**20} MB "
                         "that tts-pipeline reads")
    return archive
