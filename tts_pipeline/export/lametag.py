"""The Info frame of a joined MP3: the first part's Xing/LAME tag with the whole file's frame and byte counts,
a seek table over every part's frames, the encoder's version, and the music and tag CRCs (the music CRC
combined from the parts' stored ones, without reading their audio)."""
from __future__ import annotations

import functools
import re
from typing import Sequence

import numpy as np

from .mp3frames import FLAG_BYTES, FLAG_FRAMES, FLAG_TOC, TOC_SIZE, Scan

# LAME fills spare bits of its frames with its version, e.g. "LAME3.100" or "LAME4.1 (alpha 0)".
_LAME_FILLER = re.compile(rb"LAME(\d{1,2})\.(\d{1,3})( \((alpha|beta))?")
_FALLBACK_LAME_VERSION = b"LAME3.100"


def _crc16(data: bytes | memoryview, crc: int = 0) -> int:
    """CRC-16/ARC (reflected polynomial 0x8005), the CRC of LAME tags."""
    for byte in bytes(data):
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def _apply(operator: Sequence[int], value: int) -> int:
    """A linear map on the 16-bit CRC register, given as the images of its 16 bits."""
    result = 0
    for bit in range(16):
        if value >> bit & 1:
            result ^= operator[bit]
    return result


@functools.lru_cache(maxsize=1)
def _zero_runs() -> tuple[tuple[int, ...], ...]:
    """The register map for 2**k zero bytes, k = 0..39."""
    step = tuple(_crc16(b"\0", 1 << bit) for bit in range(16))
    runs = [step]
    for _ in range(39):
        runs.append(tuple(_apply(runs[-1], image) for image in runs[-1]))
    return tuple(runs)


def crc16_shift(crc: int, length: int) -> int:
    """The register `crc` after `length` zero bytes.

    With a zero initial value and no final XOR the CRC is linear, so
    crc(a + b) == shift(crc(a), len(b)) ^ crc(b): the book's music CRC comes
    from the chapters' stored ones without reading their audio byte by byte.
    """
    for run in _zero_runs():
        if not length:
            break
        if length & 1:
            crc = _apply(run, crc)
        length >>= 1
    return crc


def seek_table(parts: Sequence[tuple[int, np.ndarray]], total_bytes: int) -> bytes:
    """Xing seek table: where each whole percent of the frames starts, in 1/256 of the stream.

    `parts` holds each part's first byte in the stream with its frames' offsets from there.
    """
    count = sum(len(starts) for _, starts in parts)
    table = bytearray()
    frame = 0  # frames in parts before `index`
    index = 0
    for percent in range(TOC_SIZE):
        wanted = percent * count // 100
        while wanted >= frame + len(parts[index][1]):
            frame += len(parts[index][1])
            index += 1
        base, starts = parts[index]
        table.append(min(255, 256 * (base + int(starts[wanted - frame])) // total_bytes))
    return bytes(table)


def book_tag(first: Scan, last: Scan, frames: int, total_bytes: int, music_crc: int, toc: bytes | None, vbr: bool) -> bytes:
    """The book's Info frame, laid out like the first part's, with the book's counts."""
    tag = first.tag
    frame = bytearray(tag.frame)
    at = 4 + first.header.side_info
    frame[at : at + 4] = b"Xing" if vbr else b"Info"
    lame = tag.lame_at
    frame[lame : lame + 9] = _encoder_version(first)
    position = at + 8
    if tag.flags & FLAG_FRAMES:
        frame[position : position + 4] = frames.to_bytes(4, "big")
        position += 4
    if tag.flags & FLAG_BYTES:
        frame[position : position + 4] = total_bytes.to_bytes(4, "big")
        position += 4
    if tag.flags & FLAG_TOC:
        frame[position : position + TOC_SIZE] = toc
    # Peak and ReplayGain describe one chapter's loudness, not the book's.
    frame[lame + 11 : lame + 19] = bytes(8)
    frame[lame + 21 : lame + 24] = (tag.delay << 12 | last.tag.padding).to_bytes(3, "big")
    frame[lame + 25] = 0  # MP3Gain change
    frame[lame + 28 : lame + 32] = total_bytes.to_bytes(4, "big")
    frame[lame + 32 : lame + 34] = music_crc.to_bytes(2, "big")
    frame[lame + 34 : lame + 36] = _crc16(frame[: lame + 34]).to_bytes(2, "big")
    return bytes(frame)


def _encoder_version(part: Scan) -> bytes:
    """The 9-byte encoder field for the book's LAME tag.

    ffmpeg names itself there ("Lavc63.1.") although libmp3lame made the
    audio; mutagen reads the delay and padding only after a "LAME3.90" or
    later version, and without them it reports the book 2 to 3 frames too
    long. So the field names the LAME version found in the audio's filler
    bytes, or the current LAME release when there is none.
    """
    field = part.tag.frame[part.tag.lame_at : part.tag.lame_at + 9]
    if field.startswith(b"LAME"):
        return field
    found = _LAME_FILLER.search(part.audio[:65536].tobytes())
    if found is None:
        return _FALLBACK_LAME_VERSION
    major, minor, stage = found.group(1), found.group(2), found.group(4)
    version = b"LAME" + major + b"." + minor + (stage[:1] if stage else b"")
    return version[:9].ljust(9, b"\0")
