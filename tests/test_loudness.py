"""Loudness without scipy: the numpy filters, meter, oversampler and limiter against scipy and pyloudnorm."""
from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
from scipy import ndimage, signal

from freshimports import imported_by
from tts_pipeline import loudness
from tts_pipeline.loudness import LoudnessMeter, limit, loudness_of, oversampled, true_peak

RATES = [16000, 22050, 24000, 44100, 48000]


def speechy(seconds: float, rate: int, seed: int = 1) -> np.ndarray:
    """Tone and noise bursts over a little DC and rumble, with a quiet stretch the gates must drop."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    bursts = np.sin(2 * np.pi * 3.0 * t) > -0.2
    x = bursts * (0.2 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.normal(0, 1, len(t)))
    x += 0.02 + 0.05 * np.sin(2 * np.pi * 25 * t)
    x[len(t) // 3 : len(t) // 2] *= 0.001
    return x


def pyloudnorm_sos(rate: int) -> np.ndarray:
    return np.array([[*f.b, *f.a] for f in pyloudnorm.Meter(rate)._filters.values()])


@pytest.mark.parametrize("rate", RATES)
def test_k_weighting_coefficients_are_pyloudnorms(rate):
    sos, gain = loudness._k_weighting(rate)
    assert np.allclose(sos, pyloudnorm_sos(rate), rtol=0, atol=1e-15)
    assert gain == math.prod(f.passband_gain for f in pyloudnorm.Meter(rate)._filters.values())


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("piece", [1, 1000, 100000, None])
def test_k_weighting_matches_sosfilt_in_pieces_of_any_size(rate, piece):
    x = speechy(3.0 if piece != 1 else 0.2, rate)
    reference = signal.sosfilt(pyloudnorm_sos(rate), x)
    k = loudness._KWeighting(rate)
    step = piece or len(x)
    out = np.concatenate([k(x[i : i + step]) for i in range(0, len(x), step)])
    assert len(out) == len(x)
    assert np.max(np.abs(out - reference)) < 1e-9 * np.max(np.abs(reference))


@pytest.mark.parametrize("rate", RATES)
def test_meter_agrees_with_pyloudnorm(rate):
    x = speechy(6.0, rate)
    meter = LoudnessMeter(rate)
    meter.feed(x)
    assert meter.integrated() == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(x), abs=0.01)


def test_feeding_in_pieces_changes_nothing():
    rate = 16000
    x = speechy(2.0, rate)
    whole = LoudnessMeter(rate)
    whole.feed(x)
    for piece in (1, 1000, 100000):
        meter = LoudnessMeter(rate)
        for i in range(0, len(x), piece):
            meter.feed(x[i : i + piece])
        assert meter.integrated() == pytest.approx(whole.integrated(), abs=1e-9)
        assert meter.gated()[1] == whole.gated()[1]


def test_gated_blocks_are_pyloudnorms():
    rate = 24000
    x = speechy(5.0, rate)  # whole hops, so both cut the same blocks
    meter = LoudnessMeter(rate)
    meter.feed(x)
    total, count = meter.gated()
    reference = pyloudnorm.Meter(rate)
    lufs = reference.integrated_loudness(x)
    blocks = np.array(reference.blockwise_loudness)
    relative = -0.691 + 10 * np.log10(np.mean(10 ** ((blocks[blocks >= -70] + 0.691) / 10))) - 10
    kept = blocks[(blocks > relative) & (blocks > -70)]
    assert 0 < count == len(kept) < len(blocks)  # the quiet stretch is gated out
    assert total == pytest.approx(np.sum(10 ** ((kept + 0.691) / 10)), rel=1e-9)
    assert -0.691 + 10 * math.log10(total / count) == pytest.approx(lufs, abs=1e-6)


def test_gated_results_pool_across_meters():
    rate = 24000
    loud, quiet = speechy(3.0, rate, seed=2), 0.3 * speechy(4.0, rate, seed=3)
    meters = [LoudnessMeter(rate) for _ in range(2)]
    for meter, x in zip(meters, (loud, quiet)):
        meter.feed(x)
    (s1, c1), (s2, c2) = (m.gated() for m in meters)
    pooled = -0.691 + 10 * math.log10((s1 + s2) / (c1 + c2))
    assert min(m.integrated() for m in meters) < pooled < max(m.integrated() for m in meters)
    assert pooled == pytest.approx(-0.691 + 10 * math.log10((s1 / c1 * c1 + s2 / c2 * c2) / (c1 + c2)))


def test_silence_and_short_audio():
    meter = LoudnessMeter(24000)
    meter.feed(np.zeros(48000))
    assert meter.integrated() == -math.inf and meter.gated() == (0.0, 0)
    short = LoudnessMeter(24000)
    short.feed(speechy(0.35, 24000))
    assert short.integrated() == -math.inf and short.gated() == (0.0, 0)


def test_loudness_of_a_long_array_is_the_meters():
    rate = 22050
    x = speechy(4.2, rate)
    meter = LoudnessMeter(rate)
    meter.feed(x)
    assert loudness_of(x, rate) == (meter.integrated(), *meter.gated())


def test_loudness_of_a_short_array_measures_it_as_one_block():
    rate = 24000
    x = speechy(0.25, rate)[: int(0.25 * rate)]
    lufs, total, count = loudness_of(x, rate)
    weighted = signal.sosfilt(pyloudnorm_sos(rate), x)
    assert count == 1
    assert total == pytest.approx(np.mean(weighted**2), rel=1e-9)
    assert lufs == pytest.approx(-0.691 + 10 * math.log10(np.mean(weighted**2)), abs=1e-9)
    assert math.isfinite(loudness_of(x[:100], rate)[0])
    assert loudness_of(np.zeros(1000), rate) == (-math.inf, 0.0, 0)
    assert loudness_of(x * 1e-5, rate) == (-math.inf, 0.0, 0)  # under the -70 LUFS gate
    assert loudness_of(np.zeros(0), rate) == (-math.inf, 0.0, 0)


def test_interpolator_is_scipys_firwin():
    expected = signal.firwin(48, 0.25, window=("kaiser", 6.0))
    assert np.allclose(loudness._interpolator(), expected, rtol=0, atol=1e-16)


@pytest.mark.parametrize("length", [1, 2, 11, 12, 13, 100, 4801])
def test_oversampled_is_scipys_resample_poly(length):
    x = np.random.default_rng(length).normal(0, 0.3, length)
    window = signal.firwin(48, 0.25, window=("kaiser", 6.0))
    expected = signal.resample_poly(np.pad(x, 16), 4, 1, window=window)
    out = oversampled(x)
    assert out.shape == expected.shape
    assert np.max(np.abs(out - expected)) < 1e-12


def test_true_peak_is_the_whole_signals_oversampled_peak():
    rng = np.random.default_rng(4)
    x = 0.1 * rng.normal(0, 1, 24000)
    t = np.arange(200) / 24000
    x[5000:5200] = 0.7 * np.sin(2 * np.pi * 6000 * t + np.pi / 4)  # peaks between samples
    window = signal.firwin(48, 0.25, window=("kaiser", 6.0))
    expected = np.max(np.abs(signal.resample_poly(np.pad(x, 16), 4, 1, window=window)))
    assert true_peak(x) == pytest.approx(expected, abs=1e-12)
    assert true_peak(x) > np.max(np.abs(x)) + 0.1


@pytest.mark.parametrize("length", [1, 2, 5, 242, 243, 244, 5000])
@pytest.mark.parametrize("size", [3, 121, 243])
def test_running_filters_are_scipys_exactly(length, size):
    x = np.random.default_rng(length * size).random(length)
    assert np.array_equal(loudness._running_min(x, size), ndimage.minimum_filter1d(x, size, mode="nearest"))
    assert np.array_equal(loudness._running_mean(x, size), ndimage.uniform_filter1d(x, size, mode="nearest"))


@pytest.mark.parametrize("seed", range(6))
def test_gain_curve_near_peaks_is_the_whole_arrays(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.1, int(rng.integers(2000, 60000)))
    x[rng.integers(0, len(x), 12)] = rng.uniform(-1.5, 1.5, 12)
    if seed % 2:
        x[:3], x[-3:] = 1.4, -1.3  # stretches at both edges
    stretches = loudness._loud_stretches(np.abs(x), 0.5 / loudness.OVERSHOOT, loudness._REACH)
    need = np.ones(len(x))
    for (a, b), peaks in zip(stretches, loudness._stretch_peaks(x, stretches)):
        need[a:b] = np.minimum(need[a:b], 0.5 / np.maximum(peaks, 1e-12))
    expected = ndimage.uniform_filter1d(ndimage.minimum_filter1d(need, 243, mode="nearest"), 121, mode="nearest")
    assert np.array_equal(loudness._gain_curve(need, 121, stretches), expected)


def test_limiter_holds_the_ceiling_and_leaves_quiet_audio_alone():
    rate = 24000
    x = speechy(2.0, rate)
    assert np.array_equal(limit(x, 0.9, rate), x)
    loud = x * 4
    limited = limit(loud, 0.8, rate)
    # The 48-tap interpolator's points sit 1/8 sample off the samples themselves, so a peak
    # can slip 0.1 dB over (as it did with the scipy version).
    assert true_peak(limited) <= 0.8 * 1.015
    assert np.all(np.abs(limited) <= np.abs(loud) + 1e-12)


def test_no_scipy_or_pyloudnorm_is_imported():
    code = (
        "import numpy as np\n"
        "from tts_pipeline.loudness import LoudnessMeter, limit, loudness_of, true_peak\n"
        "x = np.sin(np.arange(48000) * 0.3) * np.linspace(0, 2, 48000)\n"
        "m = LoudnessMeter(24000); m.feed(x); m.integrated(); m.gated()\n"
        "loudness_of(x, 24000); true_peak(x); limit(x, 0.5, 24000)"
    )
    assert imported_by(code, ("scipy", "pyloudnorm")) == []
