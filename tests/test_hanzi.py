"""One rule for what a Han character is, used by parse, pronounce and the engines."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tts_pipeline.hanzi import is_han
from tts_pipeline.pronunciation import pronounce_line, pronounce_text

PACKAGE = Path(__file__).resolve().parent.parent / "tts_pipeline"


@pytest.mark.parametrize("char", ["重", "〇", "\u3400", "\u4dbf", "\u9fff", "\uf900", "\U00020000", "\U0003134f"])
def test_han_characters_of_every_block(char: str) -> None:
    assert is_han(char)


@pytest.mark.parametrize("char", ["a", "1", "。", "、", "ー", "\u3006", "\u3008", "가", "\U00031350"])
def test_not_han(char: str) -> None:
    assert not is_han(char)


def test_ideographic_zero_is_read_ling() -> None:
    tokens = pronounce_text("二〇二四年")
    assert [t.pinyin for t in tokens] == ["er4", "ling2", "er4", "si4", "nian2"]


def test_ideographic_zero_takes_its_annotation() -> None:
    tokens = pronounce_text("二〇(líng)二四年")
    assert tokens[1].text == "〇" and tokens[1].pinyin == "ling2" and tokens[1].source == "hint"


def test_a_han_character_without_any_reading_is_reported() -> None:
    pron = pronounce_line("好\U00030000好")
    assert pron.tokens[1].pinyin is None
    (notice,) = pron.notices
    assert notice.code == "no-reading" and notice.text == "\U00030000"


def test_no_module_writes_its_own_han_test() -> None:
    """Every module asks hanzi.is_han; none defines a function of that name or a Han code range."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "hanzi.py":
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") == "is_han":
                offenders.append(f"{path.name}: def {node.name}")
        if "9fff" in source.lower() or "9FFF" in source:
            offenders.append(f"{path.name}: a Han code range")
    assert offenders == []
