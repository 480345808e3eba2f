"""Loudness (ITU-R BS.1770 / EBU R128) measured while audio streams past.

pyloudnorm measures a whole array at once; a chapter of a long book does not
fit in memory, so `LoudnessMeter` keeps only the K-weighting filter state and
one mean square per 100 ms, and gates those at the end exactly as BS.1770-4
does (400 ms blocks, 75 % overlap, -70 LUFS absolute and -10 LU relative gates).
The filter coefficients are pyloudnorm's, so both agree.

scipy (and pyloudnorm, which imports it) cost most of a second to import, so
they are imported when audio is first measured: a build that takes every
chapter whole from its previous output, or whose main process waits on
workers at the start, does not wait for them.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
OVERSAMPLING = 4
# How far above its largest sample a signal is assumed to peak between samples.
# A tone at a quarter of the sample rate reaches 3.01 dB; speech stays far
# below that, though contrived sample patterns can go higher.
OVERSHOOT = 10 ** (3.5 / 20)


class LoudnessMeter:
    """Integrated loudness of a mono signal fed in pieces of any size."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.hop = sample_rate // 10  # 100 ms; four hops make one 400 ms block
        self._sos, self._gain = _k_weighting(sample_rate)
        self._state = np.zeros((len(self._sos), 2))
        self._pending = np.zeros(0)
        self._hop_energy: list[float] = []

    def feed(self, samples: np.ndarray) -> None:
        from scipy import signal

        x, self._state = signal.sosfilt(self._sos, np.asarray(samples, dtype=np.float64), zi=self._state)
        x = np.concatenate([self._pending, x * self._gain])
        whole = len(x) // self.hop * self.hop
        if whole:
            squares = np.square(x[:whole]).reshape(-1, self.hop).sum(axis=1)
            self._hop_energy.extend(squares.tolist())
        self._pending = x[whole:]

    def integrated(self) -> float:
        """Gated loudness in LUFS; -inf for silence or less than 400 ms of audio."""
        hops = np.asarray(self._hop_energy)
        if len(hops) < 4:
            return -math.inf
        blocks = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * self.hop)
        with np.errstate(divide="ignore"):
            block_lufs = -0.691 + 10 * np.log10(blocks)
        kept = blocks[block_lufs >= ABSOLUTE_GATE]
        if not len(kept):
            return -math.inf
        relative = -0.691 + 10 * math.log10(kept.mean()) + RELATIVE_GATE
        kept = blocks[(block_lufs >= ABSOLUTE_GATE) & (block_lufs > relative)]
        return -0.691 + 10 * math.log10(kept.mean())


@lru_cache(maxsize=None)
def _k_weighting(sample_rate: int) -> tuple[np.ndarray, float]:
    """pyloudnorm's two K-weighting stages as one cascade of second-order sections (one pass, a
    third of the time) and their passband gain."""
    import pyloudnorm
    from scipy import signal

    stages = list(pyloudnorm.Meter(sample_rate)._filters.values())
    return np.concatenate([signal.tf2sos(f.b, f.a) for f in stages]), math.prod(f.passband_gain for f in stages)


@lru_cache(maxsize=None)
def _interpolator() -> np.ndarray:
    """48 taps, 12 per phase, as in BS.1770-4 annex 2 (designed here with a Kaiser window)."""
    from scipy import signal

    return signal.firwin(48, 1 / OVERSAMPLING, window=("kaiser", 6.0))


def oversampled(samples: np.ndarray) -> np.ndarray:
    from scipy import signal

    # A few zeros on each side let the interpolation filter ring out at the edges.
    padded = np.pad(np.asarray(samples, dtype=np.float64), 16)
    return signal.resample_poly(padded, OVERSAMPLING, 1, window=_interpolator())


def _loud_stretches(magnitude: np.ndarray, threshold: float, reach: int) -> list[tuple[int, int]]:
    """[start, end) stretches around samples above `threshold`, widened by `reach`."""
    loud = np.flatnonzero(magnitude >= threshold)
    if not len(loud):
        return []
    breaks = np.flatnonzero(np.diff(loud) > 2 * reach)
    starts = np.concatenate([[loud[0]], loud[breaks + 1]])
    ends = np.concatenate([loud[breaks], [loud[-1]]])
    return [(max(0, int(a) - reach), min(len(magnitude), int(b) + reach + 1)) for a, b in zip(starts, ends)]


_REACH = 24  # samples on each side that the interpolation filter can carry a peak


def _stretch_peaks(x: np.ndarray, stretches: list[tuple[int, int]]) -> list[np.ndarray]:
    """Per sample of each stretch, the largest oversampled value from it to the next sample.

    The stretches are oversampled in one call, laid end to end with silence
    between them so that they do not interfere.
    """
    gap = np.zeros(2 * _REACH)
    joined = np.concatenate([piece for a, b in stretches for piece in (x[a:b], gap)])
    up = np.abs(oversampled(joined))[16 * OVERSAMPLING : -16 * OVERSAMPLING]
    per_sample = up[0::OVERSAMPLING].copy()
    for phase in range(1, OVERSAMPLING):  # far quicker than reshape(-1, 4).max(axis=1)
        np.maximum(per_sample, up[phase::OVERSAMPLING], out=per_sample)
    # A peak just before a sample belongs to it too.
    per_sample = np.maximum(per_sample, np.concatenate([[0.0], per_sample[:-1]]))
    result, offset = [], 0
    for a, b in stretches:
        result.append(per_sample[offset : offset + b - a])
        offset += b - a + len(gap)
    return result


def true_peak(samples: np.ndarray) -> float:
    """Largest absolute value of the signal oversampled 4x (BS.1770 annex 2), linear.

    Oversampling a whole chapter is slow, and a peak between samples sits
    next to large samples, so only the stretches around samples within
    `OVERSHOOT` of the largest one are oversampled.
    """
    x = np.asarray(samples, dtype=np.float64)
    if not len(x):
        return 0.0
    magnitude = np.abs(x)
    largest = float(magnitude.max())
    stretches = _loud_stretches(magnitude, largest / OVERSHOOT, _REACH)
    if not stretches or largest == 0:
        return largest
    return max(largest, max(float(p.max()) for p in _stretch_peaks(x, stretches)))


def db(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 0 else -math.inf


def limit(samples: np.ndarray, ceiling: float, sample_rate: int) -> np.ndarray:
    """Lower the gain smoothly around every true peak above `ceiling` (linear).

    The gain curve is the running minimum of the gain each sample needs,
    taken over 2W, then averaged over W (W = 5 ms): the average of values that
    are each at most the need of the middle sample can never exceed it, so
    the result stays under the ceiling without clicks. Only stretches near
    samples within `OVERSHOOT` of the ceiling are oversampled; quieter ones cannot peak
    above it.
    """
    x = np.asarray(samples, dtype=np.float64)
    stretches = _loud_stretches(np.abs(x), ceiling / OVERSHOOT, _REACH) if len(x) else []
    if not stretches:
        return x
    need = np.ones(len(x))
    for (a, b), peaks in zip(stretches, _stretch_peaks(x, stretches)):
        need[a:b] = np.minimum(need[a:b], ceiling / np.maximum(peaks, 1e-12))
    if need.min() >= 1.0:
        return x
    from scipy import ndimage

    width = max(3, int(sample_rate * 0.005) | 1)
    floor = ndimage.minimum_filter1d(need, size=2 * width + 1, mode="nearest")
    gain = ndimage.uniform_filter1d(floor, size=width, mode="nearest")
    return x * np.minimum(gain, need)
