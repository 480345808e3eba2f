"""`build --cluster` where Ray is not wanted or not there: the embedded default never imports Ray, and
`--cluster` without the [ray] extra says how to install it, in one line, exit 2. Neither needs Ray."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tts_pipeline.backends import ray_missing

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
ARTICLE = "# 第一章\n\n今天我们学习中文。老师和朋友去了公园。\n"


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    # tests/plugin: the test engines' entry point, as an installed engine plugin's
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS), str(TESTS / "plugin"), str(ROOT),
                                                                    os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_build_without_cluster_never_imports_ray(tmp_path):
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    for jobs in (1, 2):
        done = run_python(
            "import sys; from tts_pipeline import build\n"
            f"build('a.md', output='out{jobs}', engine='test-tone', jobs={jobs})\n"
            "assert 'ray' not in sys.modules, sorted(m for m in sys.modules if m.startswith('ray'))\n"
            "print('built')", tmp_path)
        assert done.returncode == 0, done.stderr
        assert "built" in done.stdout
        assert (tmp_path / f"out{jobs}" / "book.mp3").exists()


def test_cluster_without_ray_installed_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    # sys.modules["ray"] = None is how Python marks a module that cannot be imported: as if Ray were absent
    done = run_python(
        "import sys; sys.modules['ray'] = None\n"
        "from tts_pipeline.cli import main\n"
        "sys.exit(main(['build', 'a.md', '-o', 'out', '--engine', 'test-tone', '--cluster', 'local']))", tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"tts-pipeline: error: {ray_missing()}"]
    # what pyproject.toml's [ray] extra asks for, which pip finds (tts-pipeline itself is not on PyPI)
    assert "pip install 'ray[client]>=2.60' (or, in a clone of tts-pipeline, pip install -e '.[ray]')" in done.stderr
    assert not (tmp_path / "out").exists()
