"""Speech engines, registered by name.

    @register
    class MyEngine(Engine):
        name = "mine"
        ...

    engine = create("mine", VoiceSettings(speed=0.9))
"""
from __future__ import annotations

import importlib

from ..errors import EngineError
from ..options import DEFAULT_ENGINE  # noqa: F401 - the registry's default, shared with the command line
from .base import Availability, Engine, VoiceSettings

_REGISTRY: dict[str, type[Engine]] = {}

# Modules that define the built-in engines; imported on first use so that a
# missing optional dependency only affects its own engine.
_BUILTIN_MODULES = ("neural", "espeak", "gtts", "edge")



def register(cls: type[Engine]) -> type[Engine]:
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"{__name__}.{module}"):
                continue  # engine not written yet
            raise
    _load_plugins()


# Testing hook: comma-separated module names imported before engines are
# looked up, so a test can register a stand-in engine inside a real
# `python -m tts_pipeline build` process (tests/tone_engine.py).
PLUGINS_ENV_VAR = "TTS_PIPELINE_ENGINE_PLUGINS"


def _load_plugins() -> None:
    import os

    for module in filter(None, (m.strip() for m in os.environ.get(PLUGINS_ENV_VAR, "").split(","))):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise EngineError(
                f"cannot import engine plugin {module!r} named in ${PLUGINS_ENV_VAR}: {exc}; "
                "fix or unset that variable"
            ) from exc


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
