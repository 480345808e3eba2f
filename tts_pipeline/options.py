"""The options of one build, as `build` checked them: every stage after it reads them from here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .profiles import Profile, profile as find_profile

if TYPE_CHECKING:
    from .engines.base import VoiceSettings
    from .stitch import PausePlan


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
    profile: Profile = find_profile(None)
    author: str | None = None
    cover: Any = None  # export.tags.Cover
    cover_name: str | None = None
