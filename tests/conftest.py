"""Fixtures for the whole suite."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from tts_pipeline.cachelayout import ENV_VAR

# Hypothesis keeps its examples and caches in a temporary folder, not in .hypothesis/ of the working
# directory (the source tree): set before any test module is collected, removed when the run ends.
_HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="tts-pipeline-hypothesis-"))
set_hypothesis_home_dir(_HYPOTHESIS_HOME)


def pytest_unconfigure(config):
    shutil.rmtree(_HYPOTHESIS_HOME, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory):
    """The cache folder every test uses unless it names its own: a temporary one, so that the suite neither
    reads nor writes the user's cache. Session-wide, so that the pronouncer's tables and the neural voice's
    rewritten models are built once per run; processes the tests start inherit it through the environment."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_VAR, str(folder))
        yield folder
