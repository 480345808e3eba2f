"""The book file: book.mp3 (and book.m4b) from the chapters, and the chapter and sentence files encoded
beside it while the next chapter is synthesised."""
from __future__ import annotations

import wave
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

from ..options import BuildOptions
from . import ffmpeg


class Encoders:
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
def feed_book(audio: Path, books: Sequence[ffmpeg.StreamEncoder]) -> None:
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
def encode_chapter(wav: Path, books, target: Path | None, cuts, codec: ffmpeg.Codec, bitrate: str, title: str) -> None:
    """Feed the chapter to the book (if it is streamed) and write its chapter and sentence files (unless
    `target` is None: reused).

    These are separate ffmpeg processes reading the same WAV; run side by
    side they keep both cores busy once the last chapter is assembled."""
    if target is None:
        feed_book(wav, books)
        wav.unlink()
        return
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="encode-files") as side:
        jobs = [side.submit(ffmpeg.encode_sentences, wav, cuts, codec, bitrate)]
        if codec.extension != "wav":
            jobs.append(side.submit(ffmpeg.encode_file, wav, target, codec, bitrate, title=title))
        feed_book(wav, books)
        for job in jobs:
            job.result()
    if codec.extension == "wav":
        wav.replace(target)
    else:
        wav.unlink()
# Chapter files from which the book's PCM comes back exactly, so a reused one can feed a streamed book.
LOSSLESS = ("wav", "flac")
class StreamedBook:
    """book.mp3 (and, for m4b, the AAC audio of book.m4b) encoded from every chapter's PCM as it comes:
    the book's timeline is the chapters end to end."""

    joined = False

    def __init__(self, staging: Path, work: Path, rate: int, options: BuildOptions) -> None:
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
class JoinedBook:
    """book.mp3 as the chapter MP3s joined without encoding again; the join puts a few milliseconds of
    encoder delay and padding between chapters, so the book's timeline is the join's, not the chapters'."""

    joined = True
    encoders: Sequence[ffmpeg.StreamEncoder] = ()
    m4a = None

    def __init__(self, staging: Path) -> None:
        self.target = staging / "book.mp3"

    def finish(self, files: Sequence[Path], lengths: Sequence[int]) -> tuple[list[tuple[int, int]], int]:
        from .mp3join import join_mp3

        layout = join_mp3(files, self.target)
        return [(part.start, part.samples) for part in layout.parts], layout.total_samples

    def kill(self) -> None:
        pass
def joins_chapters(options: BuildOptions) -> bool:
    """An MP3 book is its chapters joined frame by frame, and each chapter its sentence files joined."""
    return options.format == "mp3"


def book_writer(staging: Path, work: Path, rate: int, options: BuildOptions):
    if joins_chapters(options):
        return JoinedBook(staging)
    return StreamedBook(staging, work, rate, options)
