"""What silence is, decided once: the level below which audio is silent, and where a clip's sound
begins and ends, for every cut at the edge of a clip and every measure of the silence left there.

A clip is looked at in 10 ms frames: a frame sounds when its RMS reaches `SILENCE` (-50 dBFS).
The neural voice trims each piece of a sentence with it (`engines/neural`, keeping `EDGE_KEEP`
around speech so its joins are its `JOIN_PAUSES`), the stitcher trims every clip of every engine
with it before joining (`stitch.prepared_sentence`, keeping the pause plan's `keep`), and
`export/check.py` measures a finished file's head and tail room tone with it.

Why frames of RMS and not the first sample above the level (the stitcher's rule until issue 19),
measured on the sample article's clips (`benchmarks/silence_rules.py`): on clean clips the two cut
within 20 ms of each other (start) and 14 ms (end), inside the 50 ms kept, and the old neural rule
(RMS >= 0.003) cut 7 of 105 model pieces one frame differently. The neural voice and espeak-ng
rise from digital silence to -50 dBFS within 2 ms, so there is no breath or soft lead-in for
either rule to cut in half. Under a room tone of -60 dBFS RMS (a recorded or MP3 voice's noise
floor) samples above -50 dBFS are everywhere, and the sample rule moved its cuts by up to 282 ms,
trimming nothing, while the frame rule stayed within one frame of its clean cut (two at -55). A
tick is a few samples and barely moves a frame's RMS (ticks.py removes it before the stitcher
trims anyway).
"""
from __future__ import annotations

import numpy as np

SILENCE = 10 ** (-50 / 20)
"""The silence level, -50 dBFS: below it a 10 ms frame (here) or a 1 ms burst (ticks.py) is silent."""
FRAME = 0.010
"""Seconds in a frame."""


def frame_length(sample_rate: int) -> int:
    return max(1, int(round(FRAME * sample_rate)))


def sounding_frames(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Whether each 10 ms frame of `samples` (mono float, full scale 1.0) sounds, the last partial frame
    included (its RMS over the samples it has)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    frame = frame_length(sample_rate)
    count = -(-len(x) // frame)
    squares = np.zeros(count * frame)
    squares[: len(x)] = x * x
    sizes = np.full(count, frame)
    if count and len(x) % frame:
        sizes[-1] = len(x) % frame
    return squares.reshape(count, frame).sum(axis=1) / np.maximum(sizes, 1) >= SILENCE**2


def sound_span(samples: np.ndarray, sample_rate: int) -> tuple[int, int] | None:
    """[start, end) in samples from the first sounding frame's start to the last one's end; None when no
    frame sounds."""
    loud = np.flatnonzero(sounding_frames(samples, sample_rate))
    if not len(loud):
        return None
    frame = frame_length(sample_rate)
    return int(loud[0]) * frame, min(len(samples), (int(loud[-1]) + 1) * frame)


def speech_bounds(samples: np.ndarray, sample_rate: int, keep: float) -> tuple[int, int]:
    """Where to cut a clip's leading and trailing silence down to `keep` seconds: keep samples[start:end].
    A clip with no sound keeps nothing: (0, 0)."""
    span = sound_span(samples, sample_rate)
    if span is None:
        return 0, 0
    margin = int(round(keep * sample_rate))
    return max(0, span[0] - margin), min(len(samples), span[1] + margin)


class SoundSpan:
    """`sound_span` of audio that arrives in blocks (a file decoded as it streams), with frames counted from
    the first sample whatever the blocks' sizes: feed() each block, then `first` and `end`."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.first: int | None = None
        self.end: int | None = None
        self._carry = np.zeros(0)
        self._position = 0  # samples before the carry

    def feed(self, block: np.ndarray, final: bool = False) -> None:
        joined = np.concatenate([self._carry, np.asarray(block, dtype=np.float64).reshape(-1)])
        whole = len(joined) if final else len(joined) - len(joined) % frame_length(self.sample_rate)
        span = sound_span(joined[:whole], self.sample_rate)
        if span is not None:
            self.first = self._position + span[0] if self.first is None else self.first
            self.end = self._position + span[1]
        self._position += whole
        self._carry = joined[whole:]

    def close(self) -> None:
        """Take in the last partial frame."""
        self.feed(np.zeros(0), final=True)
