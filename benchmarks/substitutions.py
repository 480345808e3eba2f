"""How many resolved polyphones a text-reading engine (edge, gtts) sends as homophones, on one article.

    .venv/bin/python benchmarks/substitutions.py [ARTICLE] [--hints verify|force|off] [--list]

Nothing is sent: the article is parsed and pronounced as a build would, and
each sentence is planned with the edge engine's `plan` (gtts plans with the
same `homophones.substitute`, so its counts are the same).  A polyphone is a
Han character for which pypinyin knows more than one reading.  For each
polyphone the table says whether it goes out as written (a plain reader
already says the resolved reading), as a substitute, or as written although
the reading differs (no common character reads only that syllable: a
`*-no-homophone` warning), broken down by where the reading came from.
ARTICLE defaults to tests/data/sample_article.txt.
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "tests" / "data" / "sample_article.txt"))
    parser.add_argument("--hints", choices=("verify", "force", "off"), default="verify")
    parser.add_argument("--list", action="store_true", help="print every substitute with its sentence")
    args = parser.parse_args()

    from tts_pipeline.engines.edge import EdgeEngine
    from tts_pipeline.engines.homophones import reading_count
    from tts_pipeline.hanzi import is_han
    from tts_pipeline.parse import read_article
    from tts_pipeline.pronunciation import pronounce_sentence

    engine = EdgeEngine()
    outcome: Counter[tuple[str, str]] = Counter()
    han = sentences = 0
    for sentence in read_article(args.article).sentences():
        pron = pronounce_sentence(sentence, args.hints)
        if not pron.speaks:
            continue
        sentences += 1
        request = engine.plan(pron)
        swapped = {offset: sent for offset, _, sent in request.swaps}
        unfixable = {n.text for n in request.notices}
        offset = 0
        for token in pron.tokens:
            for i, character in enumerate(token.spoken):
                if is_han(character):
                    han += 1
                    if reading_count(character) > 1 and token.pinyin:
                        if offset + i in swapped:
                            result = "substitute"
                            if args.list:
                                print(f"{sentence.id}: {character}({token.pinyin}) -> {swapped[offset + i]}  {request.text}")
                        elif character in unfixable:
                            result = "as written, misread"
                        else:
                            result = "as written"
                        outcome[(token.source, result)] += 1
            offset += len(token.spoken)

    results = ("as written", "substitute", "as written, misread")
    sources = sorted({source for source, _ in outcome})
    print(f"{args.article}: {sentences} sentences, {han} Han characters, hints {args.hints}")
    print(f"{'reading from':<14}" + "".join(f"{r:>21}" for r in results) + f"{'polyphones':>12}")
    for source in sources:
        row = [outcome[(source, r)] for r in results]
        print(f"{source:<14}" + "".join(f"{n:>21}" for n in row) + f"{sum(row):>12}")
    totals = [sum(outcome[(s, r)] for s in sources) for r in results]
    print(f"{'all':<14}" + "".join(f"{n:>21}" for n in totals) + f"{sum(totals):>12}")
    polyphones = sum(totals)
    if polyphones:
        print(f"{totals[1]} of {polyphones} resolved polyphones ({totals[1] / polyphones:.1%}) go out as substitutes; "
              f"{totals[2]} go out as written although the voice will likely misread them")


if __name__ == "__main__":
    main()
