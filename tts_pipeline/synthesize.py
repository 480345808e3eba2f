"""The synthesis loop: pronounced sentences in, clips out, in input order.

Clips come from the cache when it holds them; the rest are handed to a
backend (`tts_pipeline.backends`): the engine in this process (`jobs=1`),
worker processes that each load the voice once, or Ray actors on a cluster.
Every clip is rounded to 16 bits (`engines.speaking.speak_with`), so a clip is
the same whether it was just spoken, read back from the cache, or made by a
worker.
"""
from __future__ import annotations

import dataclasses
from collections import deque
from typing import Iterable, Iterator

from . import backends, engines
from .machine import available_cores
from .cache import ClipCache
from .engines.base import Engine, VoiceSettings
from .engines.speaking import estimated_timing, key_with, speak_with
from .errors import EngineError, PipelineError
from .model import Clip, Notice, Pronunciation


def engine_threads(requested: int | None, jobs: int, cores: int | None = None) -> int:
    """CPU threads for each engine instance when `jobs` instances run at once.

    Unless asked otherwise, every instance runs on one thread, whatever
    `jobs` is: the voice's float results depend (in the last bits) on its
    thread count, so one count for all is what makes `--jobs N` give the
    same samples as `--jobs 1`, and one thread per job fits N jobs on N
    cores. A requested count is kept, but cut down so that jobs × threads
    fits the cores.
    """
    if requested is None:
        return 1
    if jobs == 1:
        return requested
    cores = cores or available_cores()
    return max(1, min(requested, cores // jobs))


def synthesize_all(
    pronunciations: Iterable[Pronunciation],
    engine: str,
    settings: VoiceSettings,
    *,
    fallback: str | None = None,
    jobs: int = 1,
    cache: ClipCache | None = None,
    progress=None,
    speaker: Engine | None = None,
    backend: backends.Backend | None = None,
) -> Iterator[tuple[Pronunciation, Clip]]:
    """Yield (pronunciation, clip) for each input, in input order, as they are ready.

    The input is consumed lazily and only a small window of clips is held,
    so a book of any length streams through. `fallback` names an engine for
    the sentences on which `engine` raises EngineError; such a clip carries
    the fallback's name in `Clip.engine` and a notice saying why. `progress`,
    if given, has `sentence_done(pronunciation, clip, cached)` called for each.
    `speaker` is the primary engine when the caller has made it already with
    `primary_engine` (the build does, to compute cache keys before synthesis).
    `backend` speaks the sentences the cache does not hold: one the caller
    started (worker processes from `start_backend`, started early so that the
    voice loads while the input is read, or Ray actors) and closes itself.
    Without one, the loop uses the engine here for `jobs=1` and starts `jobs`
    worker processes at the first uncached sentence otherwise, and closes
    them.
    """
    if jobs < 1:
        raise PipelineError(f"--jobs must be 1 or more, not {jobs}")
    loop = _Loop(engine, settings, fallback, cache, jobs, speaker)
    for pronunciation, clip, cached in loop.run(pronunciations, backend):
        if progress is not None:
            progress.sentence_done(pronunciation, clip, cached)
        yield pronunciation, clip


def primary_engine(engine: str, settings: VoiceSettings, jobs: int = 1) -> Engine:
    """The engine `synthesize_all` speaks with (and whose `cache_key` names its clips) for these settings and jobs."""
    return engines.create(engine, speaking_settings(settings, jobs))


def start_backend(engine: str, settings: VoiceSettings, jobs: int, speaker: Engine | None = None) -> backends.Backend:
    """The backend `synthesize_all(..., jobs=jobs)` would start at its first uncached sentence, now."""
    return backends.start(engine, speaking_settings(settings, jobs), jobs, speaker)


def speaking_settings(settings: VoiceSettings, jobs: int) -> VoiceSettings:
    """The settings every engine instance speaks with when `jobs` run at once (`engine_threads`)."""
    return dataclasses.replace(settings, threads=engine_threads(settings.threads, jobs))


class _Loop:
    def __init__(self, engine: str, settings: VoiceSettings, fallback: str | None, cache: ClipCache | None,
                 jobs: int = 1, primary: Engine | None = None):
        self.engine_name = engine
        self.settings = settings
        self.fallback_name = fallback
        self.cache = cache
        self.jobs = jobs
        self.speaking = speaking_settings(settings, jobs)
        # The primary engine is created up front so an unknown or unusable
        # engine fails before any work; engines keep their model loading lazy.
        self.primary = primary if primary is not None else engines.create(engine, self.speaking)
        self._fallback: Engine | None = None
        if fallback is not None:
            engines.engine_class(fallback)  # an unknown name fails now, not at the first failure

    @property
    def fallback(self) -> Engine:
        if self._fallback is None:
            # --voice names a voice of the chosen engine, not of the fallback
            self._fallback = engines.create(self.fallback_name, dataclasses.replace(self.speaking, voice=None))
        return self._fallback

    def lookup(self, engine: Engine, pronunciation: Pronunciation) -> tuple[str | None, Clip | None]:
        """The sentence's cache key and its cached clip; an EngineError when `engine` cannot give the key."""
        if self.cache is None:
            return None, None
        key = key_with(engine, pronunciation)
        clip = self.cache.get(key)
        if clip is not None and clip.timing is None:  # stored before clips carried their timing
            clip = dataclasses.replace(clip, timing=estimated_timing(pronunciation, clip.samples, clip.sample_rate,
                                                                          clip.words))
        return key, clip

    def store(self, key: str | None, clip: Clip) -> None:
        if self.cache is not None and key is not None:
            self.cache.put(key, clip)

    def own_backend(self) -> backends.Backend:
        return start_backend(self.engine_name, self.settings, self.jobs, self.primary)

    def run(self, pronunciations: Iterable[Pronunciation],
            given: backends.Backend | None) -> Iterator[tuple[Pronunciation, Clip, bool]]:
        """Look each sentence up in the cache and hand the rest to the backend, up to its window ahead; yield
        them in order. The window of clips held while waiting for one in order is bounded too."""
        backend = given
        pending: deque[tuple[Pronunciation, str | None, Clip | int | tuple]] = deque()
        in_flight = 0
        source = iter(pronunciations)
        exhausted = False
        finished = False
        try:
            while True:
                limit = backend.window if backend is not None else 1
                window_limit = 2 * limit + 16
                while not exhausted and in_flight < limit and len(pending) < window_limit:
                    try:
                        pronunciation = next(source)
                    except StopIteration:
                        exhausted = True
                        if backend is not None:
                            backend.drain()  # workers exit once they have answered, not when the book is done
                        break
                    try:
                        key, clip = self.lookup(self.primary, pronunciation)
                    except EngineError as exc:
                        pending.append((pronunciation, None, self.after_failure(pronunciation, exc)))
                        continue
                    if clip is not None:
                        pending.append((pronunciation, key, clip))
                        continue
                    if backend is None:
                        backend = self.own_backend()
                    pending.append((pronunciation, key, backend.submit(pronunciation)))
                    in_flight += 1
                if not pending:
                    finished = True
                    return
                pronunciation, key, ready = pending.popleft()
                if isinstance(ready, Clip):
                    yield pronunciation, ready, True
                    continue
                if isinstance(ready, tuple):  # the fallback's, after the engine could not give a key
                    yield ready
                    continue
                in_flight -= 1
                try:
                    clip = backend.result(ready)
                except EngineError as exc:
                    yield self.after_failure(pronunciation, exc)
                    continue
                self.store(key, clip)
                yield pronunciation, clip, False
        finally:
            if backend is not None and backend is not given:
                backend.close(wait=finished)

    def after_failure(self, pronunciation: Pronunciation, exc: EngineError) -> tuple[Pronunciation, Clip, bool]:
        sentence = pronunciation.sentence
        reason = str(exc)
        if self.fallback_name is None:
            if sentence.id in reason:
                raise exc
            raise EngineError(f"{sentence.position}: sentence {sentence.id}: {reason}") from exc
        notice = Notice(
            code="engine-fallback",
            message=(
                f"engine {self.engine_name!r} could not speak sentence {sentence.id} ({reason}); "
                f"engine {self.fallback_name!r} spoke it instead"
            ),
            sentence=sentence.index,
            position=sentence.position,
            text=sentence.text,
            used=self.fallback_name,
        )
        try:
            key, clip = self.lookup(self.fallback, pronunciation)
            cached = clip is not None
            if clip is None:
                clip = speak_with(self.fallback, pronunciation)
        except EngineError as second:
            raise EngineError(
                f"{sentence.position}: sentence {sentence.id}: engine {self.engine_name!r} failed "
                f"({reason}) and so did the fallback {self.fallback_name!r} ({second})"
            ) from second
        if not cached:
            self.store(key, clip)
        return pronunciation, dataclasses.replace(clip, notices=clip.notices + (notice,)), cached

