"""The command line imports no stage (nor numpy) until a command needs one."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tts_pipeline.cli import make_parser


def test_parsing_a_build_command_imports_neither_parse_nor_numpy():
    code = ("import sys; from tts_pipeline.cli import make_parser; "
            "args = make_parser().parse_args(['build', 'a.txt']); assert args.chapters == 'auto'; "
            "print(sorted(m for m in ('numpy', 'tts_pipeline.parse', 'tts_pipeline.model') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("rule", ["auto", "heading", "paragraph", "minutes:2.5"])
def test_every_chapter_rule_is_still_accepted(rule):
    assert make_parser().parse_args(["build", "a.txt", "--chapters", rule]).chapters == rule


@pytest.mark.parametrize("rule", ["nope", "minutes:0", "Auto"])
def test_a_wrong_chapter_rule_is_still_refused(rule, capsys):
    with pytest.raises(SystemExit):
        make_parser().parse_args(["build", "a.txt", "--chapters", rule])
    assert "minutes:N" in capsys.readouterr().err
