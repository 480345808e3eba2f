"""Publishing profiles: one table of the sound and file settings a kind of listener's app or store expects.

A profile gives the defaults of a build (loudness, true-peak ceiling, sample
rate, bitrate, format, room tone at the head and tail of each chapter file)
and the limits `export.check` measures the finished files against. Options
given explicitly (--bitrate, --format, --pause-lead) still win over the
profile's defaults; the check then reports what falls outside.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import PipelineError


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    loudness: float  # LUFS each sentence is levelled to
    peak: float  # dBTP ceiling of the encoded files
    # dB more that the PCM is held under `peak`, for what encoding adds to the true peaks of this voice
    # (measured on the sample article: MP3 at 64k up to 1.03 dB, AAC at 64k 1.86 dB)
    headroom: float
    sample_rate: int | None  # of every file; None: the engine's own
    bitrate: str
    format: str  # --format default
    lead: float  # seconds of silence at the head of every chapter file
    tail: float  # at least this many seconds of silence at the tail of every chapter file
    genre: str  # of the book and chapter files
    # what the check measures; None: not part of this profile
    checked: str  # "book": the book file; "chapters": every chapter file
    loudness_range: tuple[float, float] | None = None  # LUFS
    rms_range: tuple[float, float] | None = None  # dBFS, over the whole file
    max_peak: float | None = None  # dBFS, sample peak
    max_noise_floor: float | None = None  # dBFS, RMS of the quietest 500 ms
    head_range: tuple[float, float] | None = None  # seconds of room tone before the first sound
    tail_range: tuple[float, float] | None = None  # seconds after the last
    max_minutes: float | None = None
    constant_bitrate: bool = False


PROFILES = {
    profile.name: profile
    for profile in (
        Profile(
            name="podcast",
            summary="one book.mp3 for podcast apps: -16 LUFS, -1 dBTP, 64 kb/s mono at the voice's rate",
            loudness=-16.0, peak=-1.0, headroom=1.5, sample_rate=None, bitrate="64k", format="mp3", lead=0.3, tail=0.0,
            genre="Podcast", checked="book", loudness_range=(-17.0, -15.0),
        ),
        Profile(
            name="audiobook",
            summary="book.m4b with chapters and cover for audiobook apps: -18 LUFS, -3 dBTP",
            loudness=-18.0, peak=-3.0, headroom=2.5, sample_rate=None, bitrate="64k", format="m4b", lead=0.5, tail=1.0,
            genre="Audiobook", checked="book", loudness_range=(-19.0, -17.0),
        ),
        Profile(
            # ACX's submission requirements. RMS is of the whole file, pauses included: at -19.5 LUFS the
            # sample article's chapters measured -19.8 dB RMS (dense speech) to -21.7 dB (a short headline
            # chapter, mostly room tone), inside -23 to -18 dB.
            name="acx",
            summary="a chapter per MP3 for audiobook stores (ACX): 44.1 kHz, 192 kb/s CBR, RMS -23 to -18 dB, "
            "peaks at most -3 dB, noise floor at most -60 dB, 0.5-1 s room tone at the head, 1-5 s at the tail",
            loudness=-19.5, peak=-3.0, headroom=1.5, sample_rate=44100, bitrate="192k", format="mp3", lead=0.75, tail=2.0,
            genre="Audiobook", checked="chapters", rms_range=(-23.0, -18.0), max_peak=-3.0, max_noise_floor=-60.0,
            head_range=(0.5, 1.0), tail_range=(1.0, 5.0), max_minutes=120.0, constant_bitrate=True,
        ),
    )
}
DEFAULT = "podcast"


def profile(name: str | Profile | None) -> Profile:
    """The profile named `name` (None: the default); an unknown name is an error naming the choices."""
    if isinstance(name, Profile):
        return name
    try:
        return PROFILES[name or DEFAULT]
    except KeyError:
        raise PipelineError(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}") from None
