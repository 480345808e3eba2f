"""One sentence finished from its clip: brought to the book's format and loudness, and (for joined MP3
chapters) encoded into its sentence file, the same way wherever it is done.

A local build finishes each sentence in the build process (and encodes the
sentence files a minute of audio at a time, `chapterjoin.SentenceBatch`). On a
cluster the Ray actor that spoke the sentence finishes it too
(`backends.cluster`), so that the work that grows with the audio (levelling,
limiting, encoding) is spread over the actors and the driver only writes the
bytes it is handed and records the figures. Both call `finish`, so a sentence
file is byte for byte the same either way.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..options import PausePlan
from ..profiles import Profile

if TYPE_CHECKING:
    from ..model import Clip
    from ..options import BuildOptions
    from ..stitch import Levelled
    from ..timing import Timing


@dataclass(frozen=True)
class Finishing:
    """How every sentence of a build is finished: the book's sample rate, pauses (trimming and fades) and
    publishing profile (loudness), and the bitrate of its MP3 sentence file when `encode` (a chapter joined
    from sentence files; otherwise the chapter is assembled from the levelled PCM and cut afterwards)."""

    rate: int
    pauses: PausePlan
    profile: Profile
    bitrate: str
    encode: bool


@dataclass(frozen=True)
class Finished:
    """A finished sentence: its levelled 16-bit PCM and figures, its token timing, and its sentence file's
    bytes (None unless `Finishing.encode`). `finishing` is what it was made with. `stored`: the clip's cache
    key and the file the clip cache keeps for it (`cache.clip_file`), when the actor made that too."""

    finishing: Finishing
    levelled: Levelled
    timing: Timing | None
    data: bytes | None
    stored: tuple[str, bytes] | None = None

    def sentence(self) -> tuple[Levelled, Timing | None]:
        """What `stitch.levelled_sentence` gives for the clip (the PCM left out when the file holds it)."""
        return self.levelled, self.timing


def book_rate(options: BuildOptions) -> int:
    """The sample rate of every audio file of the build: the profile's, else the engine's own."""
    from .. import engines

    return options.profile.sample_rate or engines.engine_class(options.engine).sample_rate


def finishing_for(options: BuildOptions) -> Finishing:
    """How `options`' build finishes its sentences (MP3 chapters are joined from encoded sentence files)."""
    from .book import joins_chapters

    return Finishing(book_rate(options), options.pauses, options.profile, options.bitrate, joins_chapters(options))


def level_sentence(clip: Clip, finishing: Finishing) -> tuple[Levelled, Timing | None]:
    """`clip` trimmed, faded and levelled as `finishing` says (`stitch.levelled_sentence`), with its token timing."""
    from ..stitch import levelled_sentence

    return levelled_sentence(clip, finishing.rate, finishing.pauses, finishing.profile)


def finish(clip: Clip, finishing: Finishing) -> Finished:
    """`level_sentence`, and when `finishing.encode` the sentence's MP3 file, by the ffmpeg command a local build
    uses for its sentence files; an encoded sentence keeps its figures but not its PCM (the file has it)."""
    from ..stitch import pcm_wav
    from . import ffmpeg

    levelled, timing = level_sentence(clip, finishing)
    if not finishing.encode:
        return Finished(finishing, levelled, timing, None)
    with tempfile.TemporaryDirectory(prefix="tts-sentence-") as scratch:
        wav, target = Path(scratch) / "sentence.wav", Path(scratch) / "sentence.mp3"
        with pcm_wav(wav, finishing.rate) as out:
            out.writeframes(levelled.pcm.astype("<i2").tobytes())
        ffmpeg.encode_sentences(wav, [(0, len(levelled.pcm), target)], ffmpeg.CODECS["mp3"], finishing.bitrate)
        data = target.read_bytes()
    return Finished(finishing, replace(levelled, pcm=levelled.pcm[:0]), timing, data)


def finished_for(clip: Clip, finishing: Finishing) -> Finished | None:
    """What the backend that spoke `clip` finished of it, when that was made as `finishing` says; else None
    (a clip from the cache, a fallback's, or one spoken here: the build finishes it itself)."""
    made = clip.finished
    return made if made is not None and made.finishing == finishing else None
