"""The options of one build, as `build` checked them: every stage after it reads them from here.

The defaults and limits that the command line, `tts_pipeline.build` and the
stages share are written here once: the default engine, the file formats, the
bitrate's form, the pauses and their range. This module imports nothing heavy,
so the command line can show them in --help without loading a stage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .profiles import Profile, profile as find_profile

if TYPE_CHECKING:
    from .engines.base import VoiceSettings

DEFAULT_ENGINE = "neural"
FORMATS = ("mp3", "m4b", "wav", "ogg", "flac")
LONGEST_PAUSE = 60.0
_BITRATE = re.compile(r"[1-9][0-9]{0,3}k")


def bitrate_problem(text: str) -> str | None:
    """What is wrong with a bitrate such as 64k, or None."""
    return None if _BITRATE.fullmatch(text) else f"{text!r} is not like 64k; give kilobits per second followed by k"


def pause_problem(seconds: float) -> str | None:
    """What is wrong with a pause of `seconds`, or None."""
    return None if 0 <= seconds <= LONGEST_PAUSE else f"must be between 0 and {LONGEST_PAUSE:g} seconds, not {seconds}"


@dataclass(frozen=True)
class PausePlan:
    """Silence in seconds: at the start of every chapter file (`lead`), after
    a sentence, after a paragraph, and after a chapter that another follows
    (the last chapter ends with a paragraph pause). `fade` is the fade applied
    to a clip edge that is not already silent; `keep` is how much of a clip's
    own leading or trailing silence survives trimming."""

    sentence: float = 0.45
    paragraph: float = 0.9
    chapter: float = 2.0
    lead: float = 0.3
    fade: float = 0.01
    keep: float = 0.05

    def before(self, paragraph: int, previous: int | None) -> float:
        """The pause before a sentence of `paragraph` that follows one of `previous` (None: the chapter's first)."""
        if previous is None:
            return self.lead
        return self.paragraph if paragraph != previous else self.sentence

    def __post_init__(self) -> None:
        for name in ("sentence", "paragraph", "chapter", "lead", "fade", "keep"):
            problem = pause_problem(getattr(self, name))
            if problem:
                raise ValueError(f"pause {name} {problem}")


@dataclass(frozen=True)
class BuildOptions:
    """What `tts_pipeline.build` was asked for, checked; `cache` is a cache.ClipCache or None."""

    engine: str
    settings: VoiceSettings
    fallback: str | None
    pauses: PausePlan
    format: str
    bitrate: str
    force: bool
    hints: str
    jobs: int
    cache: Any
    quiet: bool
    shadowing: Any
    player: bool
    stamp: str | None = None  # incremental.stamp_from_args: lets an unchanged output be kept as it is
    backend: Any = None  # backends.Backend: Ray actors for the whole run, or worker processes started early
    lesson: Any = None  # pronunciation.lesson.LessonOptions: --latin, --pinyin-words, --speak-labels
    profile: Profile = find_profile(None)
    author: str | None = None
    cover: Any = None  # export.tags.Cover
    cover_name: str | None = None
    anki: bool = False  # learn.anki: deck.apkg
    # called once every sentence of a book is in, before its last chapters are joined and its closing work: a
    # cluster build sends the next input's first sentences to the actors then (pipeline._build_inputs)
    ahead: Any = None
