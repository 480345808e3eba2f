"""Where each silence-trimming rule cuts, on real clips of every offline engine, side by side.

    .venv/bin/python benchmarks/silence_rules.py [--sentences 25] [--png DIR]

Until issue 19 two rules trimmed silence: the neural voice cut each model piece at its first and
last 10 ms frame with RMS >= 0.003 ("neural rms"), and the stitcher cut every clip at its first
and last sample above -50 dBFS after tick removal ("sample peak"). Now one rule does both
(`tts_pipeline.silence.speech_bounds`: 10 ms frames, RMS >= -50 dBFS). For the first N speaking
sentences of tests/data/sample_article.txt this prints, per engine (the neural voice's pieces as
the model gives them, before any trim; espeak-ng's clips; the test suite's two tone engines):

- how far each old rule's cut lies from the one rule's, at the start and at the end (ms; with
  50 ms kept, a difference under 50 ms changes nothing audible);
- how fast sound rises out of silence: from the first sample above -80 dBFS to the first above
  -50 dBFS, and the same at the end (a breath or a soft lead-in would show as tens of ms);
- the same neural pieces under a room tone of white noise at -70 to -55 dBFS RMS: how far each
  rule's cut then moves from where it cuts the clean piece.

With --png DIR it draws three consecutive neural sentences joined with the pause plan (levelled
waveform in dB and a spectrogram, joins marked) for a person to look at.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tts_pipeline import engines  # noqa: E402
from tts_pipeline.engines.base import VoiceSettings  # noqa: E402
from tts_pipeline.parse import read_article  # noqa: E402
from tts_pipeline.pronunciation import pronounce_article  # noqa: E402
from tts_pipeline.silence import SILENCE, speech_bounds  # noqa: E402
from tts_pipeline.stitch import PausePlan, clip_samples, level, prepared_sentence, silence  # noqa: E402
from tts_pipeline.ticks import remove_ticks  # noqa: E402

KEEP = 0.05


def old_sample_peak(x: np.ndarray, rate: int) -> tuple[int, int]:
    """The stitcher's rule before issue 19."""
    loud = np.flatnonzero(np.abs(remove_ticks(x, rate)) > SILENCE)
    if not len(loud):
        return 0, 0
    margin = int(KEEP * rate)
    return max(0, int(loud[0]) - margin), min(len(x), int(loud[-1]) + 1 + margin)


def old_neural_rms(x: np.ndarray, rate: int) -> tuple[int, int]:
    """The neural voice's rule before issue 19 (its last partial frame not looked at)."""
    frame = rate // 100
    count = len(x) // frame
    rms = np.sqrt(np.mean(x[: count * frame].reshape(count, frame) ** 2, axis=1)) if count else np.zeros(0)
    loud = np.flatnonzero(rms >= 0.003)
    if not len(loud):
        return 0, len(x)
    margin = int(KEEP * rate)
    return max(0, int(loud[0]) * frame - margin), min(len(x), (int(loud[-1]) + 1) * frame + margin)


def one_rule(x: np.ndarray, rate: int) -> tuple[int, int]:
    return speech_bounds(x, rate, KEEP)


def clips(count: int) -> dict[str, list[tuple[np.ndarray, int]]]:
    import buildkit
    import tone_engine

    prons = [p for p in pronounce_article(read_article(ROOT / "tests/data/sample_article.txt")) if p.speaks][:count]
    found: dict[str, list[tuple[np.ndarray, int]]] = {"neural pieces": [], "espeak": [], "test-tone": [],
                                                       "tone-test": []}
    neural = engines.create("neural", VoiceSettings(threads=2))
    for pron in prons:
        for piece in neural.script(pron).pieces:
            mel, _ = neural.model.mel(neural.ids(piece), neural.prosody)
            found["neural pieces"].append((neural.model.waveform(mel).astype(np.float64), neural.sample_rate))
    others = {"espeak": engines.create("espeak"), "test-tone": tone_engine.ToneEngine(),
              "tone-test": buildkit.ToneEngine()}
    for name, engine in others.items():
        for pron in prons:
            clip = engine.synthesize(pron)
            found[name].append((clip_samples(clip, clip.sample_rate).astype(np.float64), clip.sample_rate))
    return found


def ms(samples: float, rate: int) -> float:
    return 1000.0 * samples / rate


def compare(found: dict[str, list[tuple[np.ndarray, int]]]) -> None:
    print("cut of each old rule minus the one rule's, ms (start: + cuts later; end: + keeps more)")
    print(f"{'engine':14} {'edges':>5}  {'rule':12} {'start median':>12} {'range':>14} {'end median':>10} "
          f"{'range':>14}  {'cuts differing':>14}")
    for name, items in found.items():
        for label, rule in (("sample peak", old_sample_peak), ("neural rms", old_neural_rms)):
            starts, ends = [], []
            for x, rate in items:
                a0, b0 = one_rule(x, rate)
                a, b = rule(x, rate)
                starts.append(ms(a - a0, rate))
                ends.append(ms(b - b0, rate))
            differ = sum(1 for s, e in zip(starts, ends) if abs(s) >= 1 or abs(e) >= 1)
            print(f"{name:14} {len(items):5d}  {label:12} {np.median(starts):12.1f} "
                  f"{min(starts):6.1f} {max(starts):6.1f} {np.median(ends):10.1f} {min(ends):6.1f} "
                  f"{max(ends):6.1f}  {differ:7d} of {len(items)}")
    print("\nrise out of silence: ms from the first sample above -80 dBFS to the first above -50 (and at the end)")
    for name, items in found.items():
        rise, fall = [], []
        for x, rate in items:
            faint = np.flatnonzero(np.abs(x) > 1e-4)
            loud = np.flatnonzero(np.abs(x) > SILENCE)
            if len(loud):
                rise.append(ms(loud[0] - faint[0], rate))
                fall.append(ms(faint[-1] - loud[-1], rate))
        print(f"{name:14} start median {np.median(rise):5.1f} max {max(rise):5.1f}   "
              f"end median {np.median(fall):5.1f} max {max(fall):5.1f}")


def room_tone(found: dict[str, list[tuple[np.ndarray, int]]]) -> None:
    print("\nneural pieces under a room tone (white noise): cut minus the same rule's cut of the clean piece, ms")
    rng = np.random.default_rng(19)
    print(f"{'noise dBFS RMS':>14}  {'rule':12} {'start median':>12} {'worst':>7} {'end median':>10} {'worst':>7}")
    for noise_db in (-70, -65, -60, -55):
        noisy = [(x + rng.normal(0, 10 ** (noise_db / 20), len(x)), rate) for x, rate in found["neural pieces"]]
        for label, rule in (("sample peak", old_sample_peak), ("one rule", one_rule)):
            starts, ends = [], []
            for (x, rate), (y, _) in zip(found["neural pieces"], noisy):
                a0, b0 = rule(x, rate)
                a, b = rule(y, rate)
                starts.append(ms(a - a0, rate))
                ends.append(ms(b - b0, rate))
            worst_start = min(starts, key=lambda v: -abs(v))
            worst_end = min(ends, key=lambda v: -abs(v))
            print(f"{noise_db:14d}  {label:12} {np.median(starts):12.1f} {worst_start:7.1f} "
                  f"{np.median(ends):10.1f} {worst_end:7.1f}")


def joins_png(path: Path) -> None:
    """Three neural sentences joined as the stitcher joins them: waveform in dB over a spectrogram."""
    from PIL import Image, ImageDraw

    prons = [p for p in pronounce_article(read_article(ROOT / "tests/data/sample_article.txt")) if p.speaks][1:4]
    engine = engines.create("neural", VoiceSettings(threads=2))
    rate, plan = engine.sample_rate, PausePlan()
    parts, joins = [], []
    for pron in prons:
        audio, _ = prepared_sentence(engine.synthesize(pron), rate, plan)
        if parts:
            parts.append(silence(plan.sentence, rate))
            joins.append(sum(map(len, parts)))
        parts.append(level(audio, rate).pcm / 32768.0)
    x = np.concatenate(parts)
    width, hop = 1600, max(1, len(x) // 1600)
    columns = x[: width * hop].reshape(width, hop)
    top = 20 * np.log10(np.maximum(np.abs(columns).max(axis=1), 1e-6))
    wave_h, spec_h = 200, 256
    picture = Image.new("RGB", (width, wave_h + spec_h), "white")
    draw = ImageDraw.Draw(picture)
    for i, level_db in enumerate(top):  # -80 dBFS at the bottom, 0 at the top
        draw.line([(i, wave_h - 1), (i, wave_h - 1 - int((max(level_db, -80) + 80) / 80 * (wave_h - 1)))],
                  fill=(40, 90, 160))
    y50 = wave_h - 1 - int(30 / 80 * (wave_h - 1))
    draw.line([(0, y50), (width, y50)], fill=(200, 160, 0))  # -50 dBFS
    size = 512
    frames = np.array([x[i * hop : i * hop + size] * np.hanning(size) if i * hop + size <= len(x) else np.zeros(size)
                       for i in range(width)])
    power = 20 * np.log10(np.maximum(np.abs(np.fft.rfft(frames, axis=1))[:, :spec_h] / (size / 4), 1e-9))
    image = (255 * np.clip((power + 110) / 90, 0, 1)).T[::-1].astype(np.uint8)
    picture.paste(Image.fromarray(image).convert("RGB"), (0, wave_h))
    for at in joins:  # the pause starts where a sentence's kept edge ends; its end where the next begins
        for edge in (at - len(silence(plan.sentence, rate)), at):
            draw.line([(edge // hop, 0), (edge // hop, wave_h + spec_h)], fill=(220, 40, 40))
    draw.text((4, 4), "3 neural sentences joined: peak dBFS (-80..0, yellow -50) over 0-12 kHz spectrogram; "
                      "red: the planned pause", fill=(0, 0, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)
    print(f"\nwrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=25)
    parser.add_argument("--png", type=Path, help="folder for the picture of three joins")
    args = parser.parse_args()
    found = clips(args.sentences)
    compare(found)
    room_tone(found)
    if args.png:
        joins_png(args.png / "joins.png")


if __name__ == "__main__":
    main()
