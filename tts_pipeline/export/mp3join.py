"""Join chapter MP3 files into one book MP3 by copying their frames, without re-encoding.

Every chapter file made by ffmpeg's libmp3lame starts with an Info (or Xing)
frame whose LAME extension says how many samples the encoder added before the
audio (delay) and after it (padding); gapless decoders (ffmpeg, mutagen's
length, most players) trim them, so each chapter decodes to exactly its own
samples. The book is one new Info frame followed by the audio frames of every
chapter in order. Only the first chapter's delay and the last chapter's
padding are trimmed from the book, so between two chapters the book keeps a
gap of the earlier chapter's padding plus the later chapter's delay; with
LAME at 24 kHz that is 1152 + (-n mod 576) samples after a chapter of n
samples (48 to 72 ms). `JoinLayout` says where each chapter's samples land.

Copying frames is exact because an encoder starts a file with an empty bit
reservoir (its first audio frame never reaches back into the frame before).
The decoder's filter state does carry over a join, but it only reaches the
next chapter's first 576 + 529 decoded samples, which are its encoder delay
and decoder delay, so they fall in the gap: measured with ffmpeg, every
chapter decodes from the book bit-identical to the chapter file alone.

Reading a part (its headers, LAME tag and frames) is mp3frames.py's; writing
the book's Info frame (counts, seek table, CRCs) is lametag.py's.
"""
from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..atomic import replacing
from ..errors import OutputError
from .lametag import book_tag, crc16_shift, seek_table
from .mp3frames import FLAG_TOC, Scan, fail, scan


@dataclass(frozen=True)
class JoinedPart:
    start: int  # first sample of this part's own audio in the decoded joined file
    samples: int  # its length in samples (equal to the part's own decoded length)


@dataclass(frozen=True)
class JoinLayout:
    sample_rate: int
    parts: tuple[JoinedPart, ...]
    total_samples: int


def _check_compatible(first: Scan, part: Scan) -> None:
    a, b = first.header, part.header
    if (b.version, b.sample_rate) != (a.version, a.sample_rate):
        raise fail(part.path, f"{b.version} at {b.sample_rate} Hz, but {first.path.name} is "
                              f"{a.version} at {a.sample_rate} Hz; encode all parts alike to join them")  # fmt: skip
    if b.channels != a.channels:
        raise fail(part.path, f"{b.channels} channel(s), but {first.path.name} has {a.channels}; "
                              "encode all parts alike to join them")  # fmt: skip


def join_mp3(parts: Sequence[Path], target: Path) -> JoinLayout:
    """Write the audio frames of `parts`, in order, to `target` under one new Info frame.

    No ID3 tag is written. Each part is read, checked and copied in turn, so
    memory holds one part at a time. The file appears at `target` only when
    complete (written beside it, then renamed).
    """
    paths = [Path(p) for p in parts]
    if not paths:
        raise OutputError(f"{target}: no MP3 files given to join")
    target = Path(target)
    try:
        with replacing(target) as handle:
            return _write_joined(paths, handle)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise fail(target, "disk full while joining; free space and run again") from None
        raise fail(target, f"cannot write it ({exc.strerror or exc})") from None


def _write_joined(paths: Sequence[Path], out) -> JoinLayout:
    first = last = None
    seek_points: list[tuple[int, np.ndarray]] = []
    placed: list[JoinedPart] = []
    frames = 0
    audio_bytes = 0
    music_crc = 0
    bitrates: set[int] = set()
    for path in paths:
        part = scan(path)
        if first is None:
            first = part
            out.write(bytes(len(part.tag.frame)))  # room for the Info frame, written last
        else:
            _check_compatible(first, part)
        info = part.info
        seek_points.append((len(first.tag.frame) + audio_bytes, part.frame_starts))
        placed.append(JoinedPart(frames * info.frame_samples + info.encoder_delay - first.tag.delay, info.samples))
        out.write(part.audio)
        music_crc = crc16_shift(music_crc, len(part.audio)) ^ part.tag.music_crc
        frames += info.frames
        audio_bytes += len(part.audio)
        bitrates |= part.bitrates
        last = part
    total_bytes = len(first.tag.frame) + audio_bytes
    toc = seek_table(seek_points, total_bytes) if first.tag.flags & FLAG_TOC else None
    out.seek(0)
    out.write(book_tag(first, last, frames, total_bytes, music_crc, toc, vbr=len(bitrates) > 1))
    total = frames * first.info.frame_samples - first.tag.delay - last.tag.padding
    return JoinLayout(first.header.sample_rate, tuple(placed), total)
