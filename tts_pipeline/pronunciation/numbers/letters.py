"""Latin letters said with Mandarin syllables, for voices that know only Mandarin."""
from __future__ import annotations

# Each English letter name approximated by standard Mandarin syllables
# (tone numbers, 5 = neutral). docs/reference/numbers.md prints this table.
LETTER_PINYIN: dict[str, str] = {
    "A": "ei1",
    "B": "bi4",
    "C": "xi1",
    "D": "di4",
    "E": "yi4",
    "F": "ai1 fu5",
    "G": "ji4",
    "H": "ei1 qi1",
    "I": "ai1",
    "J": "jie1",
    "K": "kai1",
    "L": "ai1 le5",
    "M": "ai1 mu5",
    "N": "en1",
    "O": "ou1",
    "P": "pi1",
    "Q": "ke4 you1",
    "R": "a1 er5",
    "S": "ai1 si5",
    "T": "ti4",
    "U": "you1",
    "V": "wei1",
    "W": "da2 bu5 liu5",
    "X": "ai1 ke4 si5",
    "Y": "wai1",
    "Z": "zei4",
}


def spell(word: str) -> str:
    """'AI' -> 'ei1 ai1': the syllables of each ASCII letter in `word`, in order."""
    return " ".join(LETTER_PINYIN[c] for c in word.upper() if c in LETTER_PINYIN)
