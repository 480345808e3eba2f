"""One cache layout: --cache-dir moves every part of the cache, and `cache info` / `cache clear` see every part."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tts_pipeline import cli
from tts_pipeline.cachelayout import BUILDS, CLIPS, ENV_VAR, MODELS, PARTS, PRONUNCIATIONS, SILENCE, TABLES

TEXT = "重庆的索道很有名。2024年，游客超过了一千万人。\n\n我们明天去看看吧。\n"


def _seed(chosen, session_cache):
    """Links to the tables and models this run has built already, so that the test does not build them again
    (10 s); where the run has none yet, the build makes them."""
    for part in (TABLES, MODELS):
        source = session_cache / part.folder
        for path in source.glob("*") if source.is_dir() else ():
            if path.is_file() and not path.name.startswith("."):
                (chosen / part.folder).mkdir(parents=True, exist_ok=True)
                os.link(path, chosen / part.folder / path.name)


def test_cache_dir_holds_every_part_and_info_and_clear_see_them(tmp_path, monkeypatch, capsys, session_cache):
    from tts_pipeline.engines import engine_class

    availability = engine_class("neural").availability()
    if not availability.usable:  # pragma: no cover - depends on the machine
        pytest.skip(f"neural engine unusable here: {availability.reason}")
    elsewhere, chosen = tmp_path / "from-the-environment", tmp_path / "chosen"
    elsewhere.mkdir()
    chosen.mkdir()
    (chosen / "notes.txt").write_text("the user's own file")
    _seed(chosen, session_cache)
    monkeypatch.setenv(ENV_VAR, str(elsewhere))
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")

    code = cli.main(["build", str(article), "-o", str(tmp_path / "out"), "--cache-dir", str(chosen),
                     "--jobs", "2", "--quiet"])  # the voice speaks in worker processes
    assert code == 0, capsys.readouterr().err
    assert sorted(elsewhere.iterdir()) == []
    for part in PARTS:
        assert any((chosen / part.folder).rglob("*")), part

    capsys.readouterr()
    assert cli.main(["cache", "info", "--cache-dir", str(chosen)]) == 0
    info = capsys.readouterr().out
    assert f"cache folder: {chosen}" in info and "clips: 3 " in info
    for part in (PRONUNCIATIONS, TABLES, MODELS, SILENCE, BUILDS):
        assert f"\n{part.what}: " in info, part
    assert cli.main(["cache", "clear", "--cache-dir", str(chosen)]) == 0
    assert "removed 3 clips" in capsys.readouterr().out
    assert sorted(p.name for p in chosen.iterdir()) == ["notes.txt"]
    assert sorted(elsewhere.iterdir()) == []


def test_a_build_given_a_clip_cache_keeps_every_part_there(tmp_path, session_cache):
    elsewhere, chosen = tmp_path / "from-the-environment", tmp_path / "chosen"
    elsewhere.mkdir()
    _seed(chosen, session_cache)
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    # A fresh process: this one may hold the pronouncer's tables already and would not open them again.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import tone_engine; from tts_pipeline import build; "
            "from tts_pipeline.cache import ClipCache; "
            "build(sys.argv[2], output=sys.argv[3], engine='test-tone', cache=ClipCache(sys.argv[4]), quiet=True)")
    subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(article), str(tmp_path / "out"),
                    str(chosen)], env=dict(os.environ, **{ENV_VAR: str(elsewhere)}), check=True)
    assert sorted(elsewhere.iterdir()) == []
    for part in (CLIPS, PRONUNCIATIONS, TABLES, SILENCE):
        assert any((chosen / part.folder).rglob("*")), part
