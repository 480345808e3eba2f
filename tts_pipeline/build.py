"""The main job: article files in, an output folder of audio, transcripts and a manifest out.

read_article -> pronounce_article -> synthesize_all -> stitch -> export, one
chapter at a time. Everything is written into a staging folder and swapped
into place at the end, so a failed build leaves the previous output intact.
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import re
import shutil
import sys
import time
import types
import unicodedata
import wave
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from . import __version__, cachelayout, engines
from .atomic import write_atomic
from .engines.base import VoiceSettings
from .errors import EngineError, InputError, OutputError, PipelineError
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
from .model import Article, Chapter, Clip, Notice, Paragraph, Pronunciation
from .modeljson import notice_from_json, notice_to_json
from .loudness import db, pooled_loudness
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
    workers: Any = None  # synthesize.start_workers, started before the input is read (a first build with --jobs)


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
    if not inputs:
        raise PipelineError("build needs at least one input file")
    if format not in FORMATS:
        raise PipelineError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if not re.fullmatch(r"[1-9][0-9]{0,3}k", bitrate):
        raise PipelineError(f"bitrate {bitrate!r} is not like 64k; give kilobits per second followed by k")
    limit = engines.engine_class(engine).requests_at_once  # unknown names fail before any work
    jobs = min(jobs, limit or jobs)  # an online engine: no more workers than requests it makes at once
    engines.check_voice(engine, settings)
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
    with cachelayout.using(getattr(cache, "root", None)):  # the clip cache's folder holds every part of the cache
        return _build_inputs([Path(p) for p in inputs], output, merge, chapters, options)


def _build_inputs(paths: list[Path], output, merge: bool, chapters: str,
                  options: _Options) -> Manifest | tuple[Manifest, ...]:
    from .parse import read_article

    if merge or len(paths) == 1:
        default = slug(_folder_title(paths)) if merge else slug(paths[0].stem)
        root = Path(output) if output else DEFAULT_ROOT / default
        options = replace(options, workers=_early_workers(root, options))
        try:
            articles = [read_article(p, chapters=chapters) for p in paths]
            if len(articles) == 1:
                article, sources = articles[0], [articles[0].source] * len(articles[0].chapters)
            else:
                article, sources = merge_articles(articles, title=_folder_title(paths))
            return _build_book(article, sources, root, options)
        finally:
            if options.workers is not None:
                options.workers.close(wait=False)  # the synthesis loop closed it already, unless the build failed first
    parent = Path(output) if output else DEFAULT_ROOT
    roots = _unique_roots(parent, paths)
    manifests = []
    for path, root in zip(paths, roots):
        article = read_article(path, chapters=chapters)
        manifests.append(_build_book(article, [article.source] * len(article.chapters), root, options))
    return tuple(manifests)


def _early_workers(root: Path, options: _Options):
    """Worker processes started now, so that they load the voice while this process reads and pronounces the
    input: with --jobs above 1, for a first build into `root` or one without the cache (a rebuild from the cache
    may need no voice at all)."""
    from .incremental import KEYS_FILE

    if options.jobs < 2 or (options.cache is not None and (root / KEYS_FILE).exists()):
        return None
    from .synthesize import start_workers

    return start_workers(options.engine, options.settings, options.jobs)


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
    stages = _Stages()
    before = _since_process_start() if stages.on else None
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


def _synthesize(pronunciations: Iterable[Pronunciation], options: _Options, progress, speaker=None) -> Iterator[tuple]:
    from .synthesize import synthesize_all

    return synthesize_all(
        pronunciations,
        options.engine,
        options.settings,
        fallback=options.fallback,
        jobs=options.jobs,
        cache=options.cache,
        progress=progress,
        speaker=speaker,
        workers=options.workers,
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

    def submit(self, fn, *args) -> Future:
        future = self._pool.submit(fn, *args)
        self._pending.append(future)
        while self._pending and (self._pending[0].done() or len(self._pending) > self.AHEAD):
            self._pending.pop(0).result()
        return future

    def wait(self) -> None:
        try:
            for future in self._pending:
                future.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def cancel(self) -> None:
        """After a failure: let running ffmpeg processes end, drop the rest, raise nothing."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _feed_book(audio: Path, books: Sequence[ffmpeg.StreamEncoder]) -> None:
    """Hand a chapter's 16-bit PCM to the book encoders: a WAV, or a reused lossless chapter file."""
    if audio.suffix == ".wav":
        with wave.open(str(audio), "rb") as source:
            while data := source.readframes(1 << 19):
                for book in books:
                    book.write(data)
        return
    import soundfile

    with soundfile.SoundFile(str(audio)) as source:
        for block in source.blocks(1 << 19, dtype="int16"):
            data = block.astype("<i2").tobytes()
            for book in books:
                book.write(data)


def _encode_chapter(wav: Path, books, target: Path | None, cuts, codec: ffmpeg.Codec, bitrate: str, title: str) -> None:
    """Feed the chapter to the book (if it is streamed) and write its chapter and sentence files (unless
    `target` is None: reused).

    These are separate ffmpeg processes reading the same WAV; run side by
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


# Chapter files from which the book's PCM comes back exactly, so a reused one can feed a streamed book.
_LOSSLESS = ("wav", "flac")


class _StreamedBook:
    """book.mp3 (and, for m4b, the AAC audio of book.m4b) encoded from every chapter's PCM as it comes:
    the book's timeline is the chapters end to end."""

    joined = False

    def __init__(self, staging: Path, work: Path, rate: int, options: _Options) -> None:
        self.encoders = [ffmpeg.StreamEncoder(staging / "book.mp3", rate, ffmpeg.CODECS["mp3"], options.bitrate)]
        self.m4a = work / "book.m4a" if options.format == "m4b" else None
        if self.m4a:
            self.encoders.append(ffmpeg.StreamEncoder(self.m4a, rate, ffmpeg.CODECS["m4a"], options.bitrate))

    def finish(self, files: Sequence[Path], lengths: Sequence[int]) -> tuple[list[tuple[int, int]], int]:
        """Close the book; return each chapter's (first sample, samples) in it and the book's length."""
        for encoder in self.encoders:
            encoder.close()
        places, position = [], 0
        for length in lengths:
            places.append((position, length))
            position += length
        return places, position

    def kill(self) -> None:
        for encoder in self.encoders:
            encoder.kill()


class _JoinedBook:
    """book.mp3 as the chapter MP3s joined without encoding again; the join puts a few milliseconds of
    encoder delay and padding between chapters, so the book's timeline is the join's, not the chapters'."""

    joined = True
    encoders: Sequence[ffmpeg.StreamEncoder] = ()
    m4a = None

    def __init__(self, staging: Path) -> None:
        self.target = staging / "book.mp3"

    def finish(self, files: Sequence[Path], lengths: Sequence[int]) -> tuple[list[tuple[int, int]], int]:
        from .export.mp3join import join_mp3

        layout = join_mp3(files, self.target)
        return [(part.start, part.samples) for part in layout.parts], layout.total_samples

    def kill(self) -> None:
        pass


def _book(staging: Path, work: Path, rate: int, options: _Options):
    if options.format == "mp3":
        return _JoinedBook(staging)
    return _StreamedBook(staging, work, rate, options)


@dataclass(frozen=True)
class _ChapterPlan:
    """One chapter before its audio: its sentences' readings and, when the previous output holds this
    exact chapter (same clip cache keys and so on), that output's record of it."""

    number: int
    chapter: Chapter
    file: str
    closing: float
    pronunciations: tuple[Pronunciation, ...]
    paragraphs: tuple[int, ...]  # each sentence's paragraph in the chapter
    plan: str | None  # incremental.chapter_plan_key; None without a cache or when a clip key failed
    previous: dict | None = None
    timing: ChapterTiming | None = None  # from `previous`, chapter-relative
    recalled: tuple["_Recalled", ...] = ()  # from `previous`, a stand-in for each clip
    # MP3 chapters (joined from sentence files): each sentence's piece key (incremental.piece_key; None
    # without a cache) and the previous output's record of a sentence file made from the same clip
    pieces: tuple[str | None, ...] = ()
    kept: tuple[dict | None, ...] = ()

    @property
    def sentence_files(self) -> list[str | None]:
        """Each sentence's file; None for a sentence with nothing to speak, which has none."""
        extension = self.file.rsplit(".", 1)[1]
        return [f"sentences/{p.sentence.id}.{extension}" if p.speaks else None for p in self.pronunciations]

    @property
    def files(self) -> list[str]:
        return [self.file] + [name for name in self.sentence_files if name]


_PLANNING = "pronounce and plan"
# What stands for the clip of a sentence with nothing to speak in a chapter's keys.
_UNSPOKEN = "nothing to speak"


def _plan_chapters(article: Article, options: _Options, keys, speaker, codec: ffmpeg.Codec, rate: int,
                   reusable: bool, stages: "_Stages", joined: bool = False) -> Iterator[_ChapterPlan]:
    from .incremental import chapter_plan_key, piece_key
    from .synthesize import key_with

    width = max(2, len(str(len(article.chapters))))
    pronunciations = iter(_pronunciations(article, options))
    pauses = options.pauses
    speaks = False
    for number, chapter in enumerate(article.chapters):
        started = time.perf_counter()
        file = f"chapters/{chapter.index:0{width}d}-{slug(chapter.title, 'chapter', 40)}.{codec.extension}"
        closing = pauses.paragraph if number == len(article.chapters) - 1 else pauses.chapter
        paragraphs = tuple(i for i, paragraph in enumerate(chapter.paragraphs) for _ in paragraph.sentences)
        prons = tuple(p if p.speaks else replace(p, notices=(*p.notices, p.unspoken_notice()))
                      for p in itertools.islice(pronunciations, len(paragraphs)))
        speaks = speaks or any(p.speaks for p in prons)
        plan_key = None
        clips = None
        if options.cache is not None and len(prons) == len(paragraphs):
            try:
                clips = [(key_with(speaker, p) if p.speaks else _UNSPOKEN, p.sentence.id, paragraph)
                         for p, paragraph in zip(prons, paragraphs)]
            except EngineError:  # the engine cannot say a sentence: no plan, and the synthesis loop gives the
                clips = None     # sentence to the fallback engine or stops the build naming it
            if clips is not None:
                plan_key = chapter_plan_key(chapter.title, file, pauses, options.format, options.bitrate, closing,
                                            rate, clips)
        pieces: tuple[str | None, ...] = (None,) * len(prons)
        if joined and clips is not None:
            pieces = tuple(piece_key(key, rate, pauses, codec.extension, options.bitrate) if p.speaks else None
                           for p, (key, _, _) in zip(prons, clips))
        plan = _ChapterPlan(number, chapter, file, closing, prons, paragraphs, plan_key, pieces=pieces,
                            kept=(None,) * len(prons))
        if reusable:
            previous = keys.planned_chapter(plan_key, plan.files)
            if joined and previous is not None and not _joinable(keys.root / file):
                previous = None
            recorded = _recorded(previous, plan, rate)
            if recorded is not None:
                plan = replace(plan, previous=previous, timing=recorded[0], recalled=recorded[1])
            elif joined:
                kept = (keys.previous_piece(key) for key in pieces)
                plan = replace(plan, kept=tuple(k if k and _joinable(keys.root / k["file"]) else None for k in kept))
        stages.add(_PLANNING, time.perf_counter() - started)
        yield plan
    if not speaks:
        raise InputError(f"{article.source}: nothing to speak: every sentence is punctuation, symbols or space")


def _joinable(path: Path) -> bool:
    """Whether the MP3 join can read `path`, a file of the previous output found as it was written (same size
    and modification time): damage that leaves both as they were (a time stamp put back, a failing disk) shows
    here, and the file is then made again from its clips instead of failing the join."""
    from .export.mp3join import read_info

    try:
        read_info(path)
    except OutputError:
        return False
    return True


def _recorded(record: dict | None, plan: _ChapterPlan, rate: int) -> tuple[ChapterTiming, tuple] | None:
    """The chapter's timing and clips as a previous build recorded them, or None if the record is not whole."""
    if record is None:
        return None
    try:
        timing = record["timing"]
        spans = timing["spans"]
        if len(spans) != len(plan.pronunciations) or len(record["clips"]) != len(spans):
            return None
        recalled = tuple(_Recalled.recorded(int(end) - int(start), clip, rate)
                         for (start, end), clip in zip(spans, record["clips"]))
        return ChapterTiming(
            index=plan.chapter.index,
            title=plan.chapter.title,
            start=0,
            length=int(timing["length"]),
            sentences=tuple(SentenceTiming(p.sentence.index, paragraph, int(start), int(end))
                            for p, paragraph, (start, end) in zip(plan.pronunciations, plan.paragraphs, spans)),
            loudness=float(timing["loudness"]),
            true_peak=float(timing["true_peak"]),
        ), recalled
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _record(timing: ChapterTiming, clips: Sequence[Any], plan: str | None, pieces: list | None = None) -> dict:
    """What the keys file keeps of a chapter so that the next build can reuse it without its audio
    (and, for a chapter joined from sentence files, each of those files without its clip)."""
    record = {
        "plan": plan,
        "timing": {
            "length": timing.length,
            "loudness": timing.loudness,
            "true_peak": timing.true_peak,
            "spans": [[span.start, span.end] for span in timing.sentences],
        },
        "clips": [{"engine": clip.engine, "notices": [notice_to_json(n) for n in clip.notices]} for clip in clips],
    }
    if pieces is not None:
        record["pieces"] = pieces
    return record


def _fell_back(clips: Sequence[Any], speaker) -> bool:
    """A fallback clip may not come back the same way: its chapter (or sentence file) is made again next time."""
    return any(_from_fallback(clip, speaker) for clip in clips)


def _from_fallback(clip: Any, speaker) -> bool:
    return clip.engine not in (speaker.name, None) or any(n.code == "engine-fallback" for n in clip.notices)


def _join_new_chapter(plan: _ChapterPlan, next_clip, folder: OutputFolder, staging: Path, work: Path, keys,
                      speaker, options: _Options, rate: int, encoders: _Encoders, warnings: list[WarningEntry],
                      progress, stages: "_Stages") -> tuple[_ChapterPlan, Future, list]:
    """An MP3 chapter: sentence files taken from the previous output when made from the same clip, the others
    levelled and encoded in batches (in the background), then all joined with pauses between them."""
    from .export.chapterjoin import SentenceBatch, join_chapter
    from .stitch import level, sentence_audio

    chapter = plan.chapter
    names = plan.files[1:]
    clips: list[Any] = []
    pieces: list[dict] = []
    batch = None
    for index, (pron, kept, key, name) in enumerate(zip(plan.pronunciations, plan.kept, plan.pieces,
                                                        plan.sentence_files)):
        sentence = pron.sentence
        if name is None:
            clips.append(_Recalled.unspoken(pron, progress))
            warnings.extend(_warning(n, sentence.id) for n in pron.notices)
            continue
        if kept is not None and keys.link_piece(kept, staging, name):
            clip = _Recalled.recorded(int(kept["samples"]), kept, rate)
            piece = {**kept, "file": name}
            if progress is not None:
                progress.sentence_done(pron, clip, True)
        else:
            if kept is not None:
                raise OutputError(f"a sentence file of chapter {chapter.index} vanished from {keys.root} during the "
                                  "build; run the build again")
            pron, clip = next_clip(sentence)
            with stages("stitching and levelling"):
                levelled = level(sentence_audio(clip, rate, options.pauses), rate)
                if batch is None:
                    batch = SentenceBatch(work / f"{plan.number}-{index}.wav", rate)
                batch.add(levelled.pcm, folder.inside(name))
            piece = {"piece": None if _from_fallback(clip, speaker) else key, "file": name,
                     "loudness": round(levelled.loudness, 3), "gated": list(levelled.gated),
                     "true_peak": levelled.true_peak, "engine": clip.engine,
                     "notices": [notice_to_json(n) for n in clip.notices]}
            if batch.seconds >= SentenceBatch.SECONDS:
                encoders.submit(batch.encode, options.bitrate)
                batch = None
        clips.append(_Recalled.of(clip))  # the samples are not kept: a book's would not fit in memory
        pieces.append(piece)
        warnings.extend(_warning(n, sentence.id) for n in (*pron.notices, *clip.notices))
    if batch is not None:
        encoders.submit(batch.encode, options.bitrate)
    spoken = [paragraph for pron, paragraph in zip(plan.pronunciations, plan.paragraphs) if pron.speaks]
    gaps = [options.pauses.before(paragraph, previous) * rate for paragraph, previous in zip(spoken, (None, *spoken))]
    silences = getattr(options.cache, "silence_dir", None) or work / "silence"

    def join() -> ChapterTiming:
        joined = join_chapter([folder.inside(name) for name in names], gaps, plan.closing * rate,
                              folder.inside(plan.file), rate, options.bitrate, silences)
        peak = max((p["true_peak"] for p in pieces), default=0.0)
        timing = ChapterTiming(
            index=chapter.index,
            title=chapter.title,
            start=0,
            length=joined.length,
            sentences=_placed(plan, joined.sentences),
            loudness=round(pooled_loudness(tuple(p["gated"]) for p in pieces), 2),
            true_peak=round(db(peak), 2),
        )
        for piece, part in zip(pieces, joined.sentences):
            piece["samples"] = part.samples
        if keys is not None:
            keys.remember(plan.files, **_record(timing, clips, None if _fell_back(clips, speaker) else plan.plan,
                                                pieces))
        return timing

    return plan, encoders.submit(join), clips


def _placed(plan: _ChapterPlan, parts: Sequence[Any]) -> tuple[SentenceTiming, ...]:
    """Each sentence's span in a joined chapter from where its file landed (`parts`, one per sentence that
    speaks); a sentence with nothing to speak is the instant where the sentence before it ends."""
    spans, found, position = [], iter(parts), 0
    for pron, paragraph in zip(plan.pronunciations, plan.paragraphs):
        start = position
        if pron.speaks:
            part = next(found)
            start, position = part.start, part.start + part.samples
        spans.append(SentenceTiming(pron.sentence.index, paragraph, start, position))
    return tuple(spans)


@dataclass(frozen=True)
class _Recalled:
    """What a build keeps of a clip once it is levelled: its length, engine and notices (the samples of a
    book would not fit in memory; a reused chapter's clips are not read at all)."""

    duration: float
    engine: str | None  # None: the sentence has nothing to speak, and no engine was asked
    notices: tuple[Notice, ...]

    @classmethod
    def of(cls, clip: Any) -> "_Recalled":
        return cls(clip.duration, clip.engine, tuple(clip.notices))

    @classmethod
    def recorded(cls, samples: int, record: dict, rate: int) -> "_Recalled":
        """From the keys file's record of a clip (its engine and notices) and its length in samples."""
        engine = None if record["engine"] is None else str(record["engine"])
        return cls(samples / rate, engine, tuple(notice_from_json(n) for n in record["notices"]))

    @classmethod
    def unspoken(cls, pronunciation: Pronunciation, progress) -> "_Recalled":
        """The stand-in for the clip of a sentence with nothing to speak (after telling `progress` it is done)."""
        recalled = cls(0.0, None, ())
        if progress is not None:
            progress.sentence_done(pronunciation, recalled, False)
        return recalled


class _Stages:
    """Wall time per stage of a build, printed to stderr when $TTS_PIPELINE_TIMINGS is set
    (benchmarks/pipeline.py shows where a rebuild's time goes)."""

    def __init__(self) -> None:
        self.on = bool(os.environ.get("TTS_PIPELINE_TIMINGS"))
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @contextlib.contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def report(self, before: float | None) -> None:
        if not self.on:
            return
        lines = [] if before is None else [f"  {'start-up (interpreter, imports, reading the input)':52} {before:6.2f} s"]
        lines += [f"  {name:52} {seconds:6.2f} s" for name, seconds in self.seconds.items()]
        total = time.perf_counter() - self.started
        lines.append(f"  {'(the rest of the build)':52} {total - sum(self.seconds.values()):6.2f} s")
        print("build stages:\n" + "\n".join(lines), file=sys.stderr, flush=True)


def _since_process_start() -> float | None:
    """Seconds since this process started (Linux), else None."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - ticks / os.sysconf("SC_CLK_TCK")


def _sentence_entry(pron: Pronunciation, span: SentenceTiming, engine: str | None, chapter: int,
                    extension: str, rate: int, sent: str | None = None) -> SentenceEntry:
    """The manifest entry of a sentence; its book times are set once the book's layout is known."""
    sentence = pron.sentence
    return SentenceEntry(
        id=sentence.id,
        index=sentence.index,
        chapter=chapter,
        paragraph=span.paragraph,
        text=sentence.text,
        pinyin=pinyin_line(pron.tokens),
        tokens=tuple(TokenEntry(t.text, t.pinyin, t.source) for t in pron.tokens),
        engine=engine,
        file=f"sentences/{sentence.id}.{extension}" if pron.speaks else None,
        start=round(span.start / rate, 3),
        end=round(span.end / rate, 3),
        book_start=0.0,
        book_end=0.0,
        sent=sent,
    )


def _write_book(article: Article, sources: Sequence[str], folder: OutputFolder, staging: Path, options: _Options,
                keys=None, stamp: str | None = None, stages: _Stages | None = None) -> Manifest:
    from .incremental import chapter_key
    from .synthesize import primary_engine

    stages = stages or _Stages()
    rate = engines.engine_class(options.engine).sample_rate
    codec = ffmpeg.file_codec(options.format)
    pauses = options.pauses
    work = staging / ".work"
    for sub in (work, staging / "chapters", staging / "sentences"):
        sub.mkdir()
    progress = _progress(article, options.quiet)
    with stages("voice set-up"):
        speaker = primary_engine(options.engine, options.settings, options.jobs)
    book = _book(staging, work, rate, options)
    # A chapter is taken whole from the previous output only when the book
    # needs none of its PCM, or can read it back exactly from the chapter file.
    reusable = keys is not None and options.cache is not None and (book.joined or options.format in _LOSSLESS)
    plans, feed_plans = itertools.tee(_plan_chapters(article, options, keys, speaker, codec, rate, reusable, stages,
                                                     book.joined))
    feed = (pron for plan in feed_plans if plan.previous is None
            for pron, kept in zip(plan.pronunciations, plan.kept) if kept is None and pron.speaks)
    pairs = iter(_synthesize(feed, options, progress, speaker))

    def next_clip(sentence) -> tuple[Pronunciation, Clip]:
        started, planning = time.perf_counter(), stages.seconds.get(_PLANNING, 0.0)
        try:
            pair = next(pairs)
        except StopIteration:
            raise EngineError(f"synthesis stopped before sentence {sentence.id} ({sentence.position})") from None
        # the synthesis loop pulls the plans: their time is counted once, as planning
        planned = stages.seconds.get(_PLANNING, 0.0) - planning
        stages.add("synthesis and clip cache", time.perf_counter() - started - planned)
        return pair

    encoders = _Encoders()
    made: list[tuple[_ChapterPlan, Any, list]] = []  # each chapter: its plan, its timing (or a Future of it), its clips
    warnings: list[WarningEntry] = []
    try:
        for plan in plans:
            chapter, number = plan.chapter, plan.number
            if plan.previous is not None:
                if not keys.reuse_planned(plan.previous, staging):
                    raise OutputError(f"a file of chapter {chapter.index} vanished from {keys.root} during the build; "
                                      "run the build again")
                clips = list(plan.recalled)
                for pron, clip in zip(plan.pronunciations, clips):
                    warnings.extend(_warning(n, pron.sentence.id) for n in (*pron.notices, *clip.notices))
                    if progress is not None:
                        progress.sentence_done(pron, clip, True)
                if not book.joined:
                    encoders.submit(_feed_book, folder.inside(plan.file), book.encoders)
                made.append((plan, plan.timing, clips))
            elif book.joined:
                made.append(_join_new_chapter(plan, next_clip, folder, staging, work, keys, speaker, options, rate,
                                              encoders, warnings, progress, stages))
            else:
                assembler = ChapterAssembler(chapter.index, chapter.title, rate, pauses, work / f"{number}.part.wav")
                content = chapter_key(chapter.title, plan.file, pauses, options.format, options.bitrate, plan.closing)
                clips = []
                try:
                    for pron, paragraph_index in zip(plan.pronunciations, plan.paragraphs):
                        sentence = pron.sentence
                        if not pron.speaks:
                            clip = _Recalled.unspoken(pron, progress)
                            content.add(_UNSPOKEN, sentence.id, paragraph_index)
                            assembler.skip(sentence.index, paragraph_index)
                        else:
                            pron, clip = next_clip(sentence)
                            with stages("stitching and levelling"):
                                content.add(clip, sentence.id, paragraph_index)
                                assembler.add(clip, sentence.index, paragraph_index)
                        clips.append(_Recalled.of(clip))  # a long chapter's samples would not fit in memory
                        warnings.extend(_warning(n, sentence.id) for n in (*pron.notices, *clip.notices))
                    wav = work / f"{number}.wav"
                    with stages("stitching and levelling"):
                        timing = assembler.finish(plan.closing, wav, 0)
                except BaseException:
                    assembler.abandon()
                    raise
                record = _record(timing, clips, None if _fell_back(clips, speaker) else plan.plan)
                cuts = [(span.start, span.end, folder.inside(name))
                        for span, name in zip(timing.sentences, plan.sentence_files) if name]
                target = None if keys is not None and keys.reuse_chapter(content.hexdigest(), staging, plan.files,
                                                                         **record) else folder.inside(plan.file)
                encoders.submit(_encode_chapter, wav, book.encoders, target, cuts, codec, options.bitrate, chapter.title)
                made.append((plan, timing, clips))
        if progress is not None:
            progress.note("finishing the book file")
        with stages("chapter and sentence files"):
            encoders.wait()
        timings = [timing.result() if isinstance(timing, Future) else timing for _, timing, _ in made]
        chapter_files = [plan.file for plan, _, _ in made]
        with stages("book file"):
            places, total = book.finish([folder.inside(f) for f in chapter_files], [t.length for t in timings])
    except BaseException:
        book.kill()
        encoders.cancel()
        raise
    sentences = [(_sentence_entry(pron, span, clip.engine, plan.chapter.index, codec.extension, rate,
                                  speaker.sent_text(pron) if clip.engine == speaker.name else None), span)
                 for (plan, _, clips), timing in zip(made, timings)
                 for pron, span, clip in zip(plan.pronunciations, timing.sentences, clips)]

    with stages("tags, transcripts, manifest"):
        timeline = Timeline(rate, tuple(replace(t, start=start, length=length)
                                        for t, (start, length) in zip(timings, places)))
        marks_ms = [(round(t.start * 1000 / rate), round(t.end * 1000 / rate), t.title) for t in timeline.chapters]
        write_chapters(staging / "book.mp3", article.title, marks_ms, f"tts-pipeline {__version__}")
        if book.m4a:
            ffmpeg.write_m4b(book.m4a, staging / "book.m4b", [(t.start, t.end, t.title) for t in timeline.chapters],
                             article.title, rate)
        starts = {t.index: t.start for t in timeline.chapters}
        entries = [replace(entry, book_start=round((starts[entry.chapter] + span.start) / rate, 3),
                           book_end=round((starts[entry.chapter] + span.end) / rate, 3))
                   for entry, span in sentences]
        chapters = [
            ChapterEntry(
                index=t.index,
                title=t.title,
                file=file,
                start=round(t.start / rate, 3),
                end=round(t.end / rate, 3),
                source=sources[number] if number < len(sources) else article.source,
                loudness=t.loudness,
                true_peak=t.true_peak,
            )
            for number, (t, file) in enumerate(zip(timeline.chapters, chapter_files))
        ]

        cues = [Cue(s.id, s.book_start, s.book_end, s.text, s.pinyin) for s in entries]
        for kind, writer in WRITERS.items():
            write_atomic(staging / f"transcript.{kind}", writer(cues, article.title))

        settings = _plain(dataclasses.asdict(options.settings))
        manifest = Manifest(
            title=article.title,
            source=article.source,
            created_by=f"tts-pipeline {__version__}",
            engine=EngineInfo(options.engine, settings, options.fallback),
            sample_rate=rate,
            duration=round(total / rate, 3),
            files=Files(
                book="book.mp3",
                book_m4b="book.m4b" if book.m4a else None,
                lrc="transcript.lrc",
                srt="transcript.srt",
                vtt="transcript.vtt",
                player="index.html" if options.player else None,
            ),
            chapters=tuple(chapters),
            sentences=tuple(entries),
            warnings=tuple(warnings),
            sources=tuple(dict.fromkeys(sources)),
            pauses=dataclasses.asdict(pauses),
        )
        shutil.rmtree(work)
    if progress is not None and options.shadowing is not None:
        progress.note("writing shadowing drills")
    with stages("shadowing and player"):
        manifest = _learner_files(article, staging, manifest, options)
    with stages("tags, transcripts, manifest"):
        write_atomic(staging / "manifest.json", manifest.to_json())
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
        voice=getattr(args, "voice", None),
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
