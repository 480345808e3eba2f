"""Encoding with ffmpeg: the one on PATH, else the static binary imageio-ffmpeg ships.

Many small files cost a process each if done naively (about 30 ms of start-up
per file here); `encode_sentences` cuts up to `BATCH` sentence files out of one
chapter WAV in a single process instead (asplit + atrim by sample count, so
the cuts are exact).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from ..errors import OutputError
from ..options import FORMATS  # noqa: F401 - re-exported: the formats every entry point accepts

if TYPE_CHECKING:
    import numpy as np

BATCH = 64



@dataclass(frozen=True)
class Codec:
    extension: str
    args: tuple[str, ...]
    uses_bitrate: bool
    # Linear gain applied before encoding to undo the encoder's own scaling.
    gain: float = 1.0

    @property
    def volume(self) -> str | None:
        return None if self.gain == 1.0 else f"volume={self.gain:.7f}"


# LAME as ffmpeg drives it scales its input by 0.95 (measured: a decoded MP3 is
# 0.45 dB quieter than its PCM at every bitrate and frequency); the gain undoes
# that so MP3 files keep the loudness the stitcher measured.
LAME_SCALE = 0.95

CODECS = {
    "mp3": Codec("mp3", ("-c:a", "libmp3lame"), True, gain=1 / LAME_SCALE),
    "ogg": Codec("ogg", ("-c:a", "libvorbis"), True),
    "flac": Codec("flac", ("-c:a", "flac"), False),
    "wav": Codec("wav", ("-c:a", "pcm_s16le"), False),
    "m4a": Codec("m4a", ("-c:a", "aac", "-f", "mp4"), True),
}


def file_codec(fmt: str) -> Codec:
    """The codec of chapter and sentence files for a --format (m4b keeps them MP3)."""
    return CODECS["mp3" if fmt == "m4b" else fmt]


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise OutputError(f"ffmpeg not found on PATH and imageio-ffmpeg has none ({exc}); install ffmpeg") from None


def _codec_args(codec: Codec, bitrate: str, filtered: bool = False) -> list[str]:
    """Encoder options; `filtered` outputs get the volume from their filter graph instead of -af."""
    args = list(codec.args)
    if codec.volume and not filtered:
        args += ["-af", codec.volume]
    if codec.uses_bitrate:
        args += ["-b:a", bitrate]
    return args


def _failure(what: str, stderr: str) -> OutputError:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else "no message"
    if "No space left" in stderr:
        return OutputError(f"disk full while writing {what}; free space and run again")
    return OutputError(f"ffmpeg failed writing {what}: {last}")


def _command(*args: str) -> list[str]:
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]


def run(args: Sequence[str], what: str) -> None:
    command = _command(*args)
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        raise _failure(what, result.stderr)


def encode_file(source: Path, target: Path, codec: Codec, bitrate: str, title: str | None = None) -> None:
    args = ["-i", str(source), "-map_metadata", "-1", *_codec_args(codec, bitrate)]
    if title:
        args += ["-metadata", f"title={title}"]
    run([*args, str(target)], target.name)


def encode_sentences(source: Path, cuts: Sequence[tuple[int, int, Path]], codec: Codec, bitrate: str) -> None:
    """Write one file per (start_sample, end_sample, target) cut from the WAV `source`."""
    for first in range(0, len(cuts), BATCH):
        batch = cuts[first : first + BATCH]
        graph = [f"[0:a]asplit={len(batch)}" + "".join(f"[in{i}]" for i in range(len(batch)))]
        outputs: list[str] = []
        for i, (start, end, target) in enumerate(batch):
            graph.append(f"[in{i}]{_cut(start, end, codec)}[out{i}]")
            outputs += ["-map", f"[out{i}]", "-map_metadata", "-1", *_codec_args(codec, bitrate, filtered=True), str(target)]
        if len(batch) == 1:
            start, end, target = batch[0]
            graph = [f"[0:a]{_cut(start, end, codec)}[out0]"]
        run(["-i", str(source), "-filter_complex", ";".join(graph), *outputs], f"{batch[0][2].name}…")


def _cut(start: int, end: int, codec: Codec) -> str:
    chain = f"atrim=start_sample={start}:end_sample={end},asetpts=PTS-STARTPTS"
    return f"{chain},{codec.volume}" if codec.volume else chain


class StreamEncoder:
    """An ffmpeg process fed raw 16-bit mono PCM through a pipe, for the whole book.

    Chapters arrive one after another, so the book is encoded while it is
    being assembled and never exists as one WAV on disk or in memory.
    """

    def __init__(self, target: Path, sample_rate: int, codec: Codec, bitrate: str) -> None:
        self.target = target
        self._log = tempfile.TemporaryFile()
        command = _command("-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
                           *_codec_args(codec, bitrate), str(target))
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=self._log)

    def write(self, data: bytes) -> None:
        try:
            self._process.stdin.write(data)
        except BrokenPipeError:
            self.close()
            raise self._error() from None

    def _error(self) -> OutputError:
        self._log.seek(0)
        return _failure(self.target.name, self._log.read().decode("utf-8", "replace"))

    def close(self) -> None:
        if self._process.stdin and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except BrokenPipeError:
                pass
        code = self._process.wait()
        if code != 0:
            raise self._error()

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdin and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except BrokenPipeError:
                pass


def decoded(source: Path, sample_rate: int, seconds: float = 10.0) -> Iterator[np.ndarray]:
    """Any audio file ffmpeg reads (m4b included) as mono float samples at `sample_rate`, `seconds` at a time."""
    import numpy as np

    process = subprocess.Popen(_command("-i", str(source), "-f", "s16le", "-ac", "1", "-ar", str(sample_rate),
                                        "pipe:1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    size = 2 * int(seconds * sample_rate)
    try:
        while data := process.stdout.read(size):
            yield np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2") / 32768.0
    finally:
        process.stdout.close()
        stderr = process.stderr.read().decode("utf-8", "replace")
        process.stderr.close()
        if process.wait() != 0:
            raise _failure(f"{source.name} (decoding)", stderr)


def write_m4b(audio: Path, target: Path, chapters: Sequence[tuple[int, int, str]], title: str, time_base: int) -> None:
    """Remux AAC audio into an .m4b with chapter marks; `chapters` are (start, end, title) in 1/time_base s."""

    def escape(text: str) -> str:
        for char in "\\=;#\n":
            text = text.replace(char, "\\" + char)
        return text

    lines = [";FFMETADATA1", f"title={escape(title)}"]
    for start, end, name in chapters:
        lines += ["[CHAPTER]", f"TIMEBASE=1/{time_base}", f"START={start}", f"END={end}", f"title={escape(name)}"]
    meta = target.with_name(target.name + ".ffmeta")
    meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        run(
            ["-i", str(audio), "-i", str(meta), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
             "-c", "copy", "-movflags", "+faststart", "-brand", "M4B ", "-f", "ipod", str(target)],
            target.name,
        )  # fmt: skip
    finally:
        os.unlink(meta)
