"""The acoustic model's dropout rewrite: done once, cached, and refused on a model without it."""
from __future__ import annotations

import pytest

from neural_voice import installed_voice
from tts_pipeline.engines.neural import rewrite
from tts_pipeline.errors import EngineError

VOICE = installed_voice()


def test_the_rewritten_model_has_no_flex_ops_and_runs_on_litert(tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    path = rewrite.eval_mode_model(VOICE.acoustic, tmp_path)
    assert rewrite.RANDOM_OP not in path.read_bytes()
    assert rewrite.RANDOM_OP in VOICE.acoustic.read_bytes()
    Interpreter(model_path=str(path)).allocate_tensors()


def test_the_rewrite_is_cached_by_the_source_hash_and_reused(tmp_path, monkeypatch):
    first = rewrite.eval_mode_model(VOICE.acoustic, tmp_path)
    stamp = first.stat().st_mtime_ns

    def no_second_rewrite(*args, **kwargs):
        raise AssertionError("the cached model should have been reused")

    monkeypatch.setattr(rewrite, "rewrite_dropout", no_second_rewrite)
    again = rewrite.eval_mode_model(VOICE.acoustic, tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert rewrite.file_sha256(VOICE.acoustic)[:32] in first.name
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_the_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_PIPELINE_CACHE", str(tmp_path / "mine"))
    assert rewrite.cache_dir() == tmp_path / "mine" / "models"
    monkeypatch.delenv("TTS_PIPELINE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rewrite.cache_dir() == tmp_path / "xdg" / "tts_pipeline" / "models"


def test_a_model_without_the_dropout_ops_fails_with_a_clear_error(tmp_path):
    with pytest.raises(rewrite.ModelShapeError) as caught:
        rewrite.eval_mode_model(VOICE.vocoder, tmp_path)
    message = str(caught.value)
    assert isinstance(caught.value, EngineError)
    assert "0 FlexRandomUniform ops, expected 2" in message and "pip install" in message
    assert "\n" not in message
    assert not list(tmp_path.iterdir())


def test_an_unwritable_cache_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    monkeypatch.setattr(rewrite.tempfile, "tempdir", str(tmp_path / "tmp"))
    path = rewrite.eval_mode_model(VOICE.acoustic, blocked / "models")
    assert path.parent.parent == tmp_path / "tmp" and path.is_file()
