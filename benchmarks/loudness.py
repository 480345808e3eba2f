"""Loudness without scipy: the numpy module against the last scipy version, side by side in one run.

    .venv/bin/python benchmarks/loudness.py [--repeat N]

The scipy version is tts_pipeline/loudness.py as of commit BASELINE, read
with `git show`. Two workloads, both at 24 kHz on a speech-like signal
(noise in syllable-length bursts, with a few sharp peaks):

- chapter: a 240-second chapter fed to a LoudnessMeter in 1-second pieces,
  then its true peak and the limiter over the whole chapter;
- sentences: 30 separate 8-second sentences, each levelled the way
  stitch.level does it: loudness of the sentence with 0.4 s of silence on
  each side, true peak, limiter, then loudness and true peak again;
- chapter meter, sentence meters: the LoudnessMeter part of each alone
  (the K-weighting filter is where numpy is slowest: two cumulative sums
  per sample against scipy's compiled recurrence);
- noise meter: the chapter meter on 240 s of white noise instead.

"warm" times the work alone (modules already imported; the best of
--repeat runs, interleaved). "cold" times a fresh process from importing
the loudness module to the end of the work (numpy is imported beforehand,
as a build has it): that is what a build's main process pays, since the
scipy version imported scipy and pyloudnorm when it first measured.
"""
from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "610f5ca"  # the last loudness.py that used scipy and pyloudnorm
RATE = 24000
CEILING = 10 ** (-2.5 / 20)


def speech_like(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6)), 0, None) ** 2
    voiced = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 360 * t)
    x = 0.08 * syllables * (voiced + 0.3 * rng.normal(0, 1, n))
    spikes = rng.integers(0, n, size=max(1, int(seconds)))
    x[spikes] = 0.9 * np.sign(rng.normal(size=len(spikes)))
    return x


def scipy_module() -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{BASELINE}:tts_pipeline/loudness.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("loudness_scipy")
    exec(compile(source, f"loudness.py@{BASELINE}", "exec"), module.__dict__)
    return module


def numpy_module() -> types.ModuleType:
    sys.path.insert(0, str(ROOT))
    from tts_pipeline import loudness

    return loudness


def loudness(m: types.ModuleType, x: np.ndarray) -> float:
    meter = m.LoudnessMeter(RATE)
    meter.feed(x)
    return meter.integrated()


def chapter(m: types.ModuleType, x: np.ndarray) -> float:
    meter = m.LoudnessMeter(RATE)
    for start in range(0, len(x), RATE):
        meter.feed(x[start : start + RATE])
    peak = m.true_peak(x)
    limited = m.limit(x * (1.2 / peak), CEILING, RATE)
    return meter.integrated() + m.true_peak(limited)


def chapter_meter(m: types.ModuleType, x: np.ndarray) -> float:
    meter = m.LoudnessMeter(RATE)
    for start in range(0, len(x), RATE):
        meter.feed(x[start : start + RATE])
    return meter.integrated()


def sentence_meters(m: types.ModuleType, pieces: list[np.ndarray]) -> float:
    return sum(loudness(m, x) for x in pieces)


def sentences(m: types.ModuleType, pieces: list[np.ndarray]) -> float:
    quiet = np.zeros(int(0.4 * RATE))
    total = 0.0
    for x in pieces:
        total += loudness(m, np.concatenate([quiet, x, quiet]))
        y = m.limit(x * (1.2 / m.true_peak(x)), CEILING, RATE)
        total += loudness(m, np.concatenate([quiet, y, quiet])) + m.true_peak(y)
    return total


WORKLOADS = {
    "chapter": lambda m, long, short: chapter(m, long),
    "sentences": lambda m, long, short: sentences(m, short),
    "chapter meter": lambda m, long, short: chapter_meter(m, long),
    "sentence meters": lambda m, long, short: sentence_meters(m, short),
    "noise meter": lambda m, long, short: chapter_meter(m, NOISE),
}
# Dense noise never falls silent: scipy's recurrence then never slows down on
# denormal numbers, as it does in the pauses of speech, so numpy trails it here.
NOISE = np.random.default_rng(0).normal(0, 0.1, 240 * RATE)


def workloads() -> tuple[np.ndarray, list[np.ndarray]]:
    return speech_like(240, 1), [speech_like(8, 100 + i) for i in range(30)]


def cold(version: str, workload: str) -> None:
    """Run in a fresh process: print the seconds from importing the module to the end of the work."""
    long, short = workloads()
    start = time.perf_counter()
    m = scipy_module() if version == "scipy" else numpy_module()
    WORKLOADS[workload](m, long, short)
    print(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", nargs=2, metavar=("VERSION", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold:
        return cold(*args.cold)

    long, short = workloads()
    versions = {"scipy": scipy_module(), "numpy": numpy_module()}
    results = {}
    for name, work in WORKLOADS.items():
        def job(m, work=work):
            return work(m, long, short)

        values = {v: job(m) for v, m in versions.items()}  # also warms up imports and caches
        assert math.isclose(values["scipy"], values["numpy"], abs_tol=1e-6), (name, values)
        warm = {v: math.inf for v in versions}
        for _ in range(args.repeat):
            for v, m in versions.items():
                start = time.perf_counter()
                job(m)
                warm[v] = min(warm[v], time.perf_counter() - start)
        first = {v: math.inf for v in versions}
        for _ in range(max(1, args.repeat // 2)):
            for v in versions:
                out = subprocess.run([sys.executable, __file__, "--cold", v, name], capture_output=True,
                                     text=True, check=True).stdout
                first[v] = min(first[v], float(out))
        results[name] = (warm, first)

    print(f"loudness at {RATE} Hz: numpy version against scipy version {BASELINE} (best of {args.repeat})")
    print(f"{'workload':<16}{'':>6}{'scipy s':>10}{'numpy s':>10}{'numpy/scipy':>13}")
    for name, (warm, first) in results.items():
        for label, t in (("warm", warm), ("cold", first)):
            print(f"{name:<16}{label:>6}{t['scipy']:>10.3f}{t['numpy']:>10.3f}{t['numpy'] / t['scipy']:>13.2f}")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tts_pipeline.loudness"], cwd=ROOT, check=True)
    bare = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy, scipy.signal, scipy.ndimage, pyloudnorm"], check=True)
    print(f"a fresh interpreter importing tts_pipeline.loudness: {bare:.2f} s; "
          f"numpy + scipy.signal + scipy.ndimage + pyloudnorm: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
