"""The main job: article files in, an output folder of audio, transcripts and a manifest out.

read_article -> pronounce_article -> synthesize_all -> stitch -> export, one
chapter at a time. Everything is written into a staging folder and swapped
into place at the end, so a failed build leaves the previous output intact.

This module is the build's table of contents, top to bottom: the options
checked (`build`), the inputs read into books (`_build_inputs`), the output
folder staged and swapped (`_build_book`), and each book's files
(`_write_book`): its audio (bookaudio.py), then tags, transcripts, the
manifest (export/entries.py) and the learner's files.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Sequence

from . import __version__, cachelayout, engines
from .atomic import write_atomic
from .bookaudio import BookAudio
from .engines.base import VoiceSettings
from .errors import PipelineError
from .export import ffmpeg
from .export.entries import book_manifest, sentence_entries
from .export.feed import CHAPTERS_FILE, podcast_chapters
from .export.folder import OutputFolder, output_error, slug
from .export.manifest import Manifest, SentenceEntry
from .export.tags import Publishing, tag_folder
from .export.transcripts import WRITERS, Cue
from .inputnames import input_stem, is_file
from .model import Article, Chapter, Paragraph, Pronunciation
from .options import BuildOptions, bitrate_problem
from .profiles import Profile, profile as find_profile
from .progress import Stages, since_process_start
from .stitch import PausePlan, Timeline

DEFAULT_ROOT = Path("audio_out")
DEFAULT_BITRATE = find_profile(None).bitrate
FORMATS = ffmpeg.FORMATS


def build(
    *inputs: str | Path,
    output: str | Path | None = None,
    engine: str = engines.DEFAULT_ENGINE, speed: float = 1.0, pitch: float = 1.0, energy: float = 1.0,
    threads: int | None = None, settings: VoiceSettings | None = None, fallback: str | None = None,
    pauses: PausePlan | None = None, format: str | None = None, bitrate: str | None = None, force: bool = False,
    hints: str = "verify", chapters: str = "auto", merge: bool = False, jobs: int = 1, cache: Any = None,
    quiet: bool = True, shadowing: Any = None, player: bool = True, stamp: str | None = None,
    profile: str | Profile | None = None, author: str | None = None, cover: str | Path | None = None,
    cluster: str | None = None, actors: int | None = None, anki: bool = False, lesson: Any = None,
) -> Manifest | tuple[Manifest, ...]:
    """Build the output folder for each input and return its manifest.

    One input, or several with `merge=True` (one book, one chapter per input):
    returns one Manifest and writes to `output` (default audio_out/<slug>).
    Several inputs without `merge`: one folder per input, inside `output` when
    given, and a tuple of Manifests in input order.

    `profile` (podcast, audiobook, acx; see tts_pipeline.profiles) gives the
    defaults of `format`, `bitrate`, the lead pause and the levelling; `author`
    and `cover` (a PNG or JPEG file) go into every file's tags.

    `cluster` is a Ray address (auto, HOST:PORT, ray://HOST:PORT or local):
    the sentences are spoken by Ray actors there (`actors` of them; default
    one per CPU of the cluster), shared by every input, instead of by `jobs`
    here.
    """
    chosen = find_profile(profile)
    format = format or chosen.format
    bitrate = bitrate or chosen.bitrate
    if not inputs:
        raise PipelineError("build needs at least one input file")
    jobs = _checked_choices(engine, settings, fallback, format, bitrate, jobs)
    options = BuildOptions(
        engine=engine, settings=settings or VoiceSettings(speed=speed, pitch=pitch, energy=energy, threads=threads),
        fallback=fallback, pauses=pauses or PausePlan(lead=chosen.lead), format=format, bitrate=bitrate,
        force=force, hints=hints, jobs=jobs, cache=cache, quiet=quiet, shadowing=shadowing, player=player,
        stamp=stamp, profile=chosen, author=author, cover=_cover(cover),
        cover_name=f"cover{Path(cover).suffix.lower()}" if cover else None, anki=anki, lesson=lesson,
    )
    paths = [str(p) for p in inputs]  # str: an address is no Path
    with cachelayout.using(getattr(cache, "root", None)):  # the clip cache's folder holds every part of the cache
        if cluster is None:
            return _build_inputs(paths, output, merge, chapters, options)
        return _build_on_cluster(cluster, actors, paths, output, merge, chapters, options)


def _checked_choices(engine: str, settings: VoiceSettings | None, fallback: str | None, format: str, bitrate: str,
                     jobs: int) -> int:
    """Fail before any work on a format, bitrate, engine, voice or fallback engine that does not exist; return
    `jobs`, lowered for an online engine to the requests it makes at once."""
    if format not in FORMATS:
        raise PipelineError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    problem = bitrate_problem(bitrate)
    if problem:
        raise PipelineError(f"bitrate {problem}")
    limit = engines.engine_class(engine).requests_at_once  # unknown names fail before any work
    jobs = min(jobs, limit or jobs)  # an online engine: no more workers than requests it makes at once
    engines.check_voice(engine, settings)
    if fallback:
        engines.engine_class(fallback)
    return jobs


def _build_on_cluster(cluster: str, actors: int | None, paths: list[str], output, merge: bool, chapters: str,
                      options: BuildOptions) -> Manifest | tuple[Manifest, ...]:
    """The inputs built with their sentences spoken by Ray actors at `cluster`: one set of actors for every input."""
    from .backends import cluster_backend
    from .export.sentencefile import finishing_for
    from .synthesize import speaking_settings

    with cluster_backend(cluster, options.engine, speaking_settings(options.settings, options.jobs), actors,
                         options.quiet, finishing_for(options)) as backend:
        return _build_inputs(paths, output, merge, chapters, replace(options, backend=backend))


def _cover(path: str | Path | None):
    if path is None:
        return None
    from .export.tags import load_cover

    return load_cover(path)


def _build_inputs(paths: list[str], output, merge: bool, chapters: str,
                  options: BuildOptions) -> Manifest | tuple[Manifest, ...]:
    from .parse import read_article

    if merge or len(paths) == 1:
        default = slug(_folder_title(paths)) if merge else slug(input_stem(paths[0]))
        root = Path(output) if output else DEFAULT_ROOT / default
        started = _early_workers(root, options)
        options = replace(options, backend=options.backend or started)
        try:
            articles = [read_article(p, chapters=chapters) for p in paths]
            if len(articles) == 1:
                article, sources = articles[0], [articles[0].source] * len(articles[0].chapters)
            else:
                article, sources = merge_articles(articles, title=_folder_title(paths))
            return _build_book(article, sources, root, options)
        finally:
            if started is not None:
                started.close(wait=False)  # drained by the synthesis loop already, unless the build failed first
    parent = Path(output) if output else DEFAULT_ROOT
    roots = _unique_roots(parent, paths)
    manifests = []
    for number, (path, root) in enumerate(zip(paths, roots)):
        article = read_article(path, chapters=chapters)
        ahead = _sender_ahead(paths[number + 1], chapters, options) if number + 1 < len(paths) else None
        manifests.append(_build_book(article, [article.source] * len(article.chapters), root,
                                     replace(options, ahead=ahead)))
    return tuple(manifests)


def _sender_ahead(path: str, chapters: str, options: BuildOptions):
    """For a backend that can (Ray actors): a call that sends the first sentences of the input at `path` ahead,
    while the book before it is joined and finished on this machine (`BookAudio.audio` calls it). An input that
    cannot be read or pronounced is left to its own build, which says what is wrong in its turn."""
    send = getattr(options.backend, "send_ahead", None)
    if send is None:
        return None

    def ahead() -> None:
        from .errors import PipelineError
        from .parse import read_article

        try:
            send(_pronunciations(read_article(path, chapters=chapters), options), options.cache)
        except (PipelineError, OSError, ValueError):
            pass

    return ahead


def _early_workers(root: Path, options: BuildOptions):
    """Worker processes started now, so that they load the voice while this process reads and pronounces the
    input: with --jobs above 1, for a first build into `root` or one without the cache (a rebuild from the cache
    may need no voice at all)."""
    from .incremental import KEYS_FILE

    if options.backend is not None or options.jobs < 2 or (options.cache is not None and (root / KEYS_FILE).exists()):
        return None
    from .synthesize import start_backend

    return start_backend(options.engine, options.settings, options.jobs)


def _folder_title(paths: Sequence[str]) -> str:
    first = paths[0]
    return (Path(first).resolve().parent.name if is_file(first) else "") or input_stem(first)


def _unique_roots(parent: Path, paths: Sequence[str]) -> list[Path]:
    roots: list[Path] = []
    for path in paths:
        name = base = slug(input_stem(path))
        n = 2
        while parent / name in roots:
            name, n = f"{base}-{n}", n + 1
        roots.append(parent / name)
    return roots


def merge_articles(articles: Sequence[Article], title: str) -> tuple[Article, list[str]]:
    """One Article whose chapters are the inputs; sentences renumbered across the book."""
    from .parse.chapters import distinct_titles

    chapters: list[Chapter] = []
    index = 0
    titles = distinct_titles([a.title] for a in articles)
    for number, (article, title) in enumerate(zip(articles, titles), 1):
        paragraphs = []
        for paragraph in (p for c in article.chapters for p in c.paragraphs):
            sentences = []
            for sentence in paragraph.sentences:
                sentences.append(replace(sentence, index=index))
                index += 1
            paragraphs.append(Paragraph(tuple(sentences)))
        chapters.append(Chapter(number, title, tuple(paragraphs)))
    sources = [a.source for a in articles]
    return Article(title=title, source=", ".join(sources), chapters=tuple(chapters)), sources


def _build_book(article: Article, sources: Sequence[str], root: Path, options: BuildOptions) -> Manifest:
    from .incremental import OutputKeys, record_output, root_stamp

    # Incremental rebuilds (cache owner): an output made with the same stamp
    # is kept; otherwise unchanged chapters are linked, not encoded again.
    stages = Stages()
    before = since_process_start() if stages.on else None
    stamp = root_stamp(options.stamp, root) if options.stamp else None
    keys = OutputKeys.load(root)
    if keys.up_to_date(stamp):
        return Manifest.read(root / "manifest.json")
    folder = OutputFolder(root, force=options.force)
    staging = folder.prepare()
    try:
        try:
            manifest = _write_book(article, sources, folder, staging, options, keys, stamp, stages)
        except OSError as exc:
            raise output_error(exc, root) from None
        with stages("swapping the output into place"):
            folder.commit()
        if options.stamp and options.cache is not None:
            record_output(options.cache.root, options.stamp, root)
        if not options.quiet:
            print(f"wrote {root}{os.sep}")
        stages.report(before)
        return manifest
    except BaseException:
        folder.abort()
        raise


def _pronunciations(article: Article, options: BuildOptions) -> Iterator[Pronunciation]:
    """The pronounce stage, reading from the pronunciation cache when the build has a cache folder."""
    from .pronunciation import DEFAULT_LESSON, pronounce_article

    return pronounce_article(article, policy=options.hints, cache_dir=getattr(options.cache, "root", None),
                             lesson=options.lesson or DEFAULT_LESSON)


def _write_book(article: Article, sources: Sequence[str], folder: OutputFolder, staging: Path, options: BuildOptions,
                keys=None, stamp: str | None = None, stages: Stages | None = None) -> Manifest:
    """Every file of the book into `staging`: chapters (reused, joined or assembled), the book file, tags,
    transcripts, the manifest, the learner's files and the keys file for the next build."""
    run = BookAudio(article, folder, staging, options, keys, stages or Stages())
    made, places, total = run.audio(_pronunciations(article, options))
    timings = [timing for _, timing, _ in made]
    with run.stages("tags, transcripts, manifest"):
        timeline = Timeline(run.rate, tuple(replace(t, start=start, length=length)
                                            for t, (start, length) in zip(timings, places)))
        if run.book.m4a:
            ffmpeg.write_m4b(run.book.m4a, staging / "book.m4b",
                             [(t.start, t.end, t.title) for t in timeline.chapters], article.title, run.rate)
        entries = sentence_entries(made, timeline, run.codec.extension, run.rate, run.speaker)
        chapter_files = [plan.file for plan, _, _ in made]
        publishing = _publishing(article, options, staging)
        _write_texts(article, staging, timeline, entries, chapter_files, publishing, run.book.m4a is not None)
        manifest = book_manifest(article, sources, options, timeline, entries, chapter_files, run.book.m4a is not None,
                                 run.warnings, total)
        shutil.rmtree(run.work)
    with run.stages("checking the files against the profile"):
        from .export.check import checked_manifest

        manifest = checked_manifest(manifest, staging, options.profile, publishing, options.cover_name, options.quiet,
                                    getattr(options.backend, "measure_files", None))
    if run.progress is not None and options.shadowing is not None:
        run.progress.note("writing shadowing drills")
    with run.stages("shadowing and player"):
        manifest = _learner_files(article, staging, manifest, options)
    with run.stages("tags, transcripts, manifest"):
        text = manifest.to_json()  # once: manifest.json, and the player's data
    if options.player:
        from .learn.player import write_player

        with run.stages("shadowing and player"):
            write_player(staging, text)
    with run.stages("tags, transcripts, manifest"):
        write_atomic(staging / "manifest.json", text)
        if keys is not None:
            keys.write(staging, stamp)
    if run.progress is not None:
        run.progress.finish(warnings=len(manifest.warnings))
    return manifest


def _write_texts(article: Article, staging: Path, timeline: Timeline, entries: Sequence[SentenceEntry],
                 chapter_files: Sequence[str], publishing: Publishing, m4b: bool) -> None:
    """Tags on every audio file, the podcast chapters file and the transcripts."""
    rate = timeline.sample_rate
    marks_ms = [(round(t.start * 1000 / rate), round(t.end * 1000 / rate), t.title) for t in timeline.chapters]
    tag_folder(staging, publishing, marks_ms, chapter_files, [(s.file, s.text, s.chapter) for s in entries],
               ("book.mp3", "book.m4b") if m4b else ("book.mp3",))
    write_atomic(staging / CHAPTERS_FILE, podcast_chapters(article.title, [(round(t.start / rate, 3), t.title)
                                                                           for t in timeline.chapters]))
    cues = [Cue(s.id, s.book_start, s.book_end, s.text, s.pinyin, s.tokens) for s in entries]
    for kind, writer in WRITERS.items():
        write_atomic(staging / f"transcript.{kind}", writer(cues, article.title))


def _publishing(article: Article, options: BuildOptions, staging: Path) -> Publishing:
    """What the tags say (and, with a cover, cover.png or cover.jpg written into the folder for feeds)."""
    if options.cover is not None:
        write_atomic(staging / options.cover_name, options.cover.data)
    return Publishing(title=article.title, author=options.author or article.author or None,  # --author, else the input's
                      genre=options.profile.genre, date=time.strftime("%Y-%m-%d", time.gmtime()), source=article.source,
                      cover=options.cover, encoder=f"tts-pipeline {__version__}")


def _learner_files(article: Article, staging: Path, manifest: Manifest, options: BuildOptions) -> Manifest:
    """Shadowing drills and the Anki deck (when asked), written by tts_pipeline.learn."""
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
    if options.anki:
        from .learn.anki import DECK, write_deck

        write_deck(staging, manifest.to_dict())
        manifest = replace(manifest, files=replace(manifest.files, anki=DECK))
    return manifest
