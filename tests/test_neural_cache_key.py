"""The neural engine remembers recent cache keys; a remembered key is the one it would work out."""
from __future__ import annotations

import pytest

import tts_pipeline.engines.neural as neural
from neural_pron import pron
from tts_pipeline.engines import VoiceSettings, create, engine_class

availability = engine_class("neural").availability()
if not availability.usable:  # pragma: no cover - depends on the machine
    pytest.skip(f"neural engine unusable here: {availability.reason}", allow_module_level=True)


@pytest.fixture(scope="module")
def engine():
    return create("neural", VoiceSettings(threads=1))


def test_a_remembered_key_is_the_worked_out_one_and_an_edit_gets_its_own(engine):
    p = pron("重新开始", readings={0: "chong2"})
    first = engine.cache_key(p)
    assert engine.cache_key(p) == first == engine._cache_key(p)
    assert engine.cache_key(pron("重新开始", readings={0: "chong2"})) == first
    assert engine.cache_key(pron("重新开始", readings={0: "zhong4"})) != first
    assert engine.cache_key(pron("重新开了", readings={0: "chong2"})) != first


def test_the_memory_is_bounded(engine, monkeypatch):
    monkeypatch.setattr(neural, "RECENT_KEYS", 3)
    texts = ["一。", "二。", "三。", "四。", "五。"]
    keys = [engine.cache_key(pron(t)) for t in texts]
    assert len(engine._recent_keys) <= 3
    assert keys == [engine._cache_key(pron(t)) for t in texts] and len(set(keys)) == 5
