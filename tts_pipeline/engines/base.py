"""What every speech engine offers the pipeline."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from ..model import Clip, Pronunciation


@dataclass(frozen=True)
class VoiceSettings:
    """Options that change the samples an engine produces.

    speed: 1.0 is the voice's own pace, 0.75 is slower.  pitch and energy are
    multipliers where the engine supports them.  threads: CPU threads for one
    engine instance (None lets the engine choose).  language: a variant for
    engines that have several (gtts: zh-CN or zh-TW).  voice: a voice's name
    for engines with several (`Engine.voice_names`; None: the engine's
    default).  options: what only one engine understands.
    """

    speed: float = 1.0
    pitch: float = 1.0
    energy: float = 1.0
    threads: int | None = None
    language: str | None = None
    voice: str | None = None
    # Engine-specific options as (name, value) pairs, e.g. (("attempts", 6),)
    # for gtts; a tuple so that settings stay hashable and picklable.
    options: tuple[tuple[str, object], ...] = ()
    # Lessons (engines/mixed.py): espeak-ng's voice for English and other Latin-script words, and
    # (label, register) pairs overriding a dialogue speaker's voice register.
    latin_voice: str = "en"
    speakers: tuple[tuple[str, float], ...] = ()

    def option(self, name: str, default: object = None) -> object:
        for key, value in reversed(self.options):  # the last one given wins
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class Availability:
    usable: bool
    reason: str = ""


class Engine(ABC):
    name: ClassVar[str]
    needs_network: ClassVar[bool] = False
    sample_rate: ClassVar[int]
    description: ClassVar[str] = ""
    # For an online service: the most requests this engine makes at once; a
    # build runs no more worker processes than this (None: no limit).
    requests_at_once: ClassVar[int | None] = None
    # True for an engine whose --pitch is applied as a register (engines/mixed.py: spoken at speed/pitch,
    # then resampled by pitch, so the pitch moves and the length stays) instead of by the engine itself.
    pitch_by_register: ClassVar[bool] = False

    def __init__(self, settings: VoiceSettings | None = None) -> None:
        self.settings = settings or VoiceSettings()

    @classmethod
    def availability(cls) -> Availability:
        """Whether this engine can run here, and if not, why (missing package, no network)."""
        return Availability(True)

    @classmethod
    def voice_names(cls) -> tuple[str, ...]:
        """The voices `VoiceSettings.voice` may name; empty for an engine that has one voice."""
        return ()

    @classmethod
    def voices_here(cls) -> tuple[tuple[tuple[str, str], ...], str]:
        """(name, what it is) of each voice, and where the list comes from ("" when it is the engine's own)."""
        return tuple((name, "") for name in cls.voice_names()), ""

    def sent_text(self, pronunciation: Pronunciation) -> str | None:
        """The text an engine that reads text sends for this sentence (homophones swapped in); None for the others."""
        return None

    @abstractmethod
    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        """Speak one pronounced sentence; raise EngineError with a clear message on failure."""

    def variant(self, settings: VoiceSettings) -> "Engine":
        """This engine with other settings (a dialogue speaker's pace); engines with a model share it."""
        return type(self)(settings)

    def cache_key(self, pronunciation: Pronunciation) -> str:
        """A string that changes whenever the samples for this sentence would change."""
        raise NotImplementedError
