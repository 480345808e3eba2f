"""A chapter MP3 made of its sentence files with silent MP3s between them, joined frame by frame.

Each sentence is levelled on its own (`stitch.level`), so a sentence file
depends on its clip alone and is encoded once; the chapter file is those
files with pauses between them, copied frame by frame (`mp3join`). After an
edit only the edited sentence is encoded, and joining a chapter again takes
milliseconds where encoding it took a second.

A join keeps the earlier part's padding and the later part's encoder delay
(48 to 72 ms at 24 kHz, see mp3join), so a pause is that gap plus a silent
MP3 of whole frames, whose length is chosen to bring the pause to the plan's
within half a frame (12 ms at 24 kHz). A pause shorter than the gap alone
comes out as the gap. Times come from the join's layout, so the timeline is
exact whatever the pauses measure.

New sentence files are written by `SentenceBatch`: about a minute of
levelled sentences at a time goes through one ffmpeg process.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from concurrent.futures import Future
from typing import Any

from . import ffmpeg
from ..chapterplan import ChapterPlan, Recalled, chapter_record, fell_back, from_fallback, placed
from ..errors import OutputError
from ..loudness import db, pooled_loudness
from ..modeljson import notice_to_json
from ..options import BuildOptions
from ..progress import Stages
from ..stitch import ChapterTiming, pcm_wav
from ..timing import Timing
from .book import Encoders
from .folder import OutputFolder
from .manifest import WarningEntry, warning_entry
from .mp3frames import frame_samples, read_info
from .mp3join import JoinedPart, join_mp3
from .sentencefile import finished_for, finishing_for, level_sentence

# LAME puts 576 samples of delay before a stream and, after one of whole
# frames, 576 of padding: a silent file of n = (F - 2) x 576 samples holds F
# audio frames. Three is the fewest such a file can have.
_MIN_SILENT_FRAMES = 3


@dataclass(frozen=True)
class JoinedChapter:
    sentences: tuple[JoinedPart, ...]  # where each sentence file's samples land in the chapter
    length: int  # the chapter's samples


def _frames(samples: float, frame: int) -> int:
    """Whole frames of silence closest to `samples`: none, or at least the fewest a silent file holds."""
    count = max(0, round(samples / frame))
    if 0 < count < _MIN_SILENT_FRAMES:
        return _MIN_SILENT_FRAMES if samples > _MIN_SILENT_FRAMES * frame / 2 else 0
    return count


def silence_files(counts: set[int], sample_rate: int, bitrate: str, folder: Path) -> dict[int, Path]:
    """Silent MP3s of each frame count in `counts`, made once in `folder` (the missing ones by one ffmpeg run)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {count: folder / f"silence-{sample_rate}-{bitrate}-{count}.mp3" for count in counts}
    missing = sorted(count for count, path in paths.items() if not path.is_file())
    if missing:
        frame = frame_samples(sample_rate)
        with tempfile.TemporaryDirectory(dir=folder, prefix=".silence-") as scratch:
            source = Path(scratch) / "zeros.wav"
            with pcm_wav(source, sample_rate) as out:
                out.writeframes(bytes(2 * (max(missing) - 2) * frame))
            made = [(0, (count - 2) * frame, Path(scratch) / paths[count].name) for count in missing]
            ffmpeg.encode_sentences(source, made, ffmpeg.CODECS["mp3"], bitrate)
            for _, _, path in made:
                os.replace(path, folder / path.name)
    return paths


def join_chapter(sentences: Sequence[Path], pauses: Sequence[float], closing: float, target: Path,
                 sample_rate: int, bitrate: str, silence_folder: Path) -> JoinedChapter:
    """Write `target`: a silence of `pauses[0]` samples, then each sentence file with a silence of `pauses[i]`
    samples before it, and `closing` samples after the last; with no sentence (a chapter with nothing to speak),
    the closing silence alone."""
    if not sentences:
        frame = frame_samples(sample_rate)
        count = max(_MIN_SILENT_FRAMES, _frames(closing, frame) + 2)  # a silent file's delay and padding: 2 frames
        layout = join_mp3([silence_files({count}, sample_rate, bitrate, silence_folder)[count]], target)
        return JoinedChapter((), layout.total_samples)
    infos = [read_info(path) for path in sentences]
    frame = infos[0].frame_samples
    delay = infos[0].encoder_delay
    silent_padding = frame  # after a silent file of whole frames
    counts = [_frames(pauses[0], frame)]
    for before, pause in zip(infos, pauses[1:]):
        counts.append(_frames(pause - before.padding - delay, frame))
    counts.append(_frames(closing - infos[-1].padding + silent_padding, frame))
    silences = silence_files({c for c in counts if c}, sample_rate, bitrate, silence_folder)
    parts: list[Path] = []
    where: list[int] = []
    for count, sentence in zip(counts, sentences):
        if count:
            parts.append(silences[count])
        where.append(len(parts))
        parts.append(sentence)
    if counts[-1]:
        parts.append(silences[counts[-1]])
    layout = join_mp3(parts, target)
    return JoinedChapter(tuple(layout.parts[i] for i in where), layout.total_samples)


class SentenceBatch:
    """Levelled sentences written back to back into one WAV, then cut into their MP3 files by one ffmpeg."""

    SECONDS = 60.0  # of audio per batch: encoding keeps pace with synthesis instead of waiting for the chapter

    def __init__(self, wav: Path, rate: int) -> None:
        self.wav = wav
        self.rate = rate
        self._out = pcm_wav(wav, rate)
        self.cuts: list[tuple[int, int, Path]] = []
        self._position = 0

    @property
    def seconds(self) -> float:
        return self._position / self.rate

    def add(self, pcm, target: Path) -> None:
        self._out.writeframesraw(pcm.astype("<i2").tobytes())
        self.cuts.append((self._position, self._position + len(pcm), target))
        self._position += len(pcm)

    def encode(self, bitrate: str) -> None:
        """Write every sentence's MP3 (run in the background while the next sentences are levelled)."""
        self._out.close()
        ffmpeg.encode_sentences(self.wav, self.cuts, ffmpeg.CODECS["mp3"], bitrate)
        self.wav.unlink()


def join_new_chapter(plan: ChapterPlan, next_clip, folder: OutputFolder, staging: Path, work: Path, keys,
                      speaker, options: BuildOptions, rate: int, encoders: Encoders, warnings: list[WarningEntry],
                      progress, stages: Stages) -> tuple[ChapterPlan, Future, list]:
    """An MP3 chapter: sentence files taken from the previous output when made from the same clip, the others
    levelled and encoded in batches (in the background), then all joined with pauses between them."""
    chapter = plan.chapter
    clips: list[Any] = []
    pieces: list[dict] = []
    tokens: list[Timing | None] = []  # each sentence file's token timing, for those that speak
    batch = None
    finishing = finishing_for(options)
    for index, (pron, kept, key, name) in enumerate(zip(plan.pronunciations, plan.kept, plan.pieces,
                                                        plan.sentence_files)):
        sentence = pron.sentence
        if name is None:
            clips.append(Recalled.unspoken(pron, progress))
            warnings.extend(warning_entry(n, sentence.id) for n in pron.notices)
            continue
        if kept is not None and keys.link_piece(kept, staging, name):
            clip = Recalled.recorded(int(kept["samples"]), kept, rate)
            piece = {**kept, "file": name}
            times = Timing.from_json(kept.get("timing"))
            if progress is not None:
                progress.sentence_done(pron, clip, True)
        else:
            if kept is not None:
                raise OutputError(f"a sentence file of chapter {chapter.index} vanished from {keys.root} during the "
                                  "build; run the build again")
            pron, clip = next_clip(sentence)
            with stages("stitching and levelling"):
                finished = finished_for(clip, finishing)
                if finished is not None:  # levelled and encoded by the Ray actor that spoke it
                    levelled, times = finished.levelled, finished.timing
                    folder.inside(name).write_bytes(finished.data)
                else:
                    levelled, times = level_sentence(clip, finishing)
                    if batch is None:
                        batch = SentenceBatch(work / f"{plan.number}-{index}.wav", rate)
                    batch.add(levelled.pcm, folder.inside(name))
            piece = _new_piece(None if from_fallback(clip, speaker) else key, name, clip, levelled, times)
            if batch is not None and batch.seconds >= SentenceBatch.SECONDS:
                encoders.submit(batch.encode, options.bitrate)
                batch = None
        clips.append(Recalled.of(clip))  # the samples are not kept: a book's would not fit in memory
        pieces.append(piece)
        tokens.append(times)
        warnings.extend(warning_entry(n, sentence.id) for n in (*pron.notices, *clip.notices))
    if batch is not None:
        encoders.submit(batch.encode, options.bitrate)
    joined = encoders.submit(_joined_chapter, plan, pieces, tokens, clips, folder, keys, speaker, options, rate, work)
    return plan, joined, clips


def _new_piece(key: str | None, name: str, clip, levelled, times: Timing | None) -> dict:
    """The keys file's record of a sentence file made in this build (`key` None: spoken by the fallback engine,
    so never reused)."""
    return {"piece": key, "file": name,
            "loudness": round(levelled.loudness, 3), "gated": list(levelled.gated),
            "true_peak": levelled.true_peak, "engine": clip.engine,
            "notices": [notice_to_json(n) for n in clip.notices],
            "timing": None if times is None else times.to_json()}


def _joined_chapter(plan: ChapterPlan, pieces: list[dict], tokens: list[Timing | None], clips: list,
                    folder: OutputFolder, keys, speaker, options: BuildOptions, rate: int, work: Path) -> ChapterTiming:
    """The chapter file joined from its sentence files with the plan's pauses (run once they are all encoded); its
    timing, also remembered in the keys file with each piece's length."""
    chapter = plan.chapter
    spoken = [paragraph for pron, paragraph in zip(plan.pronunciations, plan.paragraphs) if pron.speaks]
    gaps = [options.pauses.before(paragraph, previous) * rate for paragraph, previous in zip(spoken, (None, *spoken))]
    silences = getattr(options.cache, "silence_dir", None) or work / "silence"
    joined = join_chapter([folder.inside(name) for name in plan.files[1:]], gaps, plan.closing * rate,
                          folder.inside(plan.file), rate, options.bitrate, silences)
    peak = max((p["true_peak"] for p in pieces), default=0.0)
    timing = ChapterTiming(
        index=chapter.index,
        title=chapter.title,
        start=0,
        length=joined.length,
        sentences=placed(plan, joined.sentences, tokens),
        loudness=round(pooled_loudness(tuple(p["gated"]) for p in pieces), 2),
        true_peak=round(db(peak), 2),
    )
    for piece, part in zip(pieces, joined.sentences):
        piece["samples"] = part.samples
    if keys is not None:
        keys.remember(plan.files, **chapter_record(timing, clips, None if fell_back(clips, speaker) else plan.plan,
                                                   pieces))
    return timing
