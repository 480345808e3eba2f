"""Measure finished audio files against a publishing profile, the way a store's checker hears them.

Each file is decoded by ffmpeg (any format the build writes, m4b included)
and measured as it streams past, so a two-hour file never sits in memory:
integrated loudness and true peak (`tts_pipeline.loudness`), RMS of the whole
file, sample peak, noise floor (the RMS of the quietest 500 ms window, as ACX's
checker takes it), and the room tone at the head and tail (silence before the
first and after the last sounding frame, by the rule the stitcher trims with: silence.py). Sample
rate and bitrate come from the file's own header (mutagen).
"""
from __future__ import annotations

import math
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from ..loudness import LoudnessMeter, db, true_peak
from ..profiles import Profile
from ..silence import SoundSpan
from . import ffmpeg
from .manifest import Manifest, WarningEntry
from .tags import Publishing

NOISE_WINDOW = 0.5  # seconds


@dataclass(frozen=True)
class Measurement:
    file: str
    sample_rate: int
    bitrate: int | None  # bits per second, from the header
    constant_bitrate: bool | None
    seconds: float
    loudness: float  # LUFS
    rms: float  # dBFS
    peak: float  # dBFS, sample peak
    true_peak: float  # dBTP
    noise_floor: float  # dBFS
    head: float  # seconds of silence before the first sound
    tail: float  # seconds after the last

    def as_dict(self) -> dict:
        return {k: (round(v, 2) if isinstance(v, float) and math.isfinite(v) else (None if isinstance(v, float) else v))
                for k, v in self.__dict__.items()}


def _header(path: Path) -> tuple[int, int | None, bool | None]:
    """(sample rate, bitrate, constant bitrate?) from the file's header."""
    import mutagen
    from mutagen.mp3 import MP3, BitrateMode

    audio = mutagen.File(str(path))
    if audio is None:
        raise ValueError(f"{path.name}: not an audio file mutagen can read")
    info = audio.info
    cbr = info.bitrate_mode == BitrateMode.CBR if isinstance(audio, MP3) else None
    return int(info.sample_rate), int(getattr(info, "bitrate", 0)) or None, cbr


def measure(path: Path, name: str | None = None) -> Measurement:
    rate, bitrate, cbr = _header(path)
    meter = LoudnessMeter(rate)
    window = int(NOISE_WINDOW * rate)
    squares = 0.0
    count = 0
    peak = top = 0.0
    sound = SoundSpan(rate)
    quietest = math.inf
    carry = np.zeros(0)
    for block in ffmpeg.decoded(path, rate):
        meter.feed(block)
        squares += float(np.square(block).sum())
        peak = max(peak, float(np.abs(block).max()) if len(block) else 0.0)
        top = max(top, true_peak(block))
        sound.feed(block)
        count += len(block)
        # noise floor: 500 ms windows, 100 ms apart, across block boundaries
        joined = np.concatenate([carry, block])
        hop = window // 5
        starts = range(0, max(0, len(joined) - window) + 1, hop)
        for start in starts:
            quietest = min(quietest, float(np.mean(np.square(joined[start : start + window]))))
        carry = joined[(starts[-1] + hop) if len(starts) else 0 :]
    sound.close()
    rms = math.sqrt(squares / count) if count else 0.0
    return Measurement(
        file=name or path.name,
        sample_rate=rate,
        bitrate=bitrate,
        constant_bitrate=cbr,
        seconds=count / rate,
        loudness=meter.integrated(),
        rms=db(rms),
        peak=db(peak),
        true_peak=db(top),
        noise_floor=db(math.sqrt(quietest)) if math.isfinite(quietest) else -math.inf,
        head=(sound.first if sound.first is not None else count) / rate,
        tail=(count - sound.end if sound.end is not None else count) / rate,
    )


def problems(m: Measurement, profile: Profile) -> list[str]:
    """What of `m` falls outside `profile`, one phrase each naming the value and the limit."""
    found = []

    def outside(label: str, value: float, limits: tuple[float, float] | None, unit: str) -> None:
        if limits is not None and not (limits[0] <= value <= limits[1]):
            found.append(f"{label} {value:.2f}{unit} is outside {limits[0]:g} to {limits[1]:g}{unit}")

    outside("loudness", m.loudness, profile.loudness_range, " LUFS")
    outside("RMS", m.rms, profile.rms_range, " dB")
    outside("head room tone", m.head, profile.head_range, " s")
    outside("tail room tone", m.tail, profile.tail_range, " s")
    if profile.max_peak is not None and m.peak > profile.max_peak:
        found.append(f"peak {m.peak:.2f} dB is above {profile.max_peak:g} dB")
    if m.true_peak > profile.peak:
        found.append(f"true peak {m.true_peak:.2f} dBTP is above {profile.peak:g} dBTP")
    if profile.max_noise_floor is not None and m.noise_floor > profile.max_noise_floor:
        found.append(f"noise floor {m.noise_floor:.2f} dB is above {profile.max_noise_floor:g} dB")
    if profile.sample_rate is not None and m.sample_rate != profile.sample_rate:
        found.append(f"sample rate {m.sample_rate} Hz is not {profile.sample_rate} Hz")
    # mutagen works the bitrate out from the frames and the length: 191999 for a 192 kb/s file
    kbps = round((m.bitrate or 0) / 1000)
    if profile.constant_bitrate and (m.constant_bitrate is False or kbps * 1000 != _bits(profile.bitrate)):
        found.append(f"bitrate {kbps} kb/s is not a constant {profile.bitrate}b/s")
    if profile.max_minutes is not None and m.seconds > 60 * profile.max_minutes:
        found.append(f"length {m.seconds / 60:.1f} min is over {profile.max_minutes:g} min")
    return found


def _bits(bitrate: str) -> int:
    return int(bitrate.rstrip("k")) * 1000


def measure_all(root: Path, names: list[str]) -> list[Measurement]:
    """`measure` each of `names` (relative to `root`), in this process."""
    return [measure(root / name, name) for name in names]


def measure_data(data: bytes, name: str) -> Measurement:
    """`measure` a file given as its bytes (a Ray actor measures the driver's files this way)."""
    with tempfile.TemporaryDirectory(prefix="tts-check-") as scratch:
        path = Path(scratch) / Path(name).name
        path.write_bytes(data)
        return measure(path, name)


Measurer = Callable[[Path, list[str]], list[Measurement]]


def check_files(root: Path, names: list[str], profile: Profile,
                measurer: Measurer = measure_all) -> tuple[list[Measurement], list[tuple[str, str]]]:
    """Measure each of `names` (relative to `root`) with `measurer`; return the measurements and (file, problem)
    pairs."""
    measured = measurer(root, names)
    found = [(m.file, problem) for m in measured for problem in problems(m, profile)]
    return measured, found


def checked_manifest(manifest: Manifest, root: Path, profile: Profile, publishing: Publishing,
                     cover_name: str | None, quiet: bool, measurer: Measurer | None = None) -> Manifest:
    """`manifest` with its publishing record (profile, author, cover, genre, date and what was measured of the
    files the profile is about: every chapter file, or the book) and a `profile` warning for each value outside
    the profile, printed to stderr unless `quiet`. `measurer` measures the files (default: in this process; a
    cluster build has its actors measure them, by the same function)."""
    if profile.checked == "chapters":
        names = [c.file for c in manifest.chapters]
    else:
        names = [manifest.files.book_m4b or manifest.files.book]
    measured, found = check_files(root, names, profile, measurer or measure_all)
    warnings = [WarningEntry(code="profile", message=f"{name}: {problem} ({profile.name} profile)")
                for name, problem in found]
    if not quiet:
        for warning in warnings:
            print(f"warning: {warning.message}", file=sys.stderr)
    record = {"profile": profile.name, "author": publishing.author, "cover": cover_name, "genre": publishing.genre,
              "date": publishing.date, "measured": [m.as_dict() for m in measured]}
    return replace(manifest, warnings=(*manifest.warnings, *warnings), publishing=record)
