"""Fixtures for the whole suite."""
from __future__ import annotations

import pytest

from tts_pipeline.cachelayout import ENV_VAR


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory):
    """The cache folder every test uses unless it names its own: a temporary one, so that the suite neither
    reads nor writes the user's cache. Session-wide, so that the pronouncer's tables and the neural voice's
    rewritten models are built once per run; processes the tests start inherit it through the environment."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_VAR, str(folder))
        yield folder
