"""The main job: article files in, an output folder of audio, transcripts and a manifest out.

read_article -> pronounce_article -> synthesize_all -> stitch -> export, one
chapter at a time. Everything is written into a staging folder and swapped
into place at the end, so a failed build leaves the previous output intact.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sys
import types
import unicodedata
import wave
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from . import __version__, engines
from .engines.base import VoiceSettings
from .errors import EngineError, PipelineError
from .export import ffmpeg
from .export.folder import OutputFolder, output_error
from .export.id3 import write_chapters
from .export.manifest import (
    ChapterEntry,
    EngineInfo,
    Files,
    Manifest,
    SentenceEntry,
    TokenEntry,
    WarningEntry,
)
from .export.transcripts import WRITERS, Cue, pinyin_line
from .model import Article, Chapter, Notice, Paragraph, Pronunciation
from .stitch import ChapterAssembler, ChapterTiming, PausePlan, SentenceTiming, Timeline

DEFAULT_ROOT = Path("audio_out")
DEFAULT_BITRATE = "64k"
FORMATS = ffmpeg.FORMATS


def slug(name: str, fallback: str = "book", limit: int = 60) -> str:
    """A file-name-safe form of `name`: letters and digits of any script (Han
    characters stay as they are), lower-cased, everything else a dash."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = re.sub(r"[^\w]+|_+", "-", text).strip("-")
    return text[:limit].strip("-") or fallback


@dataclass(frozen=True)
class _Options:
    engine: str
    settings: VoiceSettings
    fallback: str | None
    pauses: PausePlan
    format: str
    bitrate: str
    force: bool
    hints: str
    jobs: int
    cache: Any
    quiet: bool
    shadowing: Any
    player: bool
    stamp: str | None = None  # incremental.stamp_from_args: lets an unchanged output be kept as it is


def build(
    *inputs: str | Path,
    output: str | Path | None = None,
    engine: str = engines.DEFAULT_ENGINE,
    speed: float = 1.0,
    pitch: float = 1.0,
    energy: float = 1.0,
    threads: int | None = None,
    settings: VoiceSettings | None = None,
    fallback: str | None = None,
    pauses: PausePlan | None = None,
    format: str = "mp3",
    bitrate: str = DEFAULT_BITRATE,
    force: bool = False,
    hints: str = "verify",
    chapters: str = "auto",
    merge: bool = False,
    jobs: int = 1,
    cache: Any = None,
    quiet: bool = True,
    shadowing: Any = None,
    player: bool = True,
    stamp: str | None = None,
) -> Manifest | tuple[Manifest, ...]:
    """Build the output folder for each input and return its manifest.

    One input, or several with `merge=True` (one book, one chapter per input):
    returns one Manifest and writes to `output` (default audio_out/<slug>).
    Several inputs without `merge`: one folder per input, inside `output` when
    given, and a tuple of Manifests in input order.
    """
    from .parse import read_article

    if not inputs:
        raise PipelineError("build needs at least one input file")
    if format not in FORMATS:
        raise PipelineError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if not re.fullmatch(r"[1-9][0-9]{0,3}k", bitrate):
        raise PipelineError(f"bitrate {bitrate!r} is not like 64k; give kilobits per second followed by k")
    engines.engine_class(engine)  # unknown names fail before any work
    if fallback:
        engines.engine_class(fallback)
    options = _Options(
        engine=engine,
        settings=settings or VoiceSettings(speed=speed, pitch=pitch, energy=energy, threads=threads),
        fallback=fallback,
        pauses=pauses or PausePlan(),
        format=format,
        bitrate=bitrate,
        force=force,
        hints=hints,
        jobs=jobs,
        cache=cache,
        quiet=quiet,
        shadowing=shadowing,
        player=player,
        stamp=stamp,
    )
    paths = [Path(p) for p in inputs]
    if merge or len(paths) == 1:
        articles = [read_article(p, chapters=chapters) for p in paths]
        if len(articles) == 1:
            article, sources = articles[0], [articles[0].source] * len(articles[0].chapters)
        else:
            article, sources = merge_articles(articles, title=_folder_title(paths))
        default = slug(_folder_title(paths)) if merge else slug(paths[0].stem)
        root = Path(output) if output else DEFAULT_ROOT / default
        return _build_book(article, sources, root, options)
    parent = Path(output) if output else DEFAULT_ROOT
    roots = _unique_roots(parent, paths)
    manifests = []
    for path, root in zip(paths, roots):
        article = read_article(path, chapters=chapters)
        manifests.append(_build_book(article, [article.source] * len(article.chapters), root, options))
    return tuple(manifests)


def _folder_title(paths: Sequence[Path]) -> str:
    return paths[0].resolve().parent.name or paths[0].stem


def _unique_roots(parent: Path, paths: Sequence[Path]) -> list[Path]:
    roots: list[Path] = []
    for path in paths:
        name = base = slug(path.stem)
        n = 2
        while parent / name in roots:
            name, n = f"{base}-{n}", n + 1
        roots.append(parent / name)
    return roots


def merge_articles(articles: Sequence[Article], title: str) -> tuple[Article, list[str]]:
    """One Article whose chapters are the inputs; sentences renumbered across the book."""
    chapters: list[Chapter] = []
    index = 0
    for number, article in enumerate(articles, 1):
        paragraphs = []
        for paragraph in (p for c in article.chapters for p in c.paragraphs):
            sentences = []
            for sentence in paragraph.sentences:
                sentences.append(replace(sentence, index=index))
                index += 1
            paragraphs.append(Paragraph(tuple(sentences)))
        chapters.append(Chapter(number, article.title, tuple(paragraphs)))
    sources = [a.source for a in articles]
    return Article(title=title, source=", ".join(sources), chapters=tuple(chapters)), sources


def _build_book(article: Article, sources: Sequence[str], root: Path, options: _Options) -> Manifest:
    from .incremental import OutputKeys, record_output, root_stamp

    # Incremental rebuilds (cache owner): an output made with the same stamp
    # is kept; otherwise unchanged chapters are linked, not encoded again.
    stamp = root_stamp(options.stamp, root) if options.stamp else None
    keys = OutputKeys.load(root)
    if keys.up_to_date(stamp):
        return Manifest.read(root / "manifest.json")
    folder = OutputFolder(root, force=options.force)
    staging = folder.prepare()
    try:
        try:
            manifest = _write_book(article, sources, folder, staging, options, keys, stamp)
        except OSError as exc:
            raise output_error(exc, root) from None
        folder.commit()
        if options.stamp and options.cache is not None:
            record_output(options.cache.root, options.stamp, root)
        if not options.quiet:
            print(f"wrote {root}{os.sep}")
        return manifest
    except BaseException:
        folder.abort()
        raise


def _pronounce(article: Article, policy: str, cache_dir: Path | None = None) -> Iterator[Pronunciation]:
    from .pronounce import pronounce_article

    return pronounce_article(article, policy=policy, cache_dir=cache_dir)


_STAGE_PRONOUNCE = _pronounce


def _pronunciations(article: Article, options: _Options) -> Iterator[Pronunciation]:
    """The pronounce stage, reading from the pronunciation cache when the build has a cache folder."""
    root = getattr(options.cache, "root", None)
    if root is None or _pronounce is not _STAGE_PRONOUNCE:  # tests may swap in a stage of their own
        return _pronounce(article, options.hints)
    return _pronounce(article, options.hints, root)


def _synthesize(pronunciations: Iterable[Pronunciation], options: _Options, progress) -> Iterator[tuple]:
    from .synthesize import synthesize_all

    return synthesize_all(
        pronunciations,
        options.engine,
        options.settings,
        fallback=options.fallback,
        jobs=options.jobs,
        cache=options.cache,
        progress=progress,
    )


def _progress(article: Article, quiet: bool):
    try:
        from .progress import Progress
    except ImportError:
        return None
    return Progress.for_article(article, quiet=quiet)


def _warning(notice: Notice, sentence_id: str) -> WarningEntry:
    position = notice.position
    return WarningEntry(
        code=notice.code,
        message=notice.message,
        sentence=sentence_id,
        path=position.path if position else None,
        line=position.line if position else None,
        column=position.column if position else None,
        text=notice.text,
        hint=notice.hint,
        used=notice.used,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class _Encoders:
    """A finished chapter is fed to the book encoders and its chapter and
    sentence files are encoded in a background thread (ffmpeg does the work in
    its own processes) while the next chapter is synthesised. Chapters are
    handled in order; at most `AHEAD` wait, so their WAVs cannot pile up."""

    AHEAD = 2

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode")
        self._pending: list[Future] = []

    def submit(self, fn, *args) -> None:
        self._pending.append(self._pool.submit(fn, *args))
        while self._pending and (self._pending[0].done() or len(self._pending) > self.AHEAD):
            self._pending.pop(0).result()

    def wait(self) -> None:
        try:
            for future in self._pending:
                future.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def cancel(self) -> None:
        """After a failure: let running ffmpeg processes end, drop the rest, raise nothing."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _feed_book(wav: Path, books: Sequence[ffmpeg.StreamEncoder]) -> None:
    with wave.open(str(wav), "rb") as audio:
        while data := audio.readframes(1 << 19):
            for book in books:
                book.write(data)


def _encode_chapter(wav: Path, books, target: Path | None, cuts, codec: ffmpeg.Codec, bitrate: str, title: str) -> None:
    """Feed the chapter to the book and write its chapter and sentence files (unless `target` is None: reused).

    The three are separate ffmpeg processes reading the same WAV; run side by
    side they keep both cores busy once the last chapter is assembled."""
    if target is None:
        _feed_book(wav, books)
        wav.unlink()
        return
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="encode-files") as side:
        jobs = [side.submit(ffmpeg.encode_sentences, wav, cuts, codec, bitrate)]
        if codec.extension != "wav":
            jobs.append(side.submit(ffmpeg.encode_file, wav, target, codec, bitrate, title=title))
        _feed_book(wav, books)
        for job in jobs:
            job.result()
    if codec.extension == "wav":
        wav.replace(target)
    else:
        wav.unlink()


def _sentence_entry(pron: Pronunciation, span: SentenceTiming, engine: str, chapter: ChapterTiming,
                    extension: str, rate: int) -> SentenceEntry:
    sentence = pron.sentence
    return SentenceEntry(
        id=sentence.id,
        index=sentence.index,
        chapter=chapter.index,
        paragraph=span.paragraph,
        text=sentence.text,
        pinyin=pinyin_line(pron.tokens),
        tokens=tuple(TokenEntry(t.text, t.pinyin, t.source) for t in pron.tokens),
        engine=engine,
        file=f"sentences/{sentence.id}.{extension}",
        start=round(span.start / rate, 3),
        end=round(span.end / rate, 3),
        book_start=round((chapter.start + span.start) / rate, 3),
        book_end=round((chapter.start + span.end) / rate, 3),
    )


def _write_book(article: Article, sources: Sequence[str], folder: OutputFolder, staging: Path, options: _Options,
                keys=None, stamp: str | None = None) -> Manifest:
    from .incremental import chapter_key

    rate = engines.engine_class(options.engine).sample_rate
    codec = ffmpeg.file_codec(options.format)
    pauses = options.pauses
    work = staging / ".work"
    for sub in (work, staging / "chapters", staging / "sentences"):
        sub.mkdir()
    width = max(2, len(str(len(article.chapters))))
    progress = _progress(article, options.quiet)
    pairs = iter(_synthesize(_pronunciations(article, options), options, progress))

    book = ffmpeg.StreamEncoder(staging / "book.mp3", rate, ffmpeg.CODECS["mp3"], options.bitrate)
    m4a = None
    if options.format == "m4b":
        m4a = ffmpeg.StreamEncoder(work / "book.m4a", rate, ffmpeg.CODECS["m4a"], options.bitrate)
    encoders = _Encoders()
    chapters: list[ChapterEntry] = []
    timings: list[ChapterTiming] = []
    sentences: list[SentenceEntry] = []
    warnings: list[WarningEntry] = []
    position = 0
    try:
        for number, chapter in enumerate(article.chapters):
            chapter_file = f"chapters/{chapter.index:0{width}d}-{slug(chapter.title, 'chapter', 40)}.{codec.extension}"
            assembler = ChapterAssembler(chapter.index, chapter.title, rate, pauses, work / f"{number}.f32")
            closing = pauses.paragraph if number == len(article.chapters) - 1 else pauses.chapter
            content = chapter_key(chapter.title, chapter_file, pauses, options.format, options.bitrate, closing)
            pending: list[tuple[Any, Pronunciation, str]] = []
            try:
                for paragraph_index, paragraph in enumerate(chapter.paragraphs):
                    for sentence in paragraph.sentences:
                        try:
                            pron, clip = next(pairs)
                            content.add(clip, sentence.id, paragraph_index)
                        except StopIteration:
                            raise EngineError(f"synthesis stopped before sentence {sentence.id} ({sentence.position})") from None
                        span = assembler.add(clip, sentence.index, paragraph_index)
                        pending.append((span, pron, clip.engine))
                        warnings.extend(_warning(n, sentence.id) for n in (*pron.notices, *clip.notices))
                wav = work / f"{number}.wav"
                timing = assembler.finish(closing, wav, position)
            except BaseException:
                assembler.abandon()
                raise
            timings.append(timing)
            entries = [_sentence_entry(pron, span, engine_name, timing, codec.extension, rate)
                       for span, pron, engine_name in pending]
            sentences.extend(entries)
            cuts = [(span.start, span.end, folder.inside(entry.file)) for (span, _, _), entry in zip(pending, entries)]
            chapters.append(
                ChapterEntry(
                    index=chapter.index,
                    title=chapter.title,
                    file=chapter_file,
                    start=round(position / rate, 3),
                    end=round(timing.end / rate, 3),
                    source=sources[number] if number < len(sources) else article.source,
                    loudness=timing.loudness,
                    true_peak=timing.true_peak,
                )
            )
            files = [chapter_file] + [f"sentences/{pron.sentence.id}.{codec.extension}" for _, pron, _ in pending]
            books = [book] + ([m4a] if m4a else [])
            if keys is not None and keys.reuse_chapter(content.hexdigest(), staging, files):
                encoders.submit(_encode_chapter, wav, books, None, cuts, codec, options.bitrate, chapter.title)
            else:
                encoders.submit(_encode_chapter, wav, books, folder.inside(chapter_file), cuts, codec, options.bitrate,
                                chapter.title)
            position = timing.end
        if progress is not None:
            progress.note("finishing the book file")
        encoders.wait()
        book.close()
        if m4a:
            m4a.close()
    except BaseException:
        book.kill()
        if m4a:
            m4a.kill()
        encoders.cancel()
        raise

    timeline = Timeline(rate, tuple(timings))
    marks_ms = [(round(t.start * 1000 / rate), round(t.end * 1000 / rate), t.title) for t in timeline.chapters]
    write_chapters(staging / "book.mp3", article.title, marks_ms, f"tts-pipeline {__version__}")
    if m4a:
        ffmpeg.write_m4b(work / "book.m4a", staging / "book.m4b", [(t.start, t.end, t.title) for t in timeline.chapters], article.title, rate)

    cues = [Cue(s.id, s.book_start, s.book_end, s.text, s.pinyin) for s in sentences]
    for kind, writer in WRITERS.items():
        (staging / f"transcript.{kind}").write_text(writer(cues, article.title), encoding="utf-8")

    settings = _plain(dataclasses.asdict(options.settings))
    manifest = Manifest(
        title=article.title,
        source=article.source,
        created_by=f"tts-pipeline {__version__}",
        engine=EngineInfo(options.engine, settings, options.fallback),
        sample_rate=rate,
        duration=timeline.seconds(timeline.length),
        files=Files(
            book="book.mp3",
            book_m4b="book.m4b" if m4a else None,
            lrc="transcript.lrc",
            srt="transcript.srt",
            vtt="transcript.vtt",
            player="index.html" if options.player else None,
        ),
        chapters=tuple(chapters),
        sentences=tuple(sentences),
        warnings=tuple(warnings),
        sources=tuple(dict.fromkeys(sources)),
        pauses=dataclasses.asdict(pauses),
    )
    shutil.rmtree(work)
    if progress is not None and options.shadowing is not None:
        progress.note("writing shadowing drills")
    manifest = _learner_files(article, staging, manifest, options)
    (staging / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    if keys is not None:
        keys.write(staging, stamp)
    if progress is not None:
        progress.finish(warnings=len(warnings))
    return manifest


def _learner_files(article: Article, staging: Path, manifest: Manifest, options: _Options) -> Manifest:
    """Shadowing drills (when asked) and the player page, written by tts_pipeline.learn."""
    if options.shadowing is not None:
        from .learn.shadowing import render_shadowing

        entry = render_shadowing(
            staging,
            _pronunciations(article, options),
            manifest.to_dict(),
            engine=options.engine,
            settings=options.settings,
            options=options.shadowing,
            fallback=options.fallback,
            jobs=options.jobs,
            cache=options.cache,
            bitrate=options.bitrate,
        )
        manifest = replace(manifest, shadowing=entry)
    if options.player:
        from .learn.player import write_player

        write_player(staging, manifest)
    return manifest


def build_from_args(args) -> int:
    """The `build` command: options from argparse, manifest summary on stdout."""
    pauses = PausePlan(
        sentence=args.pause_sentence,
        paragraph=args.pause_paragraph,
        chapter=args.pause_chapter,
        lead=args.pause_lead,
    )
    settings = VoiceSettings(
        speed=args.speed,
        pitch=args.pitch,
        energy=args.energy,
        threads=args.threads,
        language=getattr(args, "language", None),
        options=tuple(getattr(args, "engine_options", ()) or ()),
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
    )
    return 0


def _shadowing_options(args):
    if not getattr(args, "shadowing", False):
        return None
    from .learn.shadowing import ShadowingOptions

    names = {f.name for f in dataclasses.fields(ShadowingOptions)}
    given = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    return ShadowingOptions(**given)


class _CallableModule(types.ModuleType):
    """`tts_pipeline.build(...)` is the documented front door, but importing this
    module rebinds the package attribute `build` from the function to the
    module; making the module callable keeps the front door working."""

    def __call__(self, *inputs, **options):
        return build(*inputs, **options)


sys.modules[__name__].__class__ = _CallableModule
