"""Command line: a thin layer over the library.

Each command has an `_add_<name>` function that declares its options and a
`_run_<name>` function that calls the library and returns an exit code.
"""
from __future__ import annotations

import argparse
import errno
import sys
from typing import Callable, Sequence

from . import __version__, cachelayout
from .errors import PipelineError
from .options import DEFAULT_ENGINE, FORMATS, PausePlan, bitrate_problem, pause_problem


def _chapter_rule(value: str) -> str:
    # The parse package imports numpy (0.2 s); a rebuild with nothing to do, and --help, need neither.
    if value == "auto":
        return value
    from .parse.chapters import chapter_rule

    return chapter_rule(value)


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="turn articles into audio, transcripts and a player",
        description="Turn one or more articles into an output folder of audio, transcripts and a player.",
        epilog="Example:\n  tts-pipeline build examples/chongqing-news.txt -o audio_out/news",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="articles: .txt, .md, .epub, .html/.htm, .docx files, http(s) addresses, or - for stdin")
    p.add_argument("-o", "--output", help="output folder (default: audio_out/<slug>)")
    for add_options in (_add_voice_options, _add_file_options, _add_publishing_options, _add_run_options,
                        _add_learner_options, _add_online_options, _add_lesson_options, _add_parse_options):
        add_options(p)
    p.set_defaults(run=_run_build)


def _add_voice_options(p: argparse.ArgumentParser) -> None:
    """build: the voice."""
    p.add_argument("--engine", default=DEFAULT_ENGINE, metavar="NAME",
                   help=f"speech engine (default: {DEFAULT_ENGINE}; see `tts-pipeline voices`)")
    p.add_argument("--voice", default=None, metavar="NAME",
                   help="voice of an engine that has several, e.g. zh-CN-YunxiNeural for edge (see `tts-pipeline voices --engine NAME`)")
    p.add_argument("--speed", type=_positive_float, default=1.0, help="speaking pace, 1.0 is the voice's own, 0.8 slower (default: 1.0)")
    p.add_argument("--pitch", type=_positive_float, default=1.0, help="pitch multiplier where the engine supports it; edge turns it into hertz (default: 1.0)")
    p.add_argument("--energy", type=_positive_float, default=1.0, help="energy (loudness contour) multiplier where supported (default: 1.0)")
    p.add_argument("--threads", type=_positive_int, default=None, metavar="N", help="CPU threads per engine instance (default: 1, so --jobs N gives the same samples as --jobs 1)")


def _add_file_options(p: argparse.ArgumentParser) -> None:
    """build: the hint policy, the pauses and the audio files."""
    _add_hints_option(p)
    pauses = PausePlan()
    p.add_argument("--pause-sentence", type=_seconds, default=pauses.sentence, metavar="S",
                   help=f"silence after a sentence, seconds (default: {pauses.sentence:g})")
    p.add_argument("--pause-paragraph", type=_seconds, default=pauses.paragraph, metavar="S",
                   help=f"silence after a paragraph, seconds (default: {pauses.paragraph:g})")
    p.add_argument("--pause-chapter", type=_seconds, default=pauses.chapter, metavar="S",
                   help=f"silence before a new chapter, seconds (default: {pauses.chapter:g})")
    p.add_argument("--pause-lead", type=_seconds, default=None, metavar="S", help="silence at the start of each chapter file, seconds (default: the profile's, 0.3 for podcast)")
    p.add_argument(
        "--format", choices=FORMATS, default=None,
        help="chapter and sentence files; book.mp3 is always written, m4b adds book.m4b (default: the profile's, mp3 for podcast)",
    )
    p.add_argument("--bitrate", type=_bitrate, default=None, help="bitrate of lossy files, e.g. 48k, 96k (default: the profile's, 64k for podcast)")


def _add_publishing_options(p: argparse.ArgumentParser) -> None:
    """build: publishing defaults and tags, and what the output folder may hold."""
    from .profiles import DEFAULT as DEFAULT_PROFILE, PROFILES

    p.add_argument(
        "--profile", choices=tuple(PROFILES), default=DEFAULT_PROFILE,
        help="publishing defaults: podcast (-16 LUFS, 64k mp3), audiobook (m4b, -18 LUFS), acx (44.1 kHz 192k CBR "
        "chapter files for audiobook stores); explicit options still win, and the files are checked (default: podcast)",
    )
    p.add_argument("--author", metavar="NAME",
                   help="author or artist written into every file's tags (default: the author an EPUB, page or .docx names)")
    p.add_argument("--cover", metavar="FILE", help="cover art for the tags (PNG or JPEG; scaled to at most 1400 px)")
    p.add_argument("--force", action="store_true", help="write into an output folder that holds files tts-pipeline did not write")
    p.add_argument("--merge", action="store_true", help="several inputs make one book, one chapter per input (default: one folder per input)")


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """build: where the sentences are spoken, the cache, progress and the fallback engine."""
    p.add_argument(
        "--jobs", type=_jobs, default="auto", metavar="N",
        help="synthesise in N worker processes, each loading the voice once; auto: one per core, "
        "at most 4, fewer if memory is short; 1: no workers (default: auto)",
    )
    p.add_argument(
        "--cluster", metavar="ADDRESS",
        help="synthesise on a Ray cluster instead: auto (this machine's cluster, or $RAY_ADDRESS), HOST:PORT of "
        "its head, ray://HOST:10001 (Ray client), or local (a Ray instance for this run); needs the [ray] extra",
    )
    p.add_argument("--actors", type=_positive_int, default=None, metavar="N",
                   help="with --cluster: N actors, each loading the voice once (default: one per CPU of the cluster)")
    p.add_argument("--quiet", action="store_true", help="print no progress and no summary, only errors")
    p.add_argument(
        "--cache-dir", metavar="DIR",
        help="cache folder for clips, readings, the pronouncer's tables and the voice's rewritten models "
        "(default: $TTS_PIPELINE_CACHE, else $XDG_CACHE_HOME/tts_pipeline, else ~/.cache/tts_pipeline)",
    )
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write cached clips or readings (tables and models are still kept)")
    p.add_argument(
        "--fallback", metavar="ENGINE",
        help="engine that speaks any sentence the chosen engine fails on (each use is a warning)",
    )


def _add_learner_options(p: argparse.ArgumentParser) -> None:
    """build: the Anki deck and the shadowing drills."""
    p.add_argument(
        "--anki", action="store_true",
        help="also write deck.apkg: an Anki note per sentence (hanzi, pinyin, audio); a rebuild's deck updates the notes",
    )
    p.add_argument(
        "--shadowing", action="store_true",
        help="also write shadowing drills: shadowing/NN-<title>.mp3 and .lrc per chapter",
    )
    p.add_argument("--repeat", type=int, default=2, metavar="R", help="with --shadowing: plays of each unit (default: 2)")
    p.add_argument(
        "--gap", type=float, default=1.2, metavar="K",
        help="with --shadowing: silence after each play, K times the unit's length (default: 1.2)",
    )
    p.add_argument(
        "--slow-pass", type=float, default=None, metavar="RATE",
        help="with --shadowing: first play each unit at this speed, e.g. 0.75, slowed by the engine itself (default: none)",
    )
    p.add_argument(
        "--drill-chars", type=int, default=25, metavar="N",
        help="with --shadowing: drill sentences over N characters as read (2024 counts four) clause by clause, then whole (default: 25)",
    )


def _add_online_options(p: argparse.ArgumentParser) -> None:
    """build: the online voices' own options (--speed and --pitch above reach espeak too; gtts picks Google's
    slow pace below speed 0.85)."""
    p.add_argument(
        "--gtts-lang", dest="language", choices=("zh-CN", "zh-TW"), default=None,
        help="with --engine gtts: Google's Mandarin voice of mainland China or of Taiwan (default: zh-CN)",
    )
    p.add_argument(
        "--gtts-slow", dest="engine_options", action="append_const", const=("slow", True),
        help="with --engine gtts: Google's slow pace",
    )
    p.add_argument(
        "--gtts-attempts", dest="engine_options", action="append", type=lambda text: ("attempts", _positive_int(text)),
        metavar="N", help="with --engine gtts: tries per sentence before giving up, with growing pauses between (default: 4)",
    )
    p.add_argument(
        "--edge-attempts", dest="engine_options", action="append", type=lambda text: ("attempts", _positive_int(text)),
        metavar="N", help="with --engine edge: tries per sentence before giving up, with growing pauses between (default: 4)",
    )


def _add_lesson_options(p: argparse.ArgumentParser) -> None:
    """build: lessons as teachers write them (docs/guides/lessons.md)."""
    p.add_argument("--latin", choices=("voice", "skip", "spell"), default="voice",
                   help="English and other Latin-script words: spoken by the Latin voice, skipped (with a notice), "
                   "or spelled letter by letter (default: voice)")
    p.add_argument("--latin-voice", default="en", metavar="VOICE",
                   help="espeak-ng voice for Latin-script words, e.g. en, en-us, fr (default: en)")
    p.add_argument("--pinyin-words", choices=("hint", "speak", "skip"), default="hint",
                   help="pinyin written after its word (银行 yínháng): a hint that reads the word, also spoken, "
                   "or only shown (default: hint)")
    p.add_argument("--speak-labels", action="store_true", help="speak dialogue labels such as A： (default: silent)")
    p.add_argument("--speaker", action="append", type=_speaker_register, metavar="LABEL=REGISTER",
                   help="voice register of a dialogue speaker, 0.5-2.0 times the voice's pitch (e.g. B=0.8); "
                   "repeat for several (default: the first speaker 1.0, then 0.82, 1.18, 0.9, 1.1)")


def _add_parse_options(p: argparse.ArgumentParser) -> None:
    """build: how the input is cut into chapters."""
    p.add_argument(
        "--chapters", type=_chapter_rule, default="auto", metavar="RULE",
        help="how to cut chapters: auto (headline, then about 4-minute chapters; Markdown headings), "
        "heading, paragraph, or minutes:N (about N minutes each) (default: auto)",
    )


def _run_build(args: argparse.Namespace) -> int:
    from .incremental import up_to_date_from_args

    if up_to_date_from_args(args):  # before importing the heavy stages
        return 0
    return build_from_args(args)


def _parsed(text: str, convert: Callable[[str], float], expected: str) -> float:
    """`text` converted, or the argparse error that names what was expected."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, not {text!r}") from None


def _speaker_register(text: str):
    from .engines.mixed import speaker_register

    return speaker_register(text)


def _positive_float(text: str) -> float:
    value = _parsed(text, float, "a number")
    if not 0 < value <= 10:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 10, not {value}")
    return value


def _bitrate(text: str) -> str:
    problem = bitrate_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _seconds(text: str) -> float:
    value = _parsed(text, float, "seconds")
    problem = pause_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _positive_int(text: str) -> int:
    value = _parsed(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _jobs(text: str) -> int:
    """--jobs: a count, or `auto` resolved here so the build sees a number."""
    if text.strip().lower() == "auto":
        from .backends.processes import auto_jobs

        return auto_jobs()
    value = _parsed(text, int, "a whole number or auto")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, or auto, not {value}")
    return value


def _add_cache(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cache",
        help="show or empty the cache folder",
        description="Show where the cache folder is and what it holds (info), or delete everything the program "
        "keeps there (clear): clips, readings, the pronouncer's tables, the voice's rewritten models.",
        epilog="Example:\n  tts-pipeline cache info\n  tts-pipeline cache clear --cache-dir /tmp/tts-cache",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=("info", "clear"), help="info: location, what it holds and its size; clear: delete it")
    p.add_argument("--cache-dir", metavar="DIR", help="the cache folder to use (default as for build)")
    p.set_defaults(run=_run_cache)


def _run_cache(args: argparse.Namespace) -> int:
    from .cache import run_cache

    return run_cache(args)


def _add_hints_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hints", choices=("verify", "force", "off"), default="verify", help="hint policy (default: verify)")


def _add_pinyin(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pinyin",
        help="show the reading of every character",
        description="Print the text with its resolved pinyin. Reads lines from stdin when TEXT is absent.",
        epilog='Example:\n  tts-pipeline pinyin "重(chóng)庆的银行" --json\n  tts-pipeline pinyin --input book.epub',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text", nargs="?", help="text to read (default: lines from stdin)")
    p.add_argument("--input", metavar="INPUT",
                   help="read an article instead, one sentence per output line: a file (.txt, .md, .epub, .html, "
                        ".docx), an http(s) address, or - for stdin")
    p.add_argument("--json", action="store_true", help="one JSON array per line, one object per token")
    _add_hints_option(p)
    p.set_defaults(run=_run_pinyin)


def _run_pinyin(args: argparse.Namespace) -> int:
    from .pronunciation.commands import run_pinyin

    return run_pinyin(args)


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="list annotations that were not used as written",
        description="Check an article's pinyin annotations. Exit code 0 when none was rejected, 1 otherwise.",
        epilog="Example:\n  tts-pipeline check examples/chongqing-news.txt",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="article: a file (.txt, .md, .epub, .html, .docx), an http(s) address, or - for stdin")
    _add_hints_option(p)
    p.set_defaults(run=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    from .pronunciation.commands import run_check

    return run_check(args)


def _add_voices(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "voices",
        help="list the speech engines and whether each can run here",
        description=(
            "List the speech engines: whether each is usable on this machine and if not why, "
            "its sample rate, whether it needs the network, and what it is. With --engine: that engine's voices."
        ),
        epilog="Example:\n  tts-pipeline voices\n  tts-pipeline voices --engine edge",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--engine", metavar="NAME", help="list the voices of this engine (edge asks Microsoft when online)")
    p.set_defaults(run=_run_voices)


def _run_voices(args: argparse.Namespace) -> int:
    from .engines.commands import run_voices

    return run_voices(args)


def _add_feed(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "feed",
        help="write a podcast feed (RSS) over built output folders",
        description="Write an RSS 2.0 podcast feed (iTunes and Podcasting 2.0 tags) with one episode per output "
        "folder: the book as the enclosure, transcripts and chapters linked. An existing feed file keeps its "
        "other episodes; an episode's GUID stays the same when the feed is written again.",
        epilog="Example:\n  tts-pipeline feed audio_out/news-0704 audio_out/news-0705 "
        "--base-url https://example.org/news -o audio_out/feed.xml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("folders", nargs="+", metavar="OUTPUT_FOLDER", help="folders written by `tts-pipeline build`")
    p.add_argument("--base-url", required=True, metavar="URL",
                   help="where the folders are served: each folder's files are at URL/<folder name>/...")
    p.add_argument("-o", "--output", default="feed.xml", help="feed file to write (default: feed.xml)")
    p.add_argument("--title", help="the podcast's title (default: the first folder's title)")
    p.add_argument("--author", metavar="NAME", help="the podcast's author (default: the first folder's --author)")
    p.add_argument("--image", metavar="URL", help="the podcast's cover image (default: the first folder's --cover)")
    p.set_defaults(run=_run_feed)


def _run_feed(args: argparse.Namespace) -> int:
    from .export.feed import feed_from_args

    return feed_from_args(args)


COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_build,
    _add_feed,
    _add_pinyin,
    _add_check,
    _add_voices,
    _add_cache,
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tts-pipeline",
        description="Turn an annotated Chinese article into an audio companion.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        with cachelayout.using(getattr(args, "cache_dir", None)):  # --cache-dir moves every part of the cache
            return args.run(args)
    except PipelineError as exc:
        if args.debug:
            raise
        print(f"tts-pipeline: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tts-pipeline: interrupted; finished work is kept, run again to resume", file=sys.stderr)
        return 130
    except OSError as exc:
        if args.debug:
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            print(f"tts-pipeline: error: disk full{where}; free space and run again to resume", file=sys.stderr)
        else:
            print(f"tts-pipeline: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 4
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if args.debug:
            raise
        print(
            f"tts-pipeline: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return 70


def build_from_args(args) -> int:
    """The `build` command: options from argparse, manifest summary on stdout."""
    from .pipeline import build
    from .engines.base import VoiceSettings
    from .profiles import profile as find_profile
    from .engines.mixed import lesson_settings
    from .pronunciation.lesson import lesson_options

    chosen = find_profile(getattr(args, "profile", None))
    pauses = PausePlan(
        sentence=args.pause_sentence,
        paragraph=args.pause_paragraph,
        chapter=args.pause_chapter,
        lead=chosen.lead if args.pause_lead is None else args.pause_lead,
    )
    settings = VoiceSettings(
        speed=args.speed,
        pitch=args.pitch,
        energy=args.energy,
        threads=args.threads,
        language=getattr(args, "language", None),
        voice=getattr(args, "voice", None),
        options=tuple(getattr(args, "engine_options", ()) or ()),
        **lesson_settings(args),
    )
    cache = None
    if not getattr(args, "no_cache", False):
        from .cache import cache_from_args

        cache = cache_from_args(args)
    build(
        *args.inputs,
        output=args.output,
        engine=args.engine,
        settings=settings,
        fallback=getattr(args, "fallback", None),
        pauses=pauses,
        format=args.format,
        bitrate=args.bitrate,
        force=args.force,
        hints=args.hints,
        chapters=getattr(args, "chapters", "auto"),
        merge=args.merge,
        jobs=getattr(args, "jobs", 1),
        cache=cache,
        quiet=getattr(args, "quiet", False),
        shadowing=_shadowing_options(args),
        stamp=getattr(args, "stamp", None),
        profile=chosen,
        author=getattr(args, "author", None),
        cover=getattr(args, "cover", None),
        cluster=getattr(args, "cluster", None),
        actors=getattr(args, "actors", None),
        anki=getattr(args, "anki", False),
        lesson=lesson_options(args),
    )
    return 0


def _shadowing_options(args):
    if not getattr(args, "shadowing", False):
        return None
    import dataclasses

    from .learn.shadowing import ShadowingOptions

    names = {f.name for f in dataclasses.fields(ShadowingOptions)}
    given = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    return ShadowingOptions(**given)


if __name__ == "__main__":
    sys.exit(main())
