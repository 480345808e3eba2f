"""Polyphone accuracy on CPP dev and on the everyday set, every reader side by side.

    .venv/bin/python benchmarks/polyphones.py [--parts cpp,dev,test,hints] [--misses] [--char 为]

- pypinyin: pypinyin.pinyin() alone (its phrase dictionary, else the first reading);
- g2pM package: G2pM()(sentence) as the package ships it (argmax over all syllables);
- context model: the same g2pM weights run by tts_pipeline, choosing among the
  character's own readings;
- resolver: tts_pipeline.pronunciation.polyphones.resolve (rules, fixed words,
  neutral-tone words, usual readings of lone characters, then the model);
- model + votes: the resolver as it was before those layers (score_in_context);
- tts_pipeline: what a build reads (pronounce_text: traditional script
  converted, hints off).

CPP (benchmarks/data/cpp-dev, see its README) has one judged polyphone per
Wikipedia sentence and 16-21 sentences per character; the mean of
per-character accuracies and the speed are printed too, a column that counts
a neutral tone as right where CPP labels the full tone (衣服 yīfu, 认识 rènshi:
现代汉语词典's neutral tones, which the everyday set asks for), and a column
"corrected" that also scores the 30 labels listed in
data/cpp-dev/corrections.tsv by 现代汉语词典 or a name's official
romanisation (黄陂 Huángpí, 挣脱 zhèngtuō, 蔓延 mànyán …), for every reader
alike. The everyday
set (benchmarks/everyday.py) has sentences learners and newspaper readers
meet: dev-* to develop on, test* held out. --misses lists the last reader's
errors, never on the held-out part. The part "hints" measures the hint check
on generated annotations (benchmarks/hintcases.py): the share of wrong ones it
catches and of right ones it flags by mistake.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DATA = ROOT / "benchmarks" / "data" / "cpp-dev"
MARK = "\u2581"


def load(limit: int | None) -> list[tuple[str, int, str]]:
    sentences = (DATA / "dev.sent").read_text(encoding="utf-8").splitlines()
    labels = (DATA / "dev.lb").read_text(encoding="utf-8").split()
    cases = []
    for line, label in zip(sentences, labels):
        position = line.index(MARK)
        cases.append((line.replace(MARK, ""), position, label.replace("u:", "v")))
    return cases[:limit] if limit else cases


def pypinyin_reader():
    import pypinyin

    def read(text: str, position: int) -> str:
        syllables = pypinyin.pinyin(
            text, style=pypinyin.Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: list(chars)
        )
        return syllables[position][0]

    return read


def g2pm_package_reader():
    from g2pM import G2pM

    model = G2pM()

    def read(text: str, position: int) -> str:
        return model(text, char_split=True)[position].replace("u:", "v")

    return read


def context_model_reader():
    from tts_pipeline.pronunciation.context_model import context_model

    model = context_model()

    def read(text: str, position: int) -> str:
        guess = model.guess(text, [position]).get(position)
        return guess.reading if guess else ""

    return read


def resolver_reader():
    from tts_pipeline.pronunciation.polyphones import resolve

    resolve("银行行长")  # loads jieba, the lexicon and the model

    def read(text: str, position: int) -> str:
        found = resolve(text).get(position)
        return found.pinyin if found else ""

    return read


READERS = {
    "pypinyin": pypinyin_reader,
    "g2pM package": g2pm_package_reader,
    "context model": context_model_reader,
    "resolver": resolver_reader,
}


def scored_reader():
    """The resolver as it was before the everyday work: model + dictionary votes (+ the 为 rule)."""
    from tts_pipeline.pronunciation.polyphones import score_in_context

    score_in_context("银行行长")

    def read(text: str, position: int) -> str:
        found = score_in_context(text).get(position)
        return found.pinyin if found else ""

    return read


def pipeline_reader():
    """What a build reads: tts_pipeline.pronounce_text (traditional script converted, hints off)."""
    from tts_pipeline.pronunciation import pronounce_text

    pronounce_text("银行行长")
    last: list = [None, {}]

    def read(text: str, position: int) -> str:
        if last[0] != text:
            last[0] = text
            last[1] = {t.start: t.pinyin for t in pronounce_text(text, hints="off")}
        return last[1].get(position) or ""

    return read


READERS["model + votes"] = scored_reader
READERS["tts_pipeline"] = pipeline_reader


def _everyday_cases(part: str) -> list[tuple[str, int, tuple[str, ...]]]:
    from everyday import load

    return [(case.text, position, accepted) for case in load(part) for position, accepted in case.labels]


def _cpp_cases(limit: int | None) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(text, position, (label,)) for text, position, label in load(limit)]


def corrections() -> dict[int, tuple[str, ...]]:
    """CPP dev labels that contradict 现代汉语词典 or a name's official romanisation (corrections.tsv),
    by index into the cases: the readings accepted instead."""
    found = {}
    for line in (DATA / "corrections.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            number, _char, _label, accepted, _reason = line.split("\t")
            found[int(number) - 1] = tuple(accepted.split("|"))
    return found


def measure(readers, cases, by_char=None, corrected=None):
    """Right answers and seconds per reader; the misses of the last reader; per reader the
    answers that differ from the first accepted reading only in being in the neutral tone; and, with
    `corrected` (index -> accepted readings), per reader the answers right by the corrected labels,
    neutral tones accepted."""
    from tts_pipeline.pronunciation.readings import same_but_neutral

    right = dict.fromkeys(readers, 0)
    spent = dict.fromkeys(readers, 0.0)
    neutral = dict.fromkeys(readers, 0)
    fixed = dict.fromkeys(readers, 0)
    corrected = corrected or {}
    misses = []
    # Readers take turns on chunks of sentences, so a busy machine slows them alike.
    for chunk in range(0, len(cases), 200):
        part = cases[chunk : chunk + 200]
        for name, read in readers.items():
            began = time.perf_counter()
            answers = [read(text, position) for text, position, _ in part]
            spent[name] += time.perf_counter() - began
            for index, answer, (text, position, accepted) in zip(range(chunk, chunk + len(part)), answers, part):
                ok = answer in accepted
                right[name] += ok
                neutral[name] += not ok and same_but_neutral(answer, accepted[0])
                truth = corrected.get(index, accepted)
                fixed[name] += answer in truth or same_but_neutral(answer, truth[0])
                if by_char is not None:
                    tally = by_char[name][text[position]]
                    tally[0] += ok
                    tally[1] += 1
                if not ok and name == list(readers)[-1]:
                    misses.append((text, position, accepted, answer))
    return right, spent, misses, neutral, fixed


def _by_source(cases) -> dict[str, tuple[int, int]]:
    """For each token source of pronounce_text (hints off): how many labelled readings it decided, how many right."""
    from tts_pipeline.pronunciation import pronounce_text

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for text, position, accepted in cases:
        token = next((t for t in pronounce_text(text, hints="off") if t.start <= position < t.start + len(t.text)), None)
        if token is None:
            continue
        syllables = (token.pinyin or "").split()
        answer = syllables[position - token.start] if len(syllables) == len(token.text) else None
        tally[token.source][0] += 1
        tally[token.source][1] += answer in accepted
    return {source: (n, r) for source, (n, r) in sorted(tally.items(), key=lambda item: -item[1][0])}


def _measure_hint_check(words: int, misses: bool) -> None:
    """The hint check on generated cases (hintcases.py): how many wrong annotations it flags, and how
    many right ones it flags by mistake."""
    import hintcases

    cases = hintcases.cases(words)
    flagged = [(case, hintcases.check(case)) for case in cases]
    wrong = [f for case, f in flagged if case.wrong]
    right = [f for case, f in flagged if not case.wrong]
    print(f"hint check: {words} words of fixed reading in {len(hintcases.CARRIERS)} carrier sentences, {len(cases)} annotations")
    print(f"caught        {sum(wrong) / len(wrong):9.2%}  ({len(wrong) - sum(wrong)} of {len(wrong)} wrong annotations missed)")
    print(f"false alarms  {sum(right) / len(right):9.2%}  ({sum(right)} of {len(right)} right annotations flagged)")
    if misses:
        for case, f in flagged:
            if f != case.wrong:
                print(f"  {'missed' if case.wrong else 'false alarm'}: {case.text}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N CPP sentences")
    parser.add_argument("--parts", default="cpp,dev,test,hints",
                        help="comma-separated: cpp, dev, test, hints, or one everyday file's stem (default: all)")
    parser.add_argument("--misses", action="store_true", help="list what the last reader got wrong (not on test)")
    parser.add_argument("--hint-words", type=int, default=2000,
                        help="words of fixed reading the part 'hints' annotates (default 2000)")
    parser.add_argument("--sources", action="store_true",
                        help="also count, for what tts_pipeline reads, which source decided each labelled reading and how often it is right")
    parser.add_argument("--char", action="append", default=[], help="also print each reader's accuracy on this character")
    args = parser.parse_args()
    readers = {}
    loads = {}
    for name, make in READERS.items():
        began = time.perf_counter()
        readers[name] = make()
        loads[name] = time.perf_counter() - began
    for part in args.parts.split(","):
        if part == "hints":
            _measure_hint_check(args.hint_words, args.misses)
            continue
        if part == "cpp":
            cases = _cpp_cases(args.limit)
            characters = sum(len(text) for text, _, _ in cases)
            print(f"CPP dev: {len(cases)} sentences, {characters / len(cases):.1f} characters on average")
            by_char = {name: defaultdict(lambda: [0, 0]) for name in readers}
            # CPP's labels (CC-CEDICT style) give 衣服, 认识, 关系 … their full tone; a reader that says the
            # neutral tone of the same syllable there also counts as right in the column "neutral ok".
            fixes = corrections() if args.limit is None else {}
            right, spent, misses, neutral, fixed = measure(readers, cases, by_char, fixes)
            print(f"{'reader':14} {'accuracy':>9} {'per char':>9} {'ms/sent':>8} {'ms/30ch':>8} {'load s':>7} "
                  f"{'neutral ok':>10} {'corrected':>10}")
            for name in readers:
                per_char = sum(r / n for r, n in by_char[name].values()) / len(by_char[name])
                per_sentence = spent[name] / len(cases) * 1000
                print(
                    f"{name:14} {right[name] / len(cases):9.2%} {per_char:9.2%} {per_sentence:8.2f} "
                    f"{per_sentence * 30 * len(cases) / characters:8.2f} {loads[name]:7.2f} {(right[name] + neutral[name]) / len(cases):10.2%}"
                    f" {fixed[name] / len(cases):10.2%}"
                )
            for char in args.char:
                tallies = {name: by_char[name].get(char, [0, 0]) for name in readers}
                print(f"{char}: " + ", ".join(f"{name} {r}/{n}" for name, (r, n) in tallies.items()))
        else:
            try:
                cases = _everyday_cases(part)
            except FileNotFoundError as error:
                print(f"everyday {part}: missing ({error.filename})")
                continue
            right, _, misses, _, _ = measure(readers, cases)
            label = "held out" if part.startswith("test") else "dev"
            print(f"everyday {part} ({label}): {len(cases)} labelled polyphones in "
                  f"{len({text for text, _, _ in cases})} sentences")
            for name in readers:
                print(f"{name:14} {right[name] / len(cases):9.2%}  ({len(cases) - right[name]} wrong)")
            if args.sources:
                for source, (decided, correct) in _by_source(cases).items():
                    print(f"  decided by {source:8} {decided:5d}, right {correct / decided:7.1%}")
        if args.misses and not part.startswith("test"):
            for text, position, accepted, answer in misses:
                print(f"  {text[position]} {answer or '-':7} want {'|'.join(accepted):12} {text[:position]}[{text[position]}]{text[position + 1:]}")
        print()


if __name__ == "__main__":
    main()
