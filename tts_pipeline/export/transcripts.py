"""Timed transcripts: one cue per sentence, the hanzi line then the pinyin line.

Where the tokens have times, LRC lines take enhanced-LRC word stamps
(`[00:12.30]<00:12.30>重<00:12.52>庆…<00:14.10>`) and VTT cues WebVTT inline
timestamps (`<00:00:12.520>`), on both lines; SRT has no such tags and stays
one cue per sentence."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..model import Token
from ..pronunciation.readings import marked as _tone_marked, shown_syllables
from .manifest import TokenEntry

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
    """One sentence; `tokens` carry book times for the inline stamps (none: plain lines)."""

    id: str
    start: float
    end: float
    text: str
    pinyin: str
    tokens: tuple[TokenEntry, ...] = ()

    def timed_text(self, stamp: Callable[[float], str], after: str = "", before: str = "~") -> str:
        """The hanzi line with `stamp(time)` before each token heard and after the last one."""
        return _stamped([(t.text, t) for t in self.tokens], stamp, after, before) if self._timed else self.text

    def timed_pinyin(self, stamp: Callable[[float], str], after: str = "", before: str = "~") -> str:
        """The pinyin line with `stamp(time)` before each token's syllables as the line shows them
        (an erhua 儿 inside the syllable before it: nǎr), found in order in the line."""
        if not self._timed:
            return self.pinyin
        parts: list[tuple[str, TokenEntry | None]] = []
        line, cursor = self.pinyin, 0
        lowered = line.lower()
        for token, syllables in shown_syllables(self.tokens):
            if not syllables or token.book_start is None:
                continue
            shown = marked(syllables)
            found = lowered.find(shown.lower(), cursor)
            if found < 0:
                continue
            parts.append((line[cursor:found], None))
            parts.append((line[found:found + len(shown)], token))
            cursor = found + len(shown)
        parts.append((line[cursor:], None))
        # the line's last syllable may hold a token that has no pair of its own (the erhua 儿): end with the last
        last = max(t.book_end for t in self.tokens if t.book_end is not None)
        return _stamped(parts, stamp, after, before, last)

    @property
    def _timed(self) -> bool:
        return any(t.book_start is not None for t in self.tokens)


def _stamped(parts: Sequence[tuple[str, TokenEntry | None]], stamp: Callable[[float], str],
             after: str = "", before: str = "~", end: float | None = None) -> str:
    """Text pieces, each timed one preceded by its start and the last timed one followed by its end
    (or by `end`, when given). Stamps are fixed-width, so they compare as strings: one not later than the stamp before it, not
    later than `after` or not earlier than `before` (WebVTT wants them inside the cue) is left out."""
    out: list[str] = []
    last, closing, where = after, None, 0
    for text, token in parts:
        if token is not None and token.book_start is not None:
            written = stamp(token.book_start)
            if last < written < before:
                out.append(written)
                last = written
            closing = stamp(token.book_end if end is None else end)
            out.append(text)
            where = len(out)
        else:
            out.append(text)
    if closing is not None and last < closing < before:
        out.insert(where, closing)
    return "".join(out)


def _clock(seconds: float, separator: str) -> str:
    ms = int(round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def lrc_time(seconds: float) -> str:
    """LRC's mm:ss.xx: minutes may pass 59, hundredths rounded (the transcripts and the drills' LRC files)."""
    cs = int(round(seconds * 100))
    minutes, cs = divmod(cs, 6000)
    return f"{minutes:02d}:{cs // 100:02d}.{cs % 100:02d}"


def lrc(cues: Sequence[Cue], title: str) -> str:
    def stamp(seconds: float) -> str:
        return f"[{lrc_time(seconds)}]"

    def word(seconds: float) -> str:
        return f"<{lrc_time(seconds)}>"

    lines = [f"[ti:{title}]"]
    for cue in cues:
        lines.append(f"{stamp(cue.start)}{cue.timed_text(word)}")
        lines.append(f"{stamp(cue.start)}{cue.timed_pinyin(word)}")
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
    def inline(seconds: float) -> str:
        return f"<{_clock(seconds, '.')}>"

    for cue in cues:
        start, end = _clock(cue.start, "."), _clock(cue.end, ".")
        # WebVTT wants inline timestamps strictly inside the cue
        text = cue.timed_text(inline, f"<{start}>", f"<{end}>")
        pinyin = cue.timed_pinyin(inline, f"<{start}>", f"<{end}>")
        blocks.append(f"{cue.id}\n{start} --> {end}\n{text}\n{pinyin}\n")
    return "\n".join(blocks)


WRITERS: dict[str, Callable[[Sequence[Cue], str], str]] = {"lrc": lrc, "srt": srt, "vtt": vtt}
