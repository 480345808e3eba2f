"""Every command and every option the CLI offers is documented in the README."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from tts_pipeline.cli import make_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the CLI has no subcommands")


COMMANDS = _subcommands()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_is_documented(command: str) -> None:
    assert re.search(rf"tts-pipeline {command}\b", README), f"README never shows `tts-pipeline {command}`"


OPTIONS = sorted(
    (command, option)
    for command, sub in COMMANDS.items()
    for action in sub._actions
    for option in action.option_strings
    if option.startswith("--") and option != "--help"
)


@pytest.mark.parametrize(("command", "option"), OPTIONS)
def test_option_is_documented(command: str, option: str) -> None:
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", README), (
        f"README does not document `tts-pipeline {command} {option}`"
    )


def test_every_command_has_an_example() -> None:
    for command, sub in COMMANDS.items():
        assert sub.epilog and "Example" in sub.epilog, f"`{command} --help` has no Example block"


def test_readme_starts_with_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quick_start and "make test" in quick_start


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert "make test" in commands
