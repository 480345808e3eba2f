"""How fast a new process reads its first sentence, part by part, side by side with jieba's own loading.

    .venv/bin/python benchmarks/pronounce_load.py [--runs 5] [--sentences 500]

Each run is a fresh interpreter that imports the pronounce stage, opens the
packed tables (jieba's prefix dictionary, the phrase lexicon, the context
model, the characters' readings) and parses and pronounces one annotated
sentence; the medians over the runs are printed, as CPU and wall time. Side
by side, fresh interpreters load jieba the ordinary way (its marshal cache,
in a temporary folder) and the packed prefix table, and the steady-state cost
per sentence afterwards is measured on CPP dev sentences. The packed tables
come from the usual cache folder ($TTS_PIPELINE_CACHE, ...), prepared first.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "校长为(wèi)大家服务了三十年，银行行长说这个重(zhòng)要。"

FIRST_SENTENCE = r"""
import json, sys, time
marks = [("start", time.perf_counter(), time.process_time())]
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
import tts_pipeline.pronunciation as pronounce
from tts_pipeline.parse import parse_text
mark("import pronounce and parse")
from tts_pipeline.pronunciation import context_model, lexicon, readings, segment
segment.tokenizer(); mark("segmenter (jieba + prefix table)")
lexicon.lexicon(); mark("phrase lexicon")
context_model.context_model(); mark("context model")
readings.char_readings("行"); readings.marked("xing2"); mark("character readings, tone marks")
article = parse_text(sys.argv[1]); mark("parse the sentence")
pron = list(pronounce.pronounce_article(article)); mark("pronounce it")
steps = [(b[0], 1000 * (b[1] - a[1]), 1000 * (b[2] - a[2])) for a, b in zip(marks, marks[1:])]
print(json.dumps(steps))
"""

JIEBA_OWN = r"""
import sys, time
t = (time.perf_counter(), time.process_time())
import logging, jieba
jieba.setLogLevel(logging.WARNING)
tokenizer = jieba.Tokenizer()
tokenizer.tmp_dir = sys.argv[1]
tokenizer.initialize()
list(tokenizer.tokenize("银行行长说这个重要"))
print(1000 * (time.perf_counter() - t[0]), 1000 * (time.process_time() - t[1]))
"""

JIEBA_PACKED = r"""
import time
from tts_pipeline.pronunciation.segment import tokenizer  # the package itself is not jieba's cost
t = (time.perf_counter(), time.process_time())
list(tokenizer().tokenize("银行行长说这个重要"))
print(1000 * (time.perf_counter() - t[0]), 1000 * (time.process_time() - t[1]))
"""

STEADY = r"""
import sys, time
from pathlib import Path
from tts_pipeline.pronunciation import pronounce_line
lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()[: int(sys.argv[2])]
pronounce_line("银行行长")
t = time.process_time()
for i, line in enumerate(lines):
    pronounce_line(line.replace("\u2581", ""), "verify", index=i)
print(1000 * (time.process_time() - t) / len(lines))
"""


def python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False
    )
    if done.returncode != 0:
        sys.exit(done.stderr)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sentences", type=int, default=500)
    args = parser.parse_args()

    python(FIRST_SENTENCE, SENTENCE)  # builds the tables in the cache folder if they are missing
    runs = [json.loads(python(FIRST_SENTENCE, SENTENCE)) for _ in range(args.runs)]
    print(f"fresh process, first sentence {SENTENCE}: median of {args.runs} runs")
    print(f"  {'step':36s} {'wall ms':>8s} {'CPU ms':>8s}")
    for index, (name, _, _) in enumerate(runs[0]):
        wall = statistics.median(run[index][1] for run in runs)
        cpu = statistics.median(run[index][2] for run in runs)
        print(f"  {name:36s} {wall:8.0f} {cpu:8.0f}")
    print(f"  {'total':36s} {statistics.median(sum(s[1] for s in r) for r in runs):8.0f}"
          f" {statistics.median(sum(s[2] for s in r) for r in runs):8.0f}")

    with tempfile.TemporaryDirectory() as folder:
        python(JIEBA_OWN, folder)  # writes jieba's own cache
        own = [tuple(map(float, python(JIEBA_OWN, folder).split())) for _ in range(args.runs)]
    packed = [tuple(map(float, python(JIEBA_PACKED).split())) for _ in range(args.runs)]
    own_cpu = statistics.median(c for _, c in own)
    packed_cpu = statistics.median(c for _, c in packed)
    print("import jieba, load its dictionary and segment one sentence, fresh process, median CPU ms:")
    print(f"  jieba's own cache {own_cpu:.0f}, packed prefix table {packed_cpu:.0f}: {own_cpu / packed_cpu:.1f}x faster")

    dev = ROOT / "benchmarks" / "data" / "cpp-dev" / "dev.sent"
    per_sentence = float(python(STEADY, str(dev), str(args.sentences)))
    first_cpu = statistics.median(sum(s[2] for s in r) for r in runs)
    print(f"steady state: {per_sentence:.2f} ms CPU per CPP dev sentence ({args.sentences} sentences);"
          f" a fresh process's first sentence costs {first_cpu / per_sentence:.0f} of them")


if __name__ == "__main__":
    main()
