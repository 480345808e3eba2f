"""The audio of one book: each chapter planned, then taken whole from the previous output, joined from its
sentence files (MP3) or assembled from its clips, and the book file made from the chapters.

`pipeline.py` hands this stage the pronunciations; it hands back, per chapter, the plan, the timing and the
clips, and where each chapter lies in the book file.
"""
from __future__ import annotations

import itertools
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Iterable, Iterator

from .chapterplan import PLANNING, UNSPOKEN, ChapterPlan, Recalled, chapter_record, fell_back, levelling, plan_chapters
from .errors import EngineError, OutputError
from .export import ffmpeg
from .export.book import LOSSLESS, Encoders, book_writer, encode_chapter, feed_book
from .export.chapterjoin import join_new_chapter
from .export.folder import OutputFolder
from .export.manifest import WarningEntry, warning_entry
from .export.sentencefile import finished_for, finishing_for
from .model import Article, Clip, Pronunciation
from .options import BuildOptions
from .progress import Stages
from .stitch import ChapterAssembler, ChapterTiming


def _synthesize(pronunciations: Iterable[Pronunciation], options: BuildOptions, progress, speaker=None) -> Iterator[tuple]:
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
        backend=options.backend,
    )


def _progress(article: Article, quiet: bool):
    from .progress import Progress

    return Progress.for_article(article, quiet=quiet)


class BookAudio:
    """The audio of one book: each chapter planned, then reused from the previous output, joined from
    sentence files (MP3) or assembled from its clips, and the book file made from the chapters."""

    def __init__(self, article: Article, folder: OutputFolder, staging: Path, options: BuildOptions, keys,
                 stages: Stages) -> None:
        from .synthesize import primary_engine

        self.article, self.folder, self.staging, self.options, self.keys, self.stages = (
            article, folder, staging, options, keys, stages)
        self.finishing = finishing_for(options)
        self.rate = self.finishing.rate
        self.codec = ffmpeg.file_codec(options.format)
        self.work = staging / ".work"
        for sub in (self.work, staging / "chapters", staging / "sentences"):
            sub.mkdir()
        self.progress = _progress(article, options.quiet)
        if self.progress is not None:
            self.progress.backend_status = getattr(options.backend, "status", None)
        with stages("voice set-up"):
            self.speaker = primary_engine(options.engine, options.settings, options.jobs)
        self.book = book_writer(staging, self.work, self.rate, options)
        self.encoders = Encoders()
        self.warnings: list[WarningEntry] = []

    def audio(self, pronunciations: Iterator[Pronunciation]
              ) -> tuple[list[tuple[ChapterPlan, ChapterTiming, list]], list[tuple[int, int]], int]:
        """Each chapter's plan, timing and clips; each chapter's place in the book file; its length."""
        options, book = self.options, self.book
        # A chapter is taken whole from the previous output only when the book
        # needs none of its PCM, or can read it back exactly from the chapter file.
        reusable = self.keys is not None and options.cache is not None and (book.joined or options.format in LOSSLESS)
        plans, feed_plans = itertools.tee(plan_chapters(self.article, pronunciations, options,
                                                        self.keys, self.speaker, self.codec, self.rate, reusable,
                                                        self.stages, book.joined))
        feed = (pron for plan in feed_plans if plan.previous is None
                for pron, kept in zip(plan.pronunciations, plan.kept) if kept is None and pron.speaks)
        self.pairs = iter(_synthesize(feed, options, self.progress, self.speaker))
        made = []  # each chapter: its plan, its timing (or a Future of it), its clips
        try:
            for plan in plans:
                if plan.previous is not None:
                    made.append(self.reuse(plan))
                elif book.joined:
                    made.append(join_new_chapter(plan, self.next_clip, self.folder, self.staging, self.work, self.keys,
                                                 self.speaker, options, self.rate, self.encoders, self.warnings,
                                                 self.progress, self.stages))
                else:
                    made.append(self.assemble(plan))
            if options.ahead is not None:  # every sentence is in: the next input's can go out while this one is joined
                options.ahead()
            if self.progress is not None:
                self.progress.note("finishing the book file")
            with self.stages("chapter and sentence files"):
                self.encoders.wait()
            made = [(plan, timing.result() if isinstance(timing, Future) else timing, clips)
                    for plan, timing, clips in made]
            with self.stages("book file"):
                places, total = book.finish([self.folder.inside(plan.file) for plan, _, _ in made],
                                            [timing.length for _, timing, _ in made])
        except BaseException:
            book.kill()
            self.encoders.cancel()
            raise
        return made, places, total

    def next_clip(self, sentence) -> tuple[Pronunciation, Clip]:
        started, planning = time.perf_counter(), self.stages.seconds.get(PLANNING, 0.0)
        try:
            pair = next(self.pairs)
        except StopIteration:
            raise EngineError(f"synthesis stopped before sentence {sentence.id} ({sentence.position})") from None
        # the synthesis loop pulls the plans: their time is counted once, as planning
        planned = self.stages.seconds.get(PLANNING, 0.0) - planning
        self.stages.add("synthesis and clip cache", time.perf_counter() - started - planned)
        return pair

    def reuse(self, plan: ChapterPlan) -> tuple[ChapterPlan, ChapterTiming, list]:
        """A chapter the previous output holds whole: its files linked, its record read back."""
        if not self.keys.reuse_planned(plan.previous, self.staging):
            raise OutputError(f"a file of chapter {plan.chapter.index} vanished from {self.keys.root} during the "
                              "build; run the build again")
        clips = list(plan.recalled)
        for pron, clip in zip(plan.pronunciations, clips):
            self.warnings.extend(warning_entry(n, pron.sentence.id) for n in (*pron.notices, *clip.notices))
            if self.progress is not None:
                self.progress.sentence_done(pron, clip, True)
        if not self.book.joined:
            self.encoders.submit(feed_book, self.folder.inside(plan.file), self.book.encoders)
        return plan, plan.timing, clips

    def assemble(self, plan: ChapterPlan) -> tuple[ChapterPlan, ChapterTiming, list]:
        """A chapter made from its clips in one WAV, then encoded (in the background) into its chapter and
        sentence files and fed to the book."""
        from .incremental import chapter_key

        chapter, options = plan.chapter, self.options
        assembler = ChapterAssembler(chapter.index, chapter.title, self.rate, options.pauses,
                                     self.work / f"{plan.number}.part.wav", options.profile)
        content = chapter_key(chapter.title, plan.file, options.pauses, options.format, options.bitrate, plan.closing,
                              levelling(options))
        clips = []
        try:
            for pron, paragraph_index in zip(plan.pronunciations, plan.paragraphs):
                sentence = pron.sentence
                if not pron.speaks:
                    clip = Recalled.unspoken(pron, self.progress)
                    content.add(UNSPOKEN, sentence.id, paragraph_index)
                    assembler.skip(sentence.index, paragraph_index)
                else:
                    pron, clip = self.next_clip(sentence)
                    with self.stages("stitching and levelling"):
                        content.add(clip, sentence.id, paragraph_index)
                        finished = finished_for(clip, self.finishing)
                        assembler.add(clip, sentence.index, paragraph_index, finished and finished.sentence())
                clips.append(Recalled.of(clip))  # a long chapter's samples would not fit in memory
                self.warnings.extend(warning_entry(n, sentence.id) for n in (*pron.notices, *clip.notices))
            wav = self.work / f"{plan.number}.wav"
            with self.stages("stitching and levelling"):
                timing = assembler.finish(plan.closing, wav, 0)
        except BaseException:
            assembler.abandon()
            raise
        record = chapter_record(timing, clips, None if fell_back(clips, self.speaker) else plan.plan)
        cuts = [(span.start, span.end, self.folder.inside(name))
                for span, name in zip(timing.sentences, plan.sentence_files) if name]
        reused = self.keys is not None and self.keys.reuse_chapter(content.hexdigest(), self.staging, plan.files,
                                                                   **record)
        target = None if reused else self.folder.inside(plan.file)
        self.encoders.submit(encode_chapter, wav, self.book.encoders, target, cuts, self.codec, options.bitrate,
                             chapter.title)
        return plan, timing, clips
