"""The everyday polyphone set: sentences learners and newspaper readers meet, labelled by hand.

Files in benchmarks/data/everyday/, one sentence a line, `#` starting a
comment. A label in square brackets follows the character it is for, in
tone-number pinyin (5 = neutral, v for ü); `|` separates readings a careful
teacher also accepts, the preferred first:

    我妹妹的[de5]头发[fa5|fa4]又黑又长[chang2]。

dev-*.txt is the part readings are developed on; test*.txt is held out:
nothing is tuned on it, it is only measured.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "everyday"
_LABEL = re.compile(r"\[([a-z]+[1-5](?:\|[a-z]+[1-5])*)\]")


@dataclass(frozen=True)
class Case:
    """One labelled sentence: its text without labels and the accepted readings by offset."""

    text: str
    labels: tuple[tuple[int, tuple[str, ...]], ...]
    where: str  # file:line


def parse_line(line: str, where: str = "<line>") -> Case:
    text = []
    labels = []
    end = 0
    for match in _LABEL.finditer(line):
        text.append(line[end : match.start()])
        end = match.end()
        offset = sum(map(len, text)) - 1
        if offset < 0:
            raise ValueError(f"{where}: a label with no character before it")
        labels.append((offset, tuple(match.group(1).split("|"))))
    text.append(line[end:])
    clean = "".join(text)
    if "[" in clean or "]" in clean:
        raise ValueError(f"{where}: a bracket that is not a label")
    if not labels:
        raise ValueError(f"{where}: no label")
    return Case(clean, tuple(labels), where)


def load(part: str) -> list[Case]:
    """The cases of one part: "dev", "test" (each with its traditional-script files) or one file's stem."""
    if part in ("dev", "test"):
        paths = sorted(DATA.glob(f"{part}*.txt"))
    else:
        paths = [DATA / f"{part}.txt"]
    cases = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if line and not line.startswith("#"):
                cases.append(parse_line(line, f"{path.name}:{number}"))
    return cases
