"""Rules of issue 19 that hold across the package and its tests, checked on their source."""
from __future__ import annotations

import ast
import os
import re
import tempfile
from pathlib import Path

from tts_pipeline import cachelayout

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
PACKAGE = ROOT / "tts_pipeline"


def sources(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py"))}


def test_no_test_patches_a_private_name():
    """Tests go through public seams (a Clock, an environment variable a user sets, a real limit on file size),
    not by swapping a module's private functions."""
    found = []
    for name, text in sources(TESTS).items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setattr":
                strings = [a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if any(part.startswith("_") and not part.startswith("__") for s in strings for part in s.split(".")):
                    found.append(f"{name}:{node.lineno}")
    assert found == []


def test_no_test_is_skipped_because_the_projects_own_module_failed_to_import():
    pattern = re.compile(r"importorskip\(\s*[\"']tts_pipeline|except (ImportError|ModuleNotFoundError).*:\s*\n\s*pytest\.skip")
    found = [name for name, text in sources(TESTS).items() if name != "tests/test_suite_rules.py" and pattern.search(text)]
    assert found == []


def test_the_suite_uses_a_temporary_cache_and_not_the_users():
    folder = Path(os.environ[cachelayout.ENV_VAR])
    assert folder.is_relative_to(Path(tempfile.gettempdir()).resolve()) or not folder.is_relative_to(Path.home())
    assert cachelayout.current().root == folder


def _handlers(text: str):
    tree = ast.parse(text)
    lines = text.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler):
            caught = node.type
            names = [caught] if not isinstance(caught, ast.Tuple) else list(caught.elts)
            if caught is None or any(isinstance(n, ast.Name) and n.id in ("Exception", "BaseException") for n in names):
                yield node, lines[node.lineno - 1]


def test_every_broad_exception_handler_re_raises_or_says_why():
    """`except Exception` (or BaseException, or a bare except) either cleans up and raises again, or carries a
    comment saying why nothing narrower will do."""
    found = []
    for name, text in sources(PACKAGE).items():
        for handler, line in _handlers(text):
            raises = any(isinstance(n, ast.Raise) for n in ast.walk(handler))
            justified = re.search(r"# noqa: BLE001 - \w+", line)
            if not raises and not justified:
                found.append(f"{name}:{handler.lineno}: {line.strip()}")
    assert found == []


def test_pickle_is_read_only_from_the_g2pm_wheel_and_the_worker_pipes():
    """No pickle in the cache folder or any file the package writes: g2pM's wheel ships its weights only as pickles
    (read by a restricted unpickler), and worker processes exchange pickles with their parent over pipes."""
    users = {name for name, text in sources(PACKAGE).items() if re.search(r"^\s*import pickle|^\s*from pickle", text, re.M)}
    assert users == {"tts_pipeline/pronunciation/context_model.py", "tts_pipeline/backends/processes.py"}
    assert "pickle.load(" not in sources(PACKAGE)["tts_pipeline/pronunciation/context_model.py"]


def test_every_environment_variable_the_package_reads_is_documented():
    docs = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    named = set()
    for text in sources(PACKAGE).values():
        named |= set(re.findall(r"\"((?:TTS_PIPELINE|XDG)_[A-Z_]+)\"", text))
        named |= set(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z_]+)\"", text))
    assert named, "no environment variable found: the pattern is stale"
    assert sorted(v for v in named if v not in docs) == []
