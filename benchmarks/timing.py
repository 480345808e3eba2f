"""How well token times match the audio: the neural voice's durations against onsets found in the sound.

    .venv/bin/python benchmarks/timing.py                 # the sample article
    .venv/bin/python benchmarks/timing.py --sentences 20  # its first 20 sentences

The independent measurement is an onset detector that knows nothing of the
model: spectral flux (the summed rise of log magnitude across 10 ms STFT
frames, 25 ms windows) smoothed, with peaks picked where the flux is a local
maximum over +-40 ms and above its running median. Every Mandarin syllable
starts with a consonant release or a voicing onset, so each token's start
should sit near one of those peaks.

Measured side by side in one run, over every spoken token of every sentence:

- neural: the start of each token from the predicted durations (what the
  manifest carries);
- estimate: the start that the estimate for engines without timing (gtts,
  espeak) gives on the same audio;
- uniform: each token given an equal share of the clip (the old sentence-level
  guess), as the floor to beat.

Printed for each: median and 90th percentile of |start - nearest onset| in ms,
and the share within 60 ms.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from engine import SAMPLE, pronunciations  # noqa: E402

from tts_pipeline.engines import VoiceSettings, create  # noqa: E402
from tts_pipeline.engines.speaking import estimated_timing, speak_with  # noqa: E402

HOP_S = 0.010
WINDOW_S = 0.025


def onsets(samples: np.ndarray, rate: int) -> np.ndarray:
    """Onset times in seconds from spectral flux peaks."""
    hop, window = int(HOP_S * rate), int(WINDOW_S * rate)
    count = max(0, (len(samples) - window) // hop)
    if count < 3:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(samples, window)[::hop][:count] * np.hanning(window)
    spectrum = np.log1p(100 * np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(0.0, np.diff(spectrum, axis=0)).sum(axis=1)
    flux = np.convolve(flux, np.ones(3) / 3, mode="same")
    reach = 4
    padded = np.pad(flux, reach, mode="edge")
    local_max = flux >= np.max(np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1), axis=1)
    median = np.array([np.median(padded[i:i + 4 * reach + 1]) for i in range(len(flux))]) if len(flux) > 4 * reach else flux
    floor = median + 0.1 * flux.max()
    peaks = np.flatnonzero(local_max & (flux > floor))
    # a flux frame i compares frames i and i+1, centred at (i + 1) * hop + window / 2
    return ((peaks + 1) * hop + window / 2) / rate


def errors(starts: list[float], found: np.ndarray) -> list[float]:
    if not len(found):
        return []
    return [float(np.min(np.abs(found - s))) for s in starts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=None)
    args = parser.parse_args()
    prons, _ = pronunciations(SAMPLE)
    prons = [p for p in prons if p.speaks][: args.sentences]
    engine = create("neural", VoiceSettings(threads=1))
    measured: dict[str, list[float]] = {"neural": [], "estimate": [], "uniform": []}
    for pron in prons:
        clip = speak_with(engine, pron)
        samples, rate = clip.samples, clip.sample_rate
        found = onsets(samples, rate)
        neural = [s for _, s, _ in clip.timing.spans()]
        guessed = [s for _, s, _ in estimated_timing(pron, samples, rate).spans()]
        n = len(neural)
        uniform = [clip.duration * k / n for k in range(n)]
        for name, starts in (("neural", neural), ("estimate", guessed), ("uniform", uniform)):
            measured[name] += errors(starts, found)
    print(f"{len(prons)} sentences, {len(measured['neural'])} tokens of {SAMPLE.name}; "
          "|token start - nearest spectral-flux onset|:")
    print(f"  {'timing':10} {'median ms':>10} {'p90 ms':>8} {'<= 60 ms':>9}")
    for name, values in measured.items():
        data = np.array(values) * 1000
        print(f"  {name:10} {np.median(data):10.0f} {np.percentile(data, 90):8.0f} {np.mean(data <= 60):9.0%}")


if __name__ == "__main__":
    main()
