"""How long text normalisation takes per 30-character sentence.

    .venv/bin/python benchmarks/normalize.py

Measured side by side in one run on the same sentences:

- normalize(): the project's normaliser (tts_pipeline.pronunciation.normalize);
- cn2an.transform(text, "an2cn"): the library's own sentence converter, as a
  yardstick (it reads fewer cases right: see tests/test_normalize.py).

Two sets of sentences: 30-character slices of the sample article (few
numbers, the common case) and number-dense sentences (dates, money, phone
numbers, units). Target: well under 1 ms per sentence on average.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts_pipeline.pronunciation.normalize import normalize  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "sample_article.txt"
DENSE = [
    "2024年7月4日下午3点30分，全市GDP增长5.2%，达到3.5万亿元。",
    "请拨打12345热线或023-63862288咨询，费用¥120，约合$17。",
    "气温-5℃到3℃，风速60km/h，能见度2km，湿度35.2%至40%。",
    "第85届比赛中，主队以2:1战胜客队，观众2000人，票价3—5元。",
    "“33618”体系覆盖10001家企业，2个园区，AI和CCTV参与报道。",
]


def article_slices(width: int = 30) -> list[str]:
    text = re.sub(r"[（(][^)）]*[)）]", "", SAMPLE.read_text(encoding="utf-8"))
    text = text.replace("\n", "")
    return [text[i:i + width] for i in range(0, len(text) - width, width)]


def per_sentence(function, sentences: list[str], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for sentence in sentences:
            function(sentence)
    return (time.perf_counter() - start) / (rounds * len(sentences))


def main() -> None:
    start = time.perf_counter()
    normalize(DENSE[0])
    first = time.perf_counter() - start
    print(f"first call (imports cn2an): {first * 1000:.1f} ms")
    import cn2an

    def transform(text: str) -> str:
        return cn2an.transform(text, "an2cn")

    for name, sentences, rounds in (("article slices", article_slices(), 50),
                                    ("number-dense", DENSE, 500)):
        ours = per_sentence(normalize, sentences, rounds)
        theirs = per_sentence(transform, sentences, rounds)
        print(f"{name:15s} ({len(sentences)} sentences): normalize {ours * 1e6:7.1f} µs, "
              f"cn2an.transform {theirs * 1e6:7.1f} µs, ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
