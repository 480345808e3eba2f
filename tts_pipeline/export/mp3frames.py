"""Reading an MP3 file made by LAME or ffmpeg's libmp3lame: its frame headers, its Info (Xing) frame with the
LAME extension (the encoder's delay and padding, so the exact number of samples a gapless decoder returns), and
the offsets of its audio frames. `read_info` is what other modules ask; `mp3join.py` and `lametag.py` read the
whole scan.
"""
from __future__ import annotations

import functools
import struct
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import OutputError

_VERSIONS = {0b11: "MPEG-1", 0b10: "MPEG-2", 0b00: "MPEG-2.5"}
_RATES = {
    "MPEG-1": (44100, 48000, 32000),
    "MPEG-2": (22050, 24000, 16000),
    "MPEG-2.5": (11025, 12000, 8000),
}
_KBPS = {
    "MPEG-1": (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    "MPEG-2": (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_LAYERS = {0b01: 3, 0b10: 2, 0b11: 1}
# Encoders whose LAME-tag delay and padding ffmpeg trusts (libavformat/mp3dec.c).
_GAPLESS_ENCODERS = (b"LAME", b"Lavf", b"Lavc")
FLAG_FRAMES, FLAG_BYTES, FLAG_TOC, FLAG_QUALITY = 1, 2, 4, 8
_LAME_SIZE = 36  # version string through tag CRC
TOC_SIZE = 100
_WORD = struct.Struct(">I")


def frame_samples(sample_rate: int) -> int:
    """Samples per Layer III frame: 1152 for MPEG-1 (32 kHz and up), 576 for MPEG-2 and 2.5."""
    return 1152 if sample_rate >= 32000 else 576


@dataclass(frozen=True)
class Mp3Info:
    """What one MP3 file holds: its format and its gapless length."""

    sample_rate: int
    channels: int
    frames: int  # audio frames, the Info frame not counted
    # Both as the LAME tag stores them; a decoder also drops its own 529-sample
    # delay, which the tag's padding already counts (ffmpeg: libavformat/mp3dec.c).
    encoder_delay: int
    padding: int

    @property
    def frame_samples(self) -> int:
        return frame_samples(self.sample_rate)

    @property
    def samples(self) -> int:
        """Samples a gapless decoder (ffmpeg) returns for this file."""
        return self.frames * self.frame_samples - self.encoder_delay - self.padding


@dataclass(frozen=True)
class _Header:
    version: str
    layer: int
    sample_rate: int
    channels: int
    size: int  # bytes in the frame, header included

    @property
    def side_info(self) -> int:
        if self.version == "MPEG-1":
            return 17 if self.channels == 1 else 32
        return 9 if self.channels == 1 else 17


def _header(word: int) -> _Header | None:
    """Decode a 4-byte frame header; None if it is not a usable MPEG audio header."""
    if word >> 21 != 0x7FF:
        return None
    version = _VERSIONS.get((word >> 19) & 3)
    layer = _LAYERS.get((word >> 17) & 3)
    bitrate_index = (word >> 12) & 15
    rate_index = (word >> 10) & 3
    if version is None or layer is None or bitrate_index in (0, 15) or rate_index == 3:
        return None
    rate = _RATES[version][rate_index]
    channels = 1 if (word >> 6) & 3 == 3 else 2
    padded = (word >> 9) & 1
    if layer != 3:
        # Only the frame length matters for other layers: enough to recognise and reject them.
        return _Header(version, layer, rate, channels, 0)
    kbps = _KBPS["MPEG-1" if version == "MPEG-1" else "MPEG-2"][bitrate_index]
    coefficient = 144 if version == "MPEG-1" else 72
    return _Header(version, 3, rate, channels, coefficient * kbps * 1000 // rate + padded)


class _HeaderCache(dict):
    def __missing__(self, word: int) -> _Header | None:
        value = self[word] = _header(word)
        return value


_HEADERS = _HeaderCache()


@dataclass(frozen=True)
class _Tag:
    """The Xing/Info frame of a part and the fields of it that joining needs."""

    frame: bytes
    flags: int
    lame_at: int  # offset of the LAME extension inside `frame`
    frames: int
    delay: int
    padding: int
    music_crc: int


@dataclass(frozen=True)
class Scan:
    path: Path
    header: _Header
    tag: _Tag
    audio: memoryview  # every audio frame, contiguous
    frame_starts: np.ndarray  # offset of each audio frame inside `audio`
    bitrates: frozenset[int]  # distinct header bitrate indices among audio frames

    @property
    def info(self) -> Mp3Info:
        h = self.header
        return Mp3Info(h.sample_rate, h.channels, len(self.frame_starts), self.tag.delay, self.tag.padding)


def fail(path: Path, problem: str) -> OutputError:
    return OutputError(f"{path}: {problem}")


def _audio_bounds(data: bytes) -> tuple[int, int]:
    """Byte range between a leading ID3v2 tag and trailing ID3v1/APEv2 tags."""
    start = 0
    while data[start : start + 3] == b"ID3" and len(data) >= start + 10:
        size = 0
        for byte in data[start + 6 : start + 10]:
            size = size << 7 | (byte & 0x7F)
        footer = 10 if data[start + 5] & 0x10 else 0
        start += 10 + size + footer
    end = len(data)
    while True:
        if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
            end -= 128
        elif end - start >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
            size = int.from_bytes(data[end - 20 : end - 16], "little")  # items and footer
            has_header = int.from_bytes(data[end - 12 : end - 8], "little") & 0x80000000
            size += 32 if has_header else 0
            if not 32 <= size <= end - start:
                return start, end
            end -= size
        else:
            return start, max(end, start)


def _first_frame(data: bytes, start: int, end: int) -> int | None:
    """Offset of the first frame: at `start`, else the first header that a second one follows."""
    word = int.from_bytes(data[start : start + 4], "big") if end - start >= 4 else 0
    if _HEADERS[word] is not None:
        return start
    position = data.find(b"\xff", start, end)
    while 0 <= position <= end - 4:
        header = _HEADERS[int.from_bytes(data[position : position + 4], "big")]
        if header is not None and header.size and position + header.size <= end - 4:
            after = _HEADERS[int.from_bytes(data[position + header.size : position + header.size + 4], "big")]
            if after is not None and after.sample_rate == header.sample_rate:
                return position
        position = data.find(b"\xff", position + 1, end)
    return None


def _read_tag(path: Path, frame: bytes, header: _Header) -> _Tag | None:
    """The Xing/Info tag with its LAME extension; None if `frame` is an audio frame."""
    at = 4 + header.side_info
    if frame[at : at + 4] not in (b"Xing", b"Info"):
        return None
    flags = int.from_bytes(frame[at + 4 : at + 8], "big")
    position = at + 8
    frames = None
    if flags & FLAG_FRAMES:
        frames = int.from_bytes(frame[position : position + 4], "big")
        position += 4
    position += 4 * bool(flags & FLAG_BYTES) + TOC_SIZE * bool(flags & FLAG_TOC) + 4 * bool(flags & FLAG_QUALITY)
    lame = frame[position : position + _LAME_SIZE]
    if frames is None or len(lame) < _LAME_SIZE or lame[:4] not in _GAPLESS_ENCODERS:
        raise fail(path, "its Info frame has no LAME frame count and delay/padding, so its exact length is unknown; "
                         "encode it with ffmpeg's libmp3lame or LAME")  # fmt: skip
    packed = int.from_bytes(lame[21:24], "big")
    music_crc = int.from_bytes(lame[32:34], "big")
    return _Tag(bytes(frame), flags, position, frames, packed >> 12, packed & 0xFFF, music_crc)


def _frame_size(path: Path, first: _Header, word: int, position: int) -> int:
    """Size of a frame with header `word`, checked against the file's first frame."""
    frame = _HEADERS[word]
    if frame is None or frame.layer != 3:
        raise fail(path, f"broken MP3 frame at byte {position}")
    if frame.sample_rate != first.sample_rate or frame.channels != first.channels:
        raise fail(path, f"changes format at byte {position} ({frame.sample_rate} Hz, {frame.channels} channel(s) "
                         f"after {first.sample_rate} Hz, {first.channels})")  # fmt: skip
    return frame.size


def _walk(path: Path, data: bytes, header: _Header, start: int, end: int) -> tuple[np.ndarray, frozenset[int]]:
    """Offsets (from `start`) of the frames from `start` to `end`, one header at a time, and their bitrate indices."""
    starts = array("q")
    sizes: dict[int, int] = {}  # header word -> frame size
    read_word = _WORD.unpack_from
    position = start
    try:
        while position < end:
            word = read_word(data, position)[0]
            size = sizes.get(word)
            if size is None:
                size = sizes[word] = _frame_size(path, header, word, position)
            if position + size > end:
                raise fail(path, f"cut short: the frame at byte {position} needs {size} bytes, {end - position} remain")
            starts.append(position - start)
            position += size
    except struct.error:
        raise fail(path, f"cut short: {end - position} stray bytes at byte {position}") from None
    return np.frombuffer(starts, np.int64), frozenset((word >> 12) & 15 for word in sizes)


def _walk_fast(data: bytes, header: _Header, start: int, end: int) -> tuple[np.ndarray, frozenset[int]] | None:
    """What `_walk` finds, found with numpy; None when the bytes need the careful walk.

    Every byte pair that could start a frame like the first one is a
    candidate; a candidate survives if another candidate begins where it
    ends. If the survivors chain exactly from `start` to `end`, they are the
    frames (stray sync patterns inside audio data break the chain and send
    the file to `_walk`, which reports problems by byte offset).
    """
    stream = np.frombuffer(data, np.uint8, count=end - start, offset=start)
    if len(stream) < 4:
        return None
    word = int.from_bytes(data[start : start + 4], "big")
    mono = (word >> 6) & 3 == 3
    candidates = np.flatnonzero(stream[:-3] == 0xFF)
    third = stream[candidates + 2]
    like_first = (
        (stream[candidates + 1] == (word >> 16) & 0xFF)  # version, layer, CRC flag
        & ((third & 0x0C) == (word >> 8) & 0x0C)  # sample rate
        & (((stream[candidates + 3] >> 6) == 3) == mono)
    )
    candidates, third = candidates[like_first], third[like_first]
    sizes = _size_table(header)[third >> 4]
    sizes = np.where(sizes > 0, sizes + ((third >> 1) & 1), 0)
    ends = candidates + sizes
    found = np.minimum(np.searchsorted(candidates, ends), len(candidates) - 1)
    keep = (sizes > 0) & ((candidates[found] == ends) | (ends == len(stream)))
    starts, ends = candidates[keep], ends[keep]
    if not len(starts) or starts[0] != 0 or ends[-1] != len(stream) or not np.array_equal(starts[1:], ends[:-1]):
        return None
    return starts.astype(np.int64), frozenset(int(index) for index in np.unique(stream[starts + 2] >> 4))


@functools.lru_cache(maxsize=None)
def _size_table(header: _Header) -> np.ndarray:
    """Unpadded frame size for each bitrate index at the header's version and rate; 0 where invalid."""
    coefficient = 144 if header.version == "MPEG-1" else 72
    kbps = _KBPS["MPEG-1" if header.version == "MPEG-1" else "MPEG-2"]
    table = [coefficient * rate * 1000 // header.sample_rate for rate in kbps] + [0]
    table[0] = 0
    return np.array(table, np.int64)


def scan(path: Path) -> Scan:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(path, f"cannot read it ({exc.strerror or exc})") from None
    start, end = _audio_bounds(data)
    first = _first_frame(data, start, end)
    if first is None:
        raise fail(path, "not an MP3 file (no MPEG audio frame found)")
    header = _HEADERS[int.from_bytes(data[first : first + 4], "big")]
    if header.layer != 3:
        raise fail(path, f"{header.version} Layer {'I' * header.layer}, not Layer III (MP3)")
    if first + header.size > end:
        raise fail(path, "holds no complete MP3 frame")
    tag = _read_tag(path, data[first : first + header.size], header)
    if tag is None:
        raise fail(path, "has no Info/Xing frame with a LAME tag, so its exact length is unknown; "
                         "encode it with ffmpeg's libmp3lame or LAME")  # fmt: skip
    audio_start = first + header.size
    walked = _walk_fast(data, header, audio_start, end) or _walk(path, data, header, audio_start, end)
    starts, bitrates = walked
    if not len(starts):
        raise fail(path, "holds no audio frames")
    if tag.frames != len(starts):
        raise fail(path, f"its Info frame counts {tag.frames} audio frames but the file holds {len(starts)} "
                         "(cut short or edited); encode it again")  # fmt: skip
    audio = memoryview(data)[audio_start:end]
    return Scan(path, header, tag, audio, starts, bitrates)


def read_info(path: Path) -> Mp3Info:
    """Format and gapless length of one MP3 file that carries a LAME (Info/Xing) tag."""
    return scan(Path(path)).info
