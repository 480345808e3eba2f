"""The command line imports no stage (nor numpy) until a command needs one."""
from __future__ import annotations

import pytest

from freshimports import imported_by
from tts_pipeline.cli import make_parser


def test_parsing_a_build_command_imports_neither_parse_nor_numpy():
    code = ("from tts_pipeline.cli import make_parser; "
            "args = make_parser().parse_args(['build', 'a.txt']); assert args.chapters == 'auto'")
    assert imported_by(code, ("numpy", "tts_pipeline.parse", "tts_pipeline.model")) == []


@pytest.mark.parametrize("rule", ["auto", "heading", "paragraph", "minutes:2.5"])
def test_every_chapter_rule_is_still_accepted(rule):
    assert make_parser().parse_args(["build", "a.txt", "--chapters", rule]).chapters == rule


@pytest.mark.parametrize("rule", ["nope", "minutes:0", "Auto"])
def test_a_wrong_chapter_rule_is_still_refused(rule, capsys):
    with pytest.raises(SystemExit):
        make_parser().parse_args(["build", "a.txt", "--chapters", rule])
    assert "minutes:N" in capsys.readouterr().err


def test_the_stage_dataclasses_and_the_parser_do_not_import_numpy():
    code = "import tts_pipeline.model, tts_pipeline.parse; tts_pipeline.parse.read_article"
    assert imported_by(code, ("numpy",)) == []
