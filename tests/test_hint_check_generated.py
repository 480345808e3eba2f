"""The hint check over generated annotations: listed words of fixed reading, in carrier sentences,
annotated with every reading of their polyphone (benchmarks/hintcases.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import hintcases  # noqa: E402


def test_wrong_annotations_are_caught_and_right_ones_pass_silently() -> None:
    # 120 words spread over the lexicon, in every carrier: about 1,500 annotations.
    cases = hintcases.cases(120)
    assert len({case.word for case in cases}) == 120
    flagged = {case: hintcases.check(case) for case in cases}
    false_alarms = [case.text for case, f in flagged.items() if f and not case.wrong]
    wrong = [f for case, f in flagged.items() if case.wrong]
    assert false_alarms == []
    assert sum(wrong) / len(wrong) >= 0.99
