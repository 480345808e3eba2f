"""The `pinyin` and `check` commands (cli.py declares their options)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Iterable, TextIO

from ..model import Pronunciation, Token
from .hints import REJECTED
from .readings import marked_line, shown_syllables

# Marks after which (or before which) no space is printed in the pinyin line.
_CLOSING = set("，。！？；：、,.!?;:)）」』》”’")
_OPENING = set("(（「『《“‘")


def pinyin_line(tokens: Iterable[Token]) -> str:
    """The tone-marked reading of a line: one syllable per character, punctuation kept."""
    out = ""
    for token, syllables in shown_syllables(tokens):
        piece = marked_line(syllables) if syllables else token.text
        if not piece.strip():
            continue
        glue = not out or out[-1] in _OPENING or (token.pinyin is None and piece[0] in _CLOSING)
        out += piece if glue else " " + piece
    return out


def token_objects(tokens: Iterable[Token]) -> list[dict]:
    return [{"text": t.text, "pinyin": t.pinyin, "source": t.source} for t in tokens]


def _lines(args: argparse.Namespace, stdin: TextIO) -> Iterable[str]:
    if args.text is not None:
        yield from args.text.splitlines() or [""]
    else:
        for line in stdin:
            yield line.rstrip("\r\n")


def _pronunciations(args: argparse.Namespace, stdin: TextIO) -> Iterable[Pronunciation]:
    """One per line of TEXT or stdin, or with --input one per sentence of the article it names."""
    from . import pronounce_article, pronounce_line

    if getattr(args, "input", None) is None:
        return (pronounce_line(line, args.hints, index=n) for n, line in enumerate(_lines(args, stdin)))
    if args.text is not None:
        from ..errors import PipelineError

        raise PipelineError("give TEXT or --input, not both")
    from ..parse import read_article

    return pronounce_article(read_article(args.input), args.hints)


def run_pinyin(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    for pron in _pronunciations(args, stdin):
        for notice in pron.notices:
            print(f"tts-pipeline: {notice.position}: {notice.message}", file=sys.stderr)
        if args.json:
            print(json.dumps(token_objects(pron.tokens), ensure_ascii=False), file=stdout)
        else:
            print(pron.sentence.text, file=stdout)
            print(pinyin_line(pron.tokens), file=stdout)
        stdout.flush()
    return 0


def run_check(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    from ..parse import read_article
    from . import pronounce_article

    stdout = stdout or sys.stdout
    article = read_article(args.file)
    hints = rejected = 0
    for pron in pronounce_article(article, args.hints):
        hints += sum(len(h.syllables) for h in pron.sentence.hints)
        for notice in pron.notices:
            print(f"{notice.position}: {notice.message}", file=stdout)
            rejected += notice.code in REJECTED
    if args.hints == "off":
        print(f"{article.source}: hints are off: {hints} annotated characters not checked", file=stdout)
        return 0
    print(f"{article.source}: {rejected} of {hints} annotated characters not read as written", file=stdout)
    return 1 if rejected else 0
