"""Every module of the package reads in one sitting: at most 500 lines, and no function over 60.

A module or function that must be longer is named in OVER, with the reason in docs/architecture.md's
"Sizes" section, so that growing past the limit is a decision and not a drift.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tts_pipeline"
MODULE_LINES = 500
FUNCTION_LINES = 60
# "path" or "path:function" -> its limit; each needs its reason in docs/architecture.md ("Sizes").
OVER: dict[str, int] = {}


def _sizes():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        yield name, len(source.splitlines()), MODULE_LINES
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # def line to last line, docstring included
                yield f"{name}:{node.name}", node.end_lineno - node.lineno + 1, FUNCTION_LINES


def test_no_module_or_function_is_over_its_limit():
    over = [f"{name}: {lines} lines (limit {OVER.get(name, limit)})"
            for name, lines, limit in _sizes() if lines > OVER.get(name, limit)]
    assert not over, ("split these by meaning, or name them in OVER with the reason in docs/architecture.md: "
                      + "; ".join(over))
    sizes_section = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").split("## Sizes", 1)[1]
    unexplained = [name for name in OVER if name.split(":")[-1] not in sizes_section]
    assert not unexplained, f"docs/architecture.md's Sizes section does not say why these are long: {unexplained}"
