"""The median fundamental frequency of speech, by autocorrelation: how the tests tell voices apart by pitch."""
from __future__ import annotations

import numpy as np


def median_f0(samples: np.ndarray, rate: int, low: float = 60.0, high: float = 500.0) -> float:
    """Median F0 in Hz over the voiced 40 ms frames (the louder ones whose autocorrelation peak is strong)."""
    frame = int(0.04 * rate)
    hop = frame // 2
    starts = range(0, max(0, len(samples) - frame), hop)
    frames = [samples[s:s + frame] - samples[s:s + frame].mean() for s in starts]
    if not frames:
        raise ValueError("too short to measure a pitch")
    loudness = np.array([np.sqrt(np.mean(f ** 2)) for f in frames])
    floor = 0.25 * np.percentile(loudness, 90)
    shortest, longest = int(rate / high), int(rate / low)
    found = []
    for piece, level in zip(frames, loudness):
        if level < floor:
            continue
        spectrum = np.fft.rfft(piece, 2 * frame)
        correlation = np.fft.irfft(spectrum * np.conj(spectrum))[:frame]
        lag = shortest + int(np.argmax(correlation[shortest:longest]))
        if correlation[lag] > 0.45 * correlation[0]:
            found.append(rate / lag)
    if not found:
        raise ValueError("no voiced frame")
    return float(np.median(found))
