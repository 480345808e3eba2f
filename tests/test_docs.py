"""The README is a front door, and every command and option has its own entry in the reference."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from tts_pipeline.cli import make_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
README_WORDS = 1500


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the CLI has no subcommands")


PARSER = make_parser()
COMMANDS = _subcommands(PARSER)


def _section(heading: str) -> str:
    """The text of the reference's `## ` section whose heading contains `heading`."""
    for section in re.split(r"^## ", REFERENCE, flags=re.M)[1:]:
        if heading in section.split("\n", 1)[0]:
            return section
    raise AssertionError(f"docs/reference/cli.md has no section `## … {heading} …`")


def _entries(section: str) -> list[str]:
    """The `### ` entry headings of a section."""
    return re.findall(r"^### (.+)$", section, flags=re.M)


def _names(parser: argparse.ArgumentParser) -> list[str]:
    """What a user types: every option string but help, every positional's metavar or choices."""
    names = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.option_strings:
            names.extend(action.option_strings)
        elif action.choices:
            names.extend(action.choices)
        else:
            names.append(action.metavar or action.dest.upper())
    return names


def _has_entry(entries: list[str], name: str) -> bool:
    return any(re.search(rf"`[^`]*(?<![\w-]){re.escape(name)}(?![\w-])[^`]*`", entry) for entry in entries)


ENTRIES = sorted(
    [(command, name) for command, sub in COMMANDS.items() for name in _names(sub)]
    + [("global", name) for name in _names(PARSER)]
)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_a_reference_section(command: str) -> None:
    assert _section(f"`tts-pipeline {command}`")


@pytest.mark.parametrize(("command", "name"), ENTRIES)
def test_every_option_has_its_own_reference_entry(command: str, name: str) -> None:
    section = _section("Global options" if command == "global" else f"`tts-pipeline {command}`")
    assert _has_entry(_entries(section), name), (
        f"docs/reference/cli.md has no `### ` entry for `{name}` under `tts-pipeline {command}`"
    )


def test_the_reference_documents_no_option_the_program_lacks() -> None:
    known = {name for _, name in ENTRIES}
    for command, sub in COMMANDS.items():
        for entry in _entries(_section(f"`tts-pipeline {command}`")):
            for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", entry):
                assert option in known, f"docs/reference/cli.md documents `{option}`, which no command has"


def test_every_command_has_an_example() -> None:
    for command, sub in COMMANDS.items():
        assert sub.epilog and "Example" in sub.epilog, f"`{command} --help` has no Example block"


def test_readme_is_a_front_door_of_at_most_1500_words() -> None:
    words = len(README.split())
    assert words <= README_WORDS, f"README.md has {words} words; keep it under {README_WORDS} and move the rest to docs/"


def test_readme_starts_with_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quick_start and "make test" in quick_start
    assert README.index("## Quick start") < README.index("## A one-minute tour")


def test_readme_links_point_at_files_that_exist() -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert len(local) > 10
    for link in local:
        assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert "make test" in commands
