"""The sample article built under every publishing profile, each file measured by the project's own check.

    .venv/bin/python benchmarks/profiles.py [ARTICLE]

Builds ARTICLE (default tests/data/sample_article.txt) once per profile into a
temporary folder (clips come from the clip cache after the first), then prints
what `tts_pipeline.export.check` measured of the files the profile is about:
EBU R128 integrated loudness, RMS, sample and true peak, noise floor, room
tone at the head and tail, sample rate and bitrate, and any value outside the
profile. Not a timed test: the numbers are the point.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tts_pipeline  # noqa: E402
from tts_pipeline.cache import ClipCache  # noqa: E402
from tts_pipeline.profiles import PROFILES  # noqa: E402


def main() -> None:
    article = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "tests/data/sample_article.txt")
    columns = ("loudness", "rms", "peak", "true_peak", "noise_floor", "head", "tail", "sample_rate", "bitrate")
    print(f"{'profile':10} {'file':42} " + " ".join(f"{c:>11}" for c in columns))
    with tempfile.TemporaryDirectory() as scratch:
        for name in PROFILES:
            manifest = tts_pipeline.build(article, output=Path(scratch) / name, profile=name, cache=ClipCache(),
                                          player=False)
            for m in manifest.publishing["measured"]:
                values = " ".join(f"{'-inf' if m[c] is None else m[c]:>11}" for c in columns)
                print(f"{name:10} {m['file'][:42]:42} {values}")
            for warning in manifest.warnings:
                if warning.code == "profile":
                    print(f"{'':10} outside: {warning.message}")


if __name__ == "__main__":
    main()
