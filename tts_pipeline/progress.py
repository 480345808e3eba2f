"""Progress a person can watch, and a summary at the end.

On a terminal: one bar redrawn in place (sentences done of total, audio
produced, time left). Elsewhere (a log, CI): one line per finished chapter.
`quiet` prints nothing. The build calls `sentence_done` through
`synthesize_all`, `note` between stages, and `finish` once.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Sequence, TextIO

from .model import Article, Clip, Pronunciation

_REDRAW_EVERY = 0.1  # seconds; a terminal need not be redrawn per sentence


@dataclass(frozen=True)
class ChapterPlan:
    title: str
    sentences: int
    characters: int


@dataclass(frozen=True)
class Summary:
    chapters: int
    sentences: int
    duration: float  # seconds of audio
    elapsed: float  # seconds of wall time
    cache_hits: int
    synthesized: int
    warnings: int

    def __str__(self) -> str:
        return (
            f"{self.chapters} chapter{_s(self.chapters)}, {self.sentences} sentence{_s(self.sentences)}, "
            f"{format_duration(self.duration)} of audio in {format_duration(self.elapsed)}; "
            f"{self.cache_hits} clip{_s(self.cache_hits)} from the cache, {self.synthesized} synthesised; "
            f"{self.warnings} warning{_s(self.warnings)}"
        )


class Progress:
    def __init__(
        self,
        chapters: Sequence[ChapterPlan],
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        interactive: bool | None = None,
        clock=time.monotonic,
    ) -> None:
        self.chapters = list(chapters)
        self.total = sum(c.sentences for c in self.chapters)
        self.total_characters = sum(c.characters for c in self.chapters)
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        if interactive is None:
            interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interactive = interactive
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.characters_done = 0
        self.duration = 0.0
        self.hits = 0
        self.unspoken = 0  # sentences with nothing to speak: neither from the cache nor synthesised
        self.warnings = 0
        self._synth_seconds = 0.0
        self._synth_characters = 0
        self._last_event = self.started
        self._last_draw = float("-inf")
        self._chapter = 0
        self._chapter_done = 0
        self._chapter_started = self.started
        self._chapter_duration = 0.0
        self._chapter_hits = 0
        self._drawn = False
        # what the backend says of its workers (Ray actors: busy, in flight, audio rate), shown with the bar
        self.backend_status: Callable[[], str] | None = None

    @classmethod
    def for_article(cls, article: Article, **options) -> "Progress":
        plans = []
        for chapter in article.chapters:
            sentences = list(chapter.sentences())
            plans.append(ChapterPlan(chapter.title, len(sentences), sum(len(s.text) for s in sentences)))
        return cls(plans, **options)

    # -- called by synthesize_all -------------------------------------------

    def sentence_done(self, pronunciation: Pronunciation, clip: Clip, cached: bool) -> None:
        now = self.clock()
        characters = len(pronunciation.sentence.text)
        if not cached and pronunciation.speaks:
            # Time since the previous sentence is what this one cost; hits cost ~nothing.
            self._synth_seconds += now - self._last_event
            self._synth_characters += characters
        self._last_event = now
        self.done += 1
        self.characters_done += characters
        self.duration += clip.duration
        self.hits += cached
        self.unspoken += not pronunciation.speaks
        self.warnings += len(pronunciation.notices) + len(clip.notices)
        self._chapter_done += 1
        self._chapter_duration += clip.duration
        self._chapter_hits += cached
        while self._chapter < len(self.chapters) and self._chapter_done >= self.chapters[self._chapter].sentences:
            self._end_chapter(now)
        if self.interactive and not self.quiet and (now - self._last_draw >= _REDRAW_EVERY or self.done == self.total):
            self._draw(now)

    # -- called by the build ------------------------------------------------

    def note(self, message: str) -> None:
        """Say what the build is doing between stages (e.g. encoding the book)."""
        if self.quiet:
            return
        self._clear_bar()
        print(message, file=self.stream, flush=True)

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left, from the time synthesis has taken per character so far; None before any."""
        if not self._synth_characters:
            return None
        remaining = max(0, self.total_characters - self.characters_done)
        return remaining * self._synth_seconds / self._synth_characters

    def summary(self, warnings: int | None = None) -> Summary:
        return Summary(
            chapters=len(self.chapters),
            sentences=self.done,
            duration=self.duration,
            elapsed=self.clock() - self.started,
            cache_hits=self.hits,
            synthesized=self.done - self.hits - self.unspoken,
            warnings=self.warnings if warnings is None else warnings,
        )

    def finish(self, warnings: int | None = None) -> Summary:
        """Print the summary (unless quiet) and return it. `warnings` overrides the count of notices seen."""
        summary = self.summary(warnings)
        if not self.quiet:
            self._clear_bar()
            print(f"done: {summary}", file=self.stream, flush=True)
        return summary

    # -- drawing ------------------------------------------------------------

    def _end_chapter(self, now: float) -> None:
        plan = self.chapters[self._chapter]
        if not self.quiet and not self.interactive:
            print(
                f"chapter {self._chapter + 1}/{len(self.chapters)} {plan.title}: "
                f"{plan.sentences} sentence{_s(plan.sentences)}, {format_duration(self._chapter_duration)} of audio, "
                f"{self._chapter_hits} from the cache, {format_duration(now - self._chapter_started)}"
                + (f"; {self.backend_status()}" if self.backend_status else ""),
                file=self.stream,
                flush=True,
            )
        self._chapter += 1
        self._chapter_done -= plan.sentences
        self._chapter_started = now
        self._chapter_duration = 0.0
        self._chapter_hits = 0

    def _draw(self, now: float) -> None:
        self._last_draw = now
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        eta = self.eta(now)
        left = "--:--" if eta is None else format_duration(eta)
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} sentences  "
            f"{format_duration(self.duration)} audio  ETA {left}"
        )
        if self.backend_status is not None:
            line += f"  {self.backend_status()}"
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def _clear_bar(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


def format_duration(seconds: float) -> str:
    """1.2s, 42.0s, 3m05s, 1h02m03s."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


class Stages:
    """Wall time per stage of a build, printed to stderr when $TTS_PIPELINE_TIMINGS is set
    (benchmarks/pipeline.py shows where a rebuild's time goes)."""

    def __init__(self) -> None:
        self.on = bool(os.environ.get("TTS_PIPELINE_TIMINGS"))
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @contextlib.contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def report(self, before: float | None) -> None:
        if not self.on:
            return
        lines = [] if before is None else [f"  {'start-up (interpreter, imports, reading the input)':52} {before:6.2f} s"]
        lines += [f"  {name:52} {seconds:6.2f} s" for name, seconds in self.seconds.items()]
        total = time.perf_counter() - self.started
        lines.append(f"  {'(the rest of the build)':52} {total - sum(self.seconds.values()):6.2f} s")
        print("build stages:\n" + "\n".join(lines), file=sys.stderr, flush=True)
def since_process_start() -> float | None:
    """Seconds since this process started (Linux), else None."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - ticks / os.sysconf("SC_CLK_TCK")
