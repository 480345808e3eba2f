"""When each spoken token of a sentence is heard: the one timing representation.

A `Timing` starts in the engine (the neural voice's predicted durations, or an
estimate marked as such) and travels with the clip. Every stage that moves the
audio moves the timing with the same arithmetic: `cut` for a trim (the samples
kept are `[start, end)` of the audio before), `delayed` for silence put
before it, `resampled` for a change of sample rate, `joined` for pieces put
one after another. Times are whole samples, so nothing drifts by rounding
between stages; seconds are worked out once, where they are written.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence


def seconds(samples: int, sample_rate: int) -> float:
    """A count of samples in seconds, to the millisecond: how every time is written."""
    return round(samples / sample_rate, 3)


@dataclass(frozen=True)
class Timing:
    """Token `tokens[i]` (an index into `Pronunciation.tokens`) is heard from sample
    `starts[i]` to `ends[i]` of the audio, counted at `sample_rate`. Tokens are in
    order of speech, so starts never decrease. `estimated`: the engine gave no
    timing and these times are an estimate from the audio."""

    sample_rate: int
    tokens: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    estimated: bool = False

    def __post_init__(self) -> None:
        if not (len(self.tokens) == len(self.starts) == len(self.ends)):
            raise ValueError("a Timing needs one start and one end per token")

    def __len__(self) -> int:
        return len(self.tokens)

    def _with(self, starts: Iterable[int], ends: Iterable[int], sample_rate: int | None = None) -> "Timing":
        return Timing(sample_rate or self.sample_rate, self.tokens, tuple(starts), tuple(ends), self.estimated)

    def delayed(self, samples: int) -> "Timing":
        """The same audio after `samples` of silence were put before it."""
        return self._with((s + samples for s in self.starts), (e + samples for e in self.ends))

    def cut(self, start: int, end: int) -> "Timing":
        """The timing of `audio[start:end]`: a token trimmed away entirely keeps an
        instant at the edge it was cut at, so every token keeps a time."""
        length = max(0, end - start)

        def inside(value: int) -> int:
            return min(length, max(0, value - start))

        return self._with(map(inside, self.starts), map(inside, self.ends))

    def resampled(self, sample_rate: int) -> "Timing":
        """The same times counted at another sample rate (rounded to the nearest sample)."""
        if sample_rate == self.sample_rate:
            return self
        ratio = sample_rate / self.sample_rate
        return self._with((round(s * ratio) for s in self.starts), (round(e * ratio) for e in self.ends),
                          sample_rate)

    @classmethod
    def joined(cls, parts: Sequence[tuple[int, "Timing"]], sample_rate: int) -> "Timing":
        """One timing for pieces of audio placed at the given sample offsets."""
        tokens: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        for offset, part in parts:
            moved = part.resampled(sample_rate).delayed(offset)
            tokens += moved.tokens
            starts += moved.starts
            ends += moved.ends
        return cls(sample_rate, tuple(tokens), tuple(starts), tuple(ends), any(p.estimated for _, p in parts))

    def spans(self) -> list[tuple[int, float, float]]:
        """(token index, start, end) in seconds, to the millisecond."""
        rate = self.sample_rate
        return [(t, seconds(s, rate), seconds(e, rate)) for t, s, e in zip(self.tokens, self.starts, self.ends)]

    def to_json(self) -> dict[str, Any]:
        return {"rate": self.sample_rate, "tokens": list(self.tokens), "starts": list(self.starts),
                "ends": list(self.ends), "estimated": self.estimated}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Timing | None":
        if not data:
            return None
        return cls(int(data["rate"]), tuple(map(int, data["tokens"])), tuple(map(int, data["starts"])),
                   tuple(map(int, data["ends"])), bool(data.get("estimated", False)))


def from_durations(owners: Sequence[int], frames: Sequence[int], hop: int, sample_rate: int) -> Timing:
    """Timing from an acoustic model's durations: `frames[i]` frames of `hop` samples for
    input symbol i, which says token `owners[i]` (-1: a symbol of no token, such as a
    silence or a prosody mark). A token is heard from its first symbol's first frame to
    its last symbol's last frame."""
    found: dict[int, list[int]] = {}
    position = 0
    for owner, count in zip(owners, frames):
        count = max(0, int(count))
        if owner >= 0:
            span = found.setdefault(owner, [position, position + count * hop])
            span[1] = position + count * hop
        position += count * hop
    order = sorted(found, key=lambda token: found[token][0])
    return Timing(sample_rate, tuple(order), tuple(found[t][0] for t in order), tuple(found[t][1] for t in order))


def from_words(words: Sequence[tuple[int, int, Sequence[tuple[int, int]]]], sample_rate: int) -> Timing:
    """Timing from an engine's word times: each word (start and end sample, and its tokens as
    (token index, syllables)) shared among its tokens in proportion to their syllables. Marked
    estimated: only the words' times come from the engine."""
    tokens: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for begin, end, members in sorted(words, key=lambda word: word[0]):
        total = sum(count for _, count in members) or 1
        heard = 0
        for token, count in members:
            tokens.append(token)
            starts.append(begin + (end - begin) * heard // total)
            heard += count
            ends.append(begin + (end - begin) * heard // total)
    return Timing(sample_rate, tuple(tokens), tuple(starts), tuple(ends), estimated=True)


def estimate(samples, sample_rate: int, weights: Sequence[tuple[int, int]], frame_seconds: float = 0.01,
             quiet_db: float = -35.0) -> Timing:
    """Timing guessed from the audio alone, for engines that give none: the clip's
    voiced frames (energy within `quiet_db` of its loudest frame) are shared out among
    the tokens in proportion to their syllables (`weights`: (token index, syllables)),
    so pauses between phrases are skipped rather than given to a token."""
    import numpy as np

    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 2:  # channels: their mix
        data = data.mean(axis=1)
    frame = max(1, int(frame_seconds * sample_rate))
    count = len(data) // frame
    total = sum(w for _, w in weights)
    if count == 0 or total == 0:
        return Timing(sample_rate, tuple(t for t, _ in weights), (0,) * len(weights), (0,) * len(weights), True)
    energy = np.sqrt(np.mean(data[: count * frame].reshape(count, frame) ** 2, axis=1))
    level = 20 * np.log10(np.maximum(energy, 1e-9))
    voiced = level >= level.max() + quiet_db
    # Close gaps shorter than 80 ms (a stop consonant's closure) so they count as speech.
    gap = int(0.08 / frame_seconds)
    index = np.flatnonzero(voiced)
    for a, b in zip(index, index[1:]):
        if 1 < b - a <= gap:
            voiced[a:b] = True
    cumulative = np.cumsum(voiced)  # voiced frames up to and including each frame
    spoken = int(cumulative[-1])

    starts: list[int] = []
    ends: list[int] = []
    heard = 0
    for _, weight in weights:
        before = heard * spoken / total
        heard += weight
        # from the first voiced frame after the share heard before, to the frame that completes its own
        first = int(np.searchsorted(cumulative, before, side="right"))
        last = int(np.searchsorted(cumulative, max(heard * spoken / total, before + 1), side="left")) + 1
        starts.append(min(first, count) * frame)
        ends.append(min(len(data), max(first + 1, last) * frame))
    return Timing(sample_rate, tuple(t for t, _ in weights), tuple(starts), tuple(ends), True)
