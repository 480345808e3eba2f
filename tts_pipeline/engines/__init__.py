"""Speech engines, registered by name.

    @register
    class MyEngine(Engine):
        name = "mine"
        ...

    engine = create("mine", VoiceSettings(speed=0.9))

An engine of another package is found through its entry point in the group
`tts_pipeline.engines` (ENTRY_POINT_GROUP): the module it names is imported
before engines are looked up, and registers its engines as above. Worker
processes and Ray actors import an engine's module by name themselves.
"""
from __future__ import annotations

import functools
import importlib

from ..errors import EngineError
from ..options import DEFAULT_ENGINE  # noqa: F401 - the registry's default, shared with the command line
from .base import Availability, Engine, VoiceSettings

_REGISTRY: dict[str, type[Engine]] = {}

# Modules that define the built-in engines; imported on first use, so that a command that speaks
# nothing does not load them.
_BUILTIN_MODULES = ("neural", "espeak", "gtts", "edge")

ENTRY_POINT_GROUP = "tts_pipeline.engines"


def register(cls: type[Engine]) -> type[Engine]:
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    _load_plugins()


@functools.cache
def _load_plugins() -> None:
    """Import the module of every installed package's `tts_pipeline.engines` entry point, once."""
    from importlib.metadata import entry_points

    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            point.load()
        except ImportError as exc:
            owner = f" of {point.dist.name}" if point.dist is not None else ""
            raise EngineError(f"cannot load the engine plugin {point.name!r} ({point.value}){owner}: {exc}; "
                              "reinstall or uninstall that package") from exc


def engine_names() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def engine_class(name: str) -> type[Engine]:
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise EngineError(f"unknown engine {name!r}; choose one of: {known}") from None


def create(name: str, settings: VoiceSettings | None = None) -> Engine:
    cls = engine_class(name)
    availability = cls.availability()
    if not availability.usable:
        raise EngineError(f"engine {name!r} cannot run here: {availability.reason}")
    check_voice(name, settings)
    return cls(settings)


def check_voice(name: str, settings: VoiceSettings | None) -> None:
    """Refuse a voice for an engine that has only one (before any work, and again when it is created)."""
    if settings is not None and settings.voice is not None and not engine_class(name).voice_names():
        several = ", ".join(n for n in engine_names() if _REGISTRY[n].voice_names())
        raise EngineError(f"engine {name!r} has one voice, so --voice does not apply to it (engines with several: {several})")


__all__ = [
    "Availability",
    "check_voice",
    "DEFAULT_ENGINE",
    "Engine",
    "VoiceSettings",
    "create",
    "engine_class",
    "engine_names",
    "register",
]
