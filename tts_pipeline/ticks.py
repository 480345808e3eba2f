"""Isolated ticks in a clip's pauses: found and zeroed before the clip is trimmed and levelled.

The neural voice's vocoder leaves, now and then, a burst of one or two
milliseconds about 37 dB below its speech (-42 dBFS in the raw clip, -35 dBFS
once levelled) in the middle of a pause, with silence on both sides: on
headphones, a tick. The gate here looks at the clip in 1 ms frames; a burst is a
run of frames that rise above the stitcher's silence level (-50 dBFS) for at
most `MAX_BURST` with at least `MIN_QUIET` of silence on each side (a clip's
edge counts as silence), whose peak stays below `CEILING` and at least
`BELOW_SPEECH` under the clip's own peak. Such a burst is zeroed, with a 1 ms
ramp on each side into the silence around it. Speech is never touched: a
syllable lasts far longer than 10 ms, and no sample above -30 dBFS is changed.

It runs on the clip before the stitcher trims it (`silence.speech_bounds`), so a tick near a
clip's edge does not survive in the pause. The silence level is the one `silence.py` defines; a
tick is found in 1 ms frames of peaks because it is shorter than the trim's 10 ms frames.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .silence import SILENCE

MAX_BURST = 0.010  # seconds: longer than this is not a tick
MIN_QUIET = 0.030  # seconds of silence needed on each side
CEILING = 10 ** (-30 / 20)  # a burst with any sample above -30 dBFS is left alone
BELOW_SPEECH = 20.0  # dB under the clip's peak, at least
FRAME = 0.001


@dataclass(frozen=True)
class Tick:
    """A burst found in a clip: [start, end) in samples, and its peak in dBFS."""

    start: int
    end: int
    peak_db: float


def find_ticks(samples: np.ndarray, sample_rate: int) -> list[Tick]:
    """The isolated short bursts in `samples` (mono float, full scale 1.0)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    frame = max(1, int(round(FRAME * sample_rate)))
    count = -(-len(x) // frame)
    if count == 0:
        return []
    padded = np.zeros(count * frame)
    padded[: len(x)] = np.abs(x)
    envelope = padded.reshape(count, frame).max(axis=1)
    loudest = float(envelope.max())
    loud = envelope > SILENCE
    edges = np.flatnonzero(np.diff(np.concatenate([[0], loud.astype(np.int8), [0]])))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist()))
    longest, quiet = MAX_BURST / FRAME, MIN_QUIET / FRAME
    ceiling = min(CEILING, loudest * 10 ** (-BELOW_SPEECH / 20))
    ticks = []
    for i, (a, b) in enumerate(runs):
        before = a - (runs[i - 1][1] if i else 0)
        after = (runs[i + 1][0] if i + 1 < len(runs) else count) - b
        peak = float(envelope[a:b].max())
        if b - a <= longest and before >= quiet and after >= quiet and peak < ceiling:
            ticks.append(Tick(a * frame, min(len(x), b * frame), 20 * np.log10(peak)))
    return ticks


def remove_ticks(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """`samples` with every burst `find_ticks` finds faded out to zero; the same array when there is none."""
    ticks = find_ticks(samples, sample_rate)
    if not ticks:
        return samples
    ramp_len = max(1, int(round(FRAME * sample_rate)))
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, ramp_len + 2)[1:-1])  # rises from 0 to 1, reaching neither
    gain = np.ones(len(samples))
    for tick in ticks:
        gain[tick.start : tick.end] = 0.0
        lead = gain[max(0, tick.start - ramp_len) : tick.start]
        np.minimum(lead, ramp[::-1][len(ramp) - len(lead) :], out=lead)
        trail = gain[tick.end : tick.end + ramp_len]
        np.minimum(trail, ramp[: len(trail)], out=trail)
    return (samples * gain).astype(samples.dtype, copy=False)
