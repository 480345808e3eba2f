"""The silence heard at every join between sentences, and the length of the chapters, in built output folders.

    .venv/bin/python benchmarks/joins.py OUTPUT [OUTPUT ...]

For each output folder (a `build --format wav`, or any format soundfile decodes), each chapter file
is decoded and cut at its sentences' times from manifest.json; at every join of two sentences that
speak, the silence heard is from the last sample of the one above -60 dBFS to the first of the next
(a level well under the trimming rule's -50 dBFS, so the measure does not depend on that rule).
Joins are split by the pause the plan puts there (sentence or paragraph). Several folders (the same
article built before and after a change) are printed side by side, with their differences.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import soundfile

HEARD = 10 ** (-60 / 20)


def joins(folder: Path) -> tuple[dict[str, list[float]], float]:
    """Silence in seconds at each join, by kind, and the chapters' total seconds."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    found: dict[str, list[float]] = {"sentence": [], "paragraph": []}
    total = 0.0
    for chapter in manifest["chapters"]:
        samples, rate = soundfile.read(str(folder / chapter["file"]), dtype="float64", always_2d=True)
        samples = samples.mean(axis=1)
        total += len(samples) / rate
        spoken = [s for s in manifest["sentences"] if s["chapter"] == chapter["index"] and s["file"]]
        edges = []
        for sentence in spoken:
            a, b = round(sentence["start"] * rate), round(sentence["end"] * rate)
            loud = np.flatnonzero(np.abs(samples[a:b]) > HEARD)
            edges.append((sentence["paragraph"], a + loud[0], a + loud[-1]) if len(loud) else None)
        for before, after in zip(edges, edges[1:]):
            if before and after:
                kind = "sentence" if before[0] == after[0] else "paragraph"
                found[kind].append((after[1] - before[2] - 1) / rate)
    return found, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outputs", nargs="+", type=Path)
    args = parser.parse_args()
    measured = [(folder, *joins(folder)) for folder in args.outputs]
    print(f"{'output':40} {'joins':>5} {'kind':9} {'median s':>9} {'min':>7} {'max':>7}  {'chapters s':>10}")
    for folder, found, total in measured:
        for kind, values in found.items():
            if values:
                print(f"{str(folder)[-40:]:40} {len(values):5d} {kind:9} {np.median(values):9.3f} "
                      f"{min(values):7.3f} {max(values):7.3f}  {total:10.3f}")
    first_folder, first, first_total = measured[0]
    for folder, found, total in measured[1:]:
        for kind in first:
            if first[kind] and len(found[kind]) == len(first[kind]):
                change = np.array(found[kind]) - np.array(first[kind])
                print(f"{folder.name} - {first_folder.name}, {kind} joins: median {np.median(change) * 1000:+.1f} ms, "
                      f"range {change.min() * 1000:+.1f} to {change.max() * 1000:+.1f} ms, "
                      f"{int(np.sum(np.abs(change) > 0.0005))} of {len(change)} changed")
        print(f"{folder.name} - {first_folder.name}: chapters {(total - first_total) * 1000:+.1f} ms in all")


if __name__ == "__main__":
    main()
