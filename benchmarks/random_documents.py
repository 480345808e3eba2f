"""Build random documents, the way an outside review tried the tool: does any of them break a build?

    .venv/bin/python benchmarks/random_documents.py [--count 20] [--seed 1] [--engine espeak] [--format mp3]

Each document mixes what real text brings: sentences from the sample article
and the everyday set, annotations right and wrong (重(chóng)庆, 袁家军(jun1),
broken ones), punctuation-only lines and scene breaks, digits, dates, Latin
words, symbols and emoji, Markdown headings, blank lines, very long and very
short lines. Each is built into its own folder with the chosen engine; the
script prints one line per document (exit code, sentences, seconds, and the
first line of any error) and exits non-zero when a build ended with an
internal error (exit code 1) or a traceback. Exit 2 (nothing to speak) and
warnings are outcomes a user can meet, and are counted, not failed.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample_article.txt"
EVERYDAY = ROOT / "benchmarks" / "data" / "everyday"

NOISE = ["。。。", "……", "* * *", "——", "、、", "！？", "“”", "（）", "●", "◆◆◆", "~~~", "   ", "\t", "#", "---"]
BITS = ["2024年3月5日", "3.5%", "¥12.5万", "10:30", "1/3", "GDP", "AI", "iPhone 15", "COVID-19", "5G", "No.1",
        "😀", "→", "©", "第3章", "100km/h", "-5℃", "1,234,567", "3×4=12", "A+B", "http://example.com", "e.g.",
        "〇", "Ⅲ", "½", "①", "www", "OK", "Hello world", "$3", "€8", "15-20", "ABC-123"]
ANNOTATIONS = ["重(chóng)庆", "袁家军(jun1)", "行(háng)业", "长(zhǎng)大", "还(huán)书", "银行(xíng)", "重(zzz)",
               "为(wéi)人民服务", "乐(yuè)曲", "(chóng)", "字()", "字(", "好(hǎo", "觉(jiao4)得"]


def _sentences() -> list[str]:
    found = [line.strip() for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted(EVERYDAY.glob("dev-*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0]
            cleaned = "".join(part.split("]", 1)[-1] for part in line.split("["))
            if cleaned.strip():
                found.append(cleaned.strip())
    return found


def document(rng: random.Random, sentences: list[str]) -> str:
    lines = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        if kind < 0.45:
            lines.append(rng.choice(sentences))
        elif kind < 0.6:
            lines.append(rng.choice(NOISE))
        elif kind < 0.75:
            base = rng.choice(sentences)
            cut = rng.randint(0, len(base))
            lines.append(base[:cut] + rng.choice(BITS) + base[cut:])
        elif kind < 0.85:
            lines.append("他说" + rng.choice(ANNOTATIONS) + "的事。")
        elif kind < 0.9:
            lines.append("# " + rng.choice(sentences)[:12])
        elif kind < 0.95:
            lines.append("")
        else:
            lines.append("".join(rng.choice(sentences) for _ in range(rng.randint(3, 8))))
    return "\n".join(lines) + rng.choice(["\n", "", "\n\n"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engine", default="espeak")
    parser.add_argument("--format", default="mp3")
    parser.add_argument("--keep", type=Path, help="write the documents and builds here instead of a temporary folder")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sentences = _sentences()
    failures = 0
    outcomes: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1, args.count + 1):
            source = folder / f"doc{n:02d}.{rng.choice(['txt', 'md'])}"
            source.write_text(document(rng, sentences), encoding="utf-8")
            out = folder / f"out{n:02d}"
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "tts_pipeline", "build", str(source), "-o", str(out), "--engine", args.engine,
                 "--format", args.format, "--quiet"],
                capture_output=True, text=True,
            )
            seconds = time.perf_counter() - began
            outcomes[done.returncode] = outcomes.get(done.returncode, 0) + 1
            manifest = out / "manifest.json"
            spoken = len(json.loads(manifest.read_text(encoding="utf-8"))["sentences"]) if manifest.exists() else 0
            broken = done.returncode == 1 or "Traceback" in done.stderr
            failures += broken
            first = (done.stderr.strip().splitlines() or [""])[0][:110]
            print(f"{source.name:10} exit {done.returncode}  {spoken:3d} sentences  {seconds:5.1f} s  {'BROKEN ' if broken else ''}{first}")
    print(f"{args.count} documents: " + ", ".join(f"exit {code}: {count}" for code, count in sorted(outcomes.items()))
          + f"; {failures} broken")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
