"""How many numbers and symbols are read right, by kind, on cases written for it.

    .venv/bin/python benchmarks/normalize_cases.py [--part dev|test|all] [--misses]

benchmarks/data/normalize/ holds lines of Chinese text with numbers, symbols,
currencies and codes in them, each with the line as a newsreader says it, in
hanzi (so without tones). dev.tsv is the part to develop the rules on;
test.tsv is held out: written before the rules were run on it and never tuned
on, so its score says how the rules do on text nobody fitted them to. A line
counts as right when the whole spoken line matches, spaces aside, with 幺 and
一, 两 and 二, 公斤 and 千克, 公里 and 千米 taken as the same (both are heard).

Printed side by side per kind: the project's normaliser (normalize.spoken_line)
and cn2an.transform(text, "an2cn"), the library's own sentence converter, as a
yardstick.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts_pipeline.pronunciation.normalize import spoken_line  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "normalize"
_SAME = str.maketrans({"幺": "一", "两": "二", " ": None, "\u3000": None})
_SAME_WORDS = (("千克", "公斤"), ("千米", "公里"))


def load(part: str) -> list[tuple[str, str, str]]:
    """(kind, text, expected) of every case in `part` ("dev", "test" or "all")."""
    names = ["dev", "test"] if part == "all" else [part]
    cases = []
    for name in names:
        for line in (DATA / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                kind, text, expected = line.split("\t")
                cases.append((kind, text, expected))
    return cases


def same(said: str, expected: str) -> bool:
    said, expected = said.translate(_SAME), expected.translate(_SAME)
    for formal, everyday in _SAME_WORDS:
        said, expected = said.replace(formal, everyday), expected.replace(formal, everyday)
    return said == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--misses", action="store_true", help="list the lines read wrong (dev only)")
    args = parser.parse_args()
    import cn2an

    readers = {"normalize": spoken_line, "cn2an": lambda text: cn2an.transform(text, "an2cn")}
    parts = ["dev", "test"] if args.part == "all" else [args.part]
    for part in parts:
        cases = load(part)
        right: dict[str, dict[str, int]] = {name: defaultdict(int) for name in readers}
        total: dict[str, int] = defaultdict(int)
        for kind, text, expected in cases:
            total[kind] += 1
            for name, read in readers.items():
                said = read(text)
                if same(said, expected):
                    right[name][kind] += 1
                elif args.misses and part == "dev" and name == "normalize":
                    print(f"  miss [{kind}] {text} -> {said} (expected {expected})")
        print(f"{part}: {len(cases)} lines")
        print(f"  {'kind':12s} {'lines':>5s} " + " ".join(f"{name:>10s}" for name in readers))
        for kind in sorted(total) + ["all"]:
            count = len(cases) if kind == "all" else total[kind]
            cells = []
            for name in readers:
                hits = sum(right[name].values()) if kind == "all" else right[name][kind]
                cells.append(f"{100 * hits / count:9.1f}%")
            print(f"  {kind:12s} {count:5d} " + " ".join(cells))


if __name__ == "__main__":
    main()
