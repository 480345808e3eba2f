"""Timed transcripts: one cue per sentence, the hanzi line then the pinyin line."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..model import Token
from ..pronounce.readings import marked as _tone_marked, shown_syllables

_PUNCTUATION = str.maketrans(
    {"，": ",", "。": ".", "！": "!", "？": "?", "；": ";", "：": ":", "、": ",", "（": "(", "）": ")",
     "“": '"', "”": '"', "‘": "'", "’": "'", "《": '"', "》": '"', "…": "...", "—": "-", "·": "-",
     "「": '"', "」": '"', "『": '"', "』": '"', "【": "[", "】": "]", "●": "", "　": " "}
)  # fmt: skip
_OPENING = set("“‘（(《「『【[")


def _join(word: str, syllable: str) -> str:
    # xī'ān: an apostrophe where a syllable starting with a, o or e follows another.
    if word and word[-1].isalpha() and syllable[:1].lower() in "aāáǎàoōóǒòeēéěè":
        return word + "'" + syllable
    return word + syllable


def marked(syllables: str) -> str:
    """'chong2 qing4' -> 'chóngqìng'."""
    out = ""
    for syllable in syllables.split():
        out = _join(out, _tone_marked(syllable.replace("u:", "v")))
    return out


def pinyin_line(tokens: Iterable[Token]) -> str:
    """The sentence in tone-marked pinyin: one word per group of tokens, punctuation kept."""
    words: list[str] = []
    glue = False  # after an opening mark the next word attaches to it
    for token, syllables in shown_syllables(tokens):
        if syllables:
            text = marked(syllables)
            if words and (glue or not token.word_start):
                words[-1] = _join(words[-1], text)
            else:
                words.append(text)
            glue = False
            continue
        text = token.text.translate(_PUNCTUATION).strip()
        if not text:
            continue
        if token.text.strip()[:1] in _OPENING:
            words.append(text)
            glue = True
        elif any(c.isalnum() for c in text) and not glue:  # a Latin word or label shown as written: a word
            words.append(text)
        elif words:
            words[-1] += text
        else:
            words.append(text)
    line = " ".join(words)
    first = next((i for i, char in enumerate(line) if char.isalpha()), None)
    return line if first is None else line[:first] + line[first].upper() + line[first + 1 :]


@dataclass(frozen=True)
class Cue:
    id: str
    start: float
    end: float
    text: str
    pinyin: str


def _clock(seconds: float, separator: str) -> str:
    ms = int(round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def lrc(cues: Sequence[Cue], title: str) -> str:
    def stamp(seconds: float) -> str:
        cs = int(round(seconds * 100))
        minutes, cs = divmod(cs, 6000)
        return f"[{minutes:02d}:{cs // 100:02d}.{cs % 100:02d}]"

    lines = [f"[ti:{title}]"]
    for cue in cues:
        lines.append(f"{stamp(cue.start)}{cue.text}")
        lines.append(f"{stamp(cue.start)}{cue.pinyin}")
    if cues:
        lines.append(f"{stamp(cues[-1].end)}")
    return "\n".join(lines) + "\n"


def srt(cues: Sequence[Cue], title: str) -> str:
    blocks = [
        f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{c.text}\n{c.pinyin}\n" for n, c in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def vtt(cues: Sequence[Cue], title: str) -> str:
    blocks = [f"WEBVTT - {title}\n" if title else "WEBVTT\n"]
    for cue in cues:
        blocks.append(f"{cue.id}\n{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{cue.text}\n{cue.pinyin}\n")
    return "\n".join(blocks)


WRITERS: dict[str, Callable[[Sequence[Cue], str], str]] = {"lrc": lrc, "srt": srt, "vtt": vtt}
