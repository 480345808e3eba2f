"""Loudness (ITU-R BS.1770 / EBU R128) measured while audio streams past, with numpy alone.

pyloudnorm measures a whole array at once; a chapter of a long book does not
fit in memory, so `LoudnessMeter` keeps only the K-weighting filter state and
one mean square per 100 ms, and gates those at the end exactly as BS.1770-4
does (400 ms blocks, 75 % overlap, -70 LUFS absolute and -10 LU relative gates).
The filter is designed from pyloudnorm's parameters, so both agree.

scipy and pyloudnorm cost most of a second of CPU to import, which is a large
share of a one-sentence rebuild, so nothing here uses them: numpy has no IIR
filter, so each K-weighting stage is split into first-order recurrences,
and each is solved a block at a time with a cumulative sum
(see `_KWeighting`); the oversampling filter and the limiter's running minimum
and mean are written out in numpy and match scipy's results.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
OVERSAMPLING = 4
# How far above its largest sample a signal is assumed to peak between samples.
# A tone at a quarter of the sample rate reaches 3.01 dB; speech stays far
# below that, though contrived sample patterns can go higher.
OVERSHOOT = 10 ** (3.5 / 20)


def _lufs(mean_square: float) -> float:
    return -0.691 + 10 * math.log10(mean_square) if mean_square > 0 else -math.inf


class LoudnessMeter:
    """Integrated loudness of a mono signal fed in pieces of any size."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.hop = sample_rate // 10  # 100 ms; four hops make one 400 ms block
        self._filter = _KWeighting(sample_rate)
        self._pending = np.zeros(0)
        self._hop_energy: list[float] = []

    def feed(self, samples: np.ndarray) -> None:
        x = np.concatenate([self._pending, self._filter(samples)])
        whole = len(x) // self.hop * self.hop
        if whole:
            squares = np.square(x[:whole]).reshape(-1, self.hop).sum(axis=1)
            self._hop_energy.extend(squares.tolist())
        self._pending = x[whole:]

    def gated(self) -> tuple[float, int]:
        """The sum of the K-weighted mean squares of the 400 ms blocks that pass both gates, and their count.

        Several meters' results pool into one loudness:
        -0.691 + 10 * log10(sum of sums / sum of counts).
        """
        hops = np.asarray(self._hop_energy)
        if len(hops) < 4:
            return 0.0, 0
        blocks = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * self.hop)
        kept = _gate(blocks)
        return float(kept.sum()), len(kept)

    def integrated(self) -> float:
        """Gated loudness in LUFS; -inf for silence or less than 400 ms of audio."""
        total, count = self.gated()
        return _lufs(total / count) if count else -math.inf

    def _whole(self) -> float:
        """Mean square of everything fed so far, whole hops and the rest."""
        energy = math.fsum(self._hop_energy) + float(np.square(self._pending).sum())
        length = len(self._hop_energy) * self.hop + len(self._pending)
        return energy / length if length else 0.0


def pooled_loudness(gated: Iterable[tuple[float, int]]) -> float:
    """The loudness of several pieces heard together, from each one's `gated()` (sum, count); -inf for none."""
    total = count = 0.0
    for block_sum, block_count in gated:
        total, count = total + block_sum, count + block_count
    return _lufs(total / count) if count else -math.inf


def _gate(blocks: np.ndarray) -> np.ndarray:
    """The blocks' mean squares that pass the absolute and then the relative gate."""
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(blocks)
    loud_enough = block_lufs >= ABSOLUTE_GATE
    if not loud_enough.any():
        return blocks[:0]
    relative = _lufs(float(blocks[loud_enough].mean())) + RELATIVE_GATE
    return blocks[loud_enough & (block_lufs > relative)]


def loudness_of(samples: np.ndarray, sample_rate: int) -> tuple[float, float, int]:
    """(LUFS, gated sum, gated count) of a whole mono array, as `LoudnessMeter` measures it.

    An array shorter than one 400 ms block is measured as one block of its
    own length, so that a very short sentence still gets a finite loudness;
    that block is gated like any other (below -70 LUFS it counts as silence:
    -inf, 0.0, 0). Silence of any length gives (-inf, 0.0, 0).
    """
    meter = LoudnessMeter(sample_rate)
    meter.feed(samples)
    if len(meter._hop_energy) >= 4:
        total, count = meter.gated()
    else:
        kept = _gate(np.array([meter._whole()]))
        total, count = float(kept.sum()), len(kept)
    return (_lufs(total / count) if count else -math.inf), total, count


def _biquad(b: tuple[float, float, float], a: tuple[float, float, float]) -> list[float]:
    return [b[0] / a[0], b[1] / a[0], b[2] / a[0], 1.0, a[1] / a[0], a[2] / a[0]]


@lru_cache(maxsize=None)
def _k_weighting(sample_rate: int) -> tuple[np.ndarray, float]:
    """pyloudnorm's "K-weighting" stages as second-order sections [b0, b1, b2, 1, a1, a2], and the
    product of their passband gains (both 1).

    pyloudnorm designs them with the RBJ cookbook formulas: a high shelf of
    +4 dB at 1500 Hz, Q = 1/sqrt(2), then a high-pass at 38 Hz, Q = 0.5.
    """
    w0 = 2 * math.pi * 1500.0 / sample_rate
    gain = 10 ** (4.0 / 40)
    cos, alpha = math.cos(w0), math.sin(w0) / (2 / math.sqrt(2))
    lift = 2 * math.sqrt(gain) * alpha
    shelf = _biquad(
        (gain * ((gain + 1) + (gain - 1) * cos + lift), -2 * gain * ((gain - 1) + (gain + 1) * cos),
         gain * ((gain + 1) + (gain - 1) * cos - lift)),
        ((gain + 1) - (gain - 1) * cos + lift, 2 * ((gain - 1) - (gain + 1) * cos), (gain + 1) - (gain - 1) * cos - lift),
    )
    w0 = 2 * math.pi * 38.0 / sample_rate
    cos, alpha = math.cos(w0), math.sin(w0) / (2 * 0.5)
    high_pass = _biquad(((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha))
    return np.array([shelf, high_pass]), 1.0


# Each block of a first-order recurrence is solved on its own, from the state its
# predecessor left; blocks are long enough that the pole decays by e^-50 across
# one, so the state carried from two blocks back is far below rounding.
_DECAY_PER_BLOCK = 50.0
_CHUNK = 16384


@dataclass(frozen=True)
class _Design:
    """The K-weighting stages as numerator taps and first-order poles, with per-block weights."""

    shelf_taps: np.ndarray  # the high shelf's b coefficients
    shelf_pole: complex  # q, one of its conjugate pair of poles
    shelf_down: np.ndarray  # q^-k: makes the recurrence a cumulative sum
    shelf_out: np.ndarray  # 2 r q^k: back from the sum to the output, residue r included
    shelf_up: np.ndarray  # q^k
    pass_taps: np.ndarray  # the high-pass's b coefficients and both passband gains
    pass_pole: float  # p, the high-pass's double pole
    pass_down: np.ndarray  # p^-k (1 + i k): S0 and S1 in one array
    pass_out: np.ndarray  # (k + 1) p^k + i p^k, see _KWeighting
    pass_up: np.ndarray  # p^k
    chunk: int  # the longest piece filtered at once, whole high-pass blocks

    @staticmethod
    @lru_cache(maxsize=None)
    def of(sample_rate: int) -> _Design:
        (shelf, high_pass), gain = _k_weighting(sample_rate)
        a1, a2 = shelf[4], shelf[5]
        q = complex(-a1 / 2, math.sqrt(max(0.0, a2 - a1 * a1 / 4)))
        if q.imag <= 0:
            raise ValueError(f"K-weighting at {sample_rate} Hz: the high shelf's poles are not a conjugate pair")
        p = -high_pass[4] / 2  # Q = 0.5 makes the high-pass poles coincide
        # 1/((1 - q w)(1 - q* w)) = r/(1 - q w) + r*/(1 - q* w)
        residue = q / (q - q.conjugate())
        shelf_block = math.ceil(_DECAY_PER_BLOCK / -math.log(abs(q)))
        pass_block = math.ceil(_DECAY_PER_BLOCK / -math.log(p))
        ks = np.arange(shelf_block, dtype=np.float64)
        kp = np.arange(pass_block, dtype=np.float64)
        shelf_up = np.exp(np.log(q) * ks)
        pass_up = p**kp
        return _Design(
            shelf_taps=shelf[:3].copy(),
            shelf_pole=q,
            shelf_down=np.exp(-np.log(q) * ks),
            shelf_out=2 * residue * shelf_up,
            shelf_up=shelf_up,
            pass_taps=high_pass[:3] * gain,
            pass_pole=p,
            pass_down=p**-kp * (1 + 1j * kp),
            pass_out=pass_up * (kp + 1) + 1j * pass_up,
            pass_up=pass_up,
            chunk=pass_block * max(1, round(_CHUNK / pass_block)),
        )


def _blocks(u: np.ndarray, size: int) -> np.ndarray:
    """`u` zero-padded to whole blocks of `size` (or one block if shorter), one block per row."""
    size = min(size, len(u))
    rows = -(-len(u) // size)
    if rows * size == len(u):
        return u.reshape(rows, size)
    padded = np.zeros(rows * size)
    padded[: len(u)] = u
    return padded.reshape(rows, size)


class _KWeighting:
    """The K-weighting filter applied piece by piece, carrying its state between pieces.

    Each stage is its numerator taps, then first-order recurrences
    y[n] = r y[n-1] + u[n]. Within a block, y[k] = r^k * sum over i <= k of
    r^-i u[i], a cumulative sum; the state entering the block is added to its
    first element. The shelf's conjugate poles take one complex recurrence (the
    output is twice the real part). The high-pass's double pole needs
    sum (k - i + 1) p^(k-i) u[i], i.e. a second sum of i p^-i u[i]; both sums
    ride in one complex cumulative sum (real and imaginary parts). The result
    stays within 1e-10 of the peak of scipy's sosfilt from 8 to 192 kHz.
    """

    def __init__(self, sample_rate: int) -> None:
        self._design = _Design.of(sample_rate)
        self._shelf_in = np.zeros(2)  # the last two input samples
        self._shelf = 0j  # the shelf recurrence's last output
        self._pass_in = np.zeros(2)  # the last two shelf outputs
        self._pass = (0.0, 0.0)  # the high-pass recurrence's last outputs, applied once and twice

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        x = np.asarray(samples, dtype=np.float64).reshape(-1)
        if not len(x):
            return x.copy()
        if len(x) > self._design.chunk:  # temporaries that fit in the cache: 2-3x quicker
            return np.concatenate([self(x[i : i + self._design.chunk]) for i in range(0, len(x), self._design.chunk)])
        d = self._design
        joined = np.concatenate([self._shelf_in, x])
        self._shelf_in = joined[-2:].copy()
        shelved = self._shelf_part(np.convolve(joined, d.shelf_taps, mode="valid"), d)
        joined = np.concatenate([self._pass_in, shelved])
        self._pass_in = joined[-2:].copy()
        return self._pass_part(np.convolve(joined, d.pass_taps, mode="valid"), d)

    def _shelf_part(self, u: np.ndarray, d: _Design) -> np.ndarray:
        n, q = len(u), d.shelf_pole
        blocks = _blocks(u, len(d.shelf_down))
        size = blocks.shape[1]
        z = blocks * d.shelf_down[:size]
        ends = z.sum(axis=1) * d.shelf_up[size - 1]  # each block's last output, but for its incoming state
        z[0, 0] += q * self._shelf
        z[1:, 0] += q * ends[:-1]
        z = np.cumsum(z, axis=1)
        last = n - 1 - (len(z) - 1) * size
        self._shelf = complex(z[-1, last] * d.shelf_up[last])
        return np.real(z * d.shelf_out[:size]).reshape(-1)[:n]

    def _pass_part(self, u: np.ndarray, d: _Design) -> np.ndarray:
        n, p = len(u), d.pass_pole
        blocks = _blocks(u, len(d.pass_down))
        size = blocks.shape[1]
        z = blocks * d.pass_down[:size]
        sums = z.sum(axis=1)
        # Entering block j: y1 = p^(B-1) S0 and y2 = p^(B-1) (B S0 - S1) at the end of block j - 1.
        once = sums.real * d.pass_up[size - 1]
        twice = (size * sums.real - sums.imag) * d.pass_up[size - 1]
        first_once, first_twice = self._pass
        z[0, 0] += p * first_once - 1j * p * first_twice
        z[1:, 0] += p * once[:-1] - 1j * p * twice[:-1]
        z = np.cumsum(z, axis=1)
        last = n - 1 - (len(z) - 1) * size
        s = z[-1, last]
        self._pass = (float(s.real * d.pass_up[last]), float(((last + 1) * s.real - s.imag) * d.pass_up[last]))
        return np.real(z * d.pass_out[:size]).reshape(-1)[:n]


@lru_cache(maxsize=None)
def _interpolator() -> np.ndarray:
    """48 taps, 12 per phase, as in BS.1770-4 annex 2: a Kaiser(6.0)-windowed sinc cut at a
    quarter of the band, unit gain at DC (what scipy.signal.firwin(48, 0.25, window=("kaiser", 6.0)) gives)."""
    m = np.arange(48) - 23.5
    taps = 0.25 * np.sinc(0.25 * m) * np.kaiser(48, 6.0)
    return taps / np.sum(taps)


def _upsample(x: np.ndarray) -> np.ndarray:
    """`x` at 4x the rate through `_interpolator`, aligned as scipy.signal.resample_poly(x, 4, 1, window=taps) aligns it."""
    taps = _interpolator() * OVERSAMPLING
    delay = (len(taps) - 1) // 2
    out = np.empty(len(x) * OVERSAMPLING)
    for phase in range(OVERSAMPLING):
        # out[4 s + phase] = sum over i of x[i] taps[4 (s - i) + phase + delay]
        first, shift = (phase + delay) % OVERSAMPLING, (phase + delay) // OVERSAMPLING
        out[phase::OVERSAMPLING] = np.convolve(x, taps[first::OVERSAMPLING])[shift : shift + len(x)]
    return out


def oversampled(samples: np.ndarray) -> np.ndarray:
    # A few zeros on each side let the interpolation filter ring out at the edges.
    return _upsample(np.pad(np.asarray(samples, dtype=np.float64), 16))


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


def _running_min(x: np.ndarray, size: int) -> np.ndarray:
    """Minimum over the `size` samples centred on each (odd `size`), edges repeated outward:
    scipy.ndimage.minimum_filter1d(x, size, mode="nearest").

    Van Herk / Gil-Werman: cut the padded signal into blocks of `size`; a window
    then spans the tail of one block and the head of the next, whose minima are
    running minima from either end of the blocks.
    """
    half = size // 2
    rows = -(-(len(x) + size - 1) // size)
    padded = np.empty(rows * size)
    padded[:half] = x[0]
    padded[half : half + len(x)] = x
    padded[half + len(x) :] = x[-1]
    blocks = padded.reshape(rows, size)
    from_start = np.minimum.accumulate(blocks, axis=1).reshape(-1)
    from_end = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    return np.minimum(from_end[: len(x)], from_start[size - 1 : size - 1 + len(x)])


def _running_mean(x: np.ndarray, size: int, spans: list[tuple[int, int]] | None = None) -> np.ndarray:
    """Mean over the `size` samples centred on each, edges repeated outward:
    scipy.ndimage.uniform_filter1d(x, size, mode="nearest"), rounding included.

    Like scipy, it keeps a running sum (the first window's, then plus the
    entering sample minus the leaving one at each step) and divides it by
    `size`. If `spans` ([start, end), in order) are given, every window outside
    them is assumed constant, so the sum is carried over them unchanged.
    """
    before = size // 2
    padded = np.concatenate([np.full(before, x[0]), x, np.full(size - before - 1, x[-1])])
    sums = np.empty(len(x))
    total = np.cumsum(padded[:size])[-1]
    sums[0], done = total, 1
    for start, end in [(1, len(x))] if spans is None else spans:
        start, end = max(start, done), min(end, len(x))
        if start >= end:
            continue
        sums[done:start] = total
        steps = padded[start + size - 1 : end + size - 1] - padded[start - 1 : end - 1]
        running = np.cumsum(np.concatenate([[total], steps]))
        sums[start:end] = running[1:]
        total, done = running[-1], end
    sums[done:] = total
    return sums / size


def _gain_curve(need: np.ndarray, width: int, stretches: list[tuple[int, int]]) -> np.ndarray:
    """_running_mean(_running_min(need, 2 width + 1), width), computed only near `stretches`.

    `need` is 1 outside the stretches, and so is the running minimum more than
    `width` away from them; spans that reach well beyond that give the same
    result as filtering the whole array, at a fraction of the cost for a chapter.
    """
    margin = 2 * (2 * width + 1)
    spans: list[tuple[int, int]] = []
    for a, b in stretches:
        a, b = max(0, a - margin), min(len(need), b + margin)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    floor = np.ones(len(need))
    for a, b in spans:
        floor[a:b] = _running_min(need[a:b], 2 * width + 1)
    return _running_mean(floor, width, spans)


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
    width = max(3, int(sample_rate * 0.005) | 1)
    return x * np.minimum(_gain_curve(need, width, stretches), need)
