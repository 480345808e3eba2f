"""The documentation site builds with `mkdocs build --strict`, and the Python examples in it run as shown."""
from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_site_builds_strictly(tmp_path: Path) -> None:
    pytest.importorskip("material", reason="mkdocs-material is not installed (the `docs` extra; `make test` installs it)")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").exists()


def _examples() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if re.search(r"```python\n>>>", p.read_text(encoding="utf-8")))


def test_the_docs_have_python_examples() -> None:
    names = {p.name for p in _examples()}
    assert {"annotations.md", "text.md", "numbers.md"} <= names


@pytest.mark.parametrize("page", _examples(), ids=lambda p: str(p.relative_to(DOCS)))
def test_docs_examples_run_as_shown(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = page.read_text(encoding="utf-8")
    examples = "\n".join(block for block in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in block)
    monkeypatch.chdir(ROOT)
    name = str(page.relative_to(ROOT))
    test = doctest.DocTestParser().get_doctest(examples, {}, name, name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{name}: its examples differ from what the code prints"
