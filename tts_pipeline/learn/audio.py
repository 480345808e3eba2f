"""The small audio plumbing the drills need: an MP3 encoder fed in pieces, and resampling."""
from __future__ import annotations

import os
import subprocess
from math import gcd
from pathlib import Path

import numpy as np

from ..errors import OutputError

# Constant bit rate, so browsers seek to the exact time asked for.
BITRATE = "64k"


class Mp3Writer:
    """Mono float samples in, an MP3 file out, through the ffmpeg that imageio-ffmpeg ships.

    The file is written under a temporary name and renamed on `close`, so an
    interrupted run never leaves a truncated drill behind.
    """

    def __init__(self, path: str | Path, sample_rate: int, title: str = "") -> None:
        import imageio_ffmpeg

        self.path = Path(path)
        self._partial = self.path.with_name(f".{self.path.name}.partial")
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "f32le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
            "-codec:a", "libmp3lame", "-b:a", BITRATE, "-metadata", f"title={title}",
            "-f", "mp3", str(self._partial),
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)

    def write(self, samples: np.ndarray) -> None:
        data = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0).tobytes()
        try:
            self._process.stdin.write(data)
        except BrokenPipeError:
            self._fail()

    def close(self) -> None:
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        if self._process.wait() != 0:
            self._fail()
        os.replace(self._partial, self.path)

    def _fail(self) -> None:
        self._process.kill()
        self._process.wait()
        stderr = self._process.stderr.read().decode("utf-8", "replace").strip().splitlines()
        last = stderr[-1] if stderr else "no message"
        raise OutputError(f"could not write {self.path}: ffmpeg said: {last}")


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return np.asarray(samples, dtype=np.float32)
    from scipy.signal import resample_poly

    divisor = gcd(rate, target)
    return resample_poly(samples, target // divisor, rate // divisor).astype(np.float32)
