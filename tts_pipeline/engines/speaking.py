"""Speaking one sentence with an engine, the same way wherever it runs.

The synthesis loop, the worker processes and the Ray actors all call these,
so a clip is the same whether it was spoken in this process, in a worker or
on a cluster node: rounded to 16 bits, and any failure an EngineError that
names the sentence.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from ..errors import EngineError
from ..model import Clip, Pronunciation
from ..timing import Timing
from .base import Engine


@contextlib.contextmanager
def _on_sentence(engine: Engine, pronunciation: Pronunciation) -> Iterator[None]:
    """Any failure of `engine` inside becomes an EngineError naming the sentence: the engine cannot say it."""
    try:
        yield
    except EngineError:
        raise
    except Exception as exc:  # noqa: BLE001 - a crash on one sentence may still have a fallback
        raise EngineError(
            f"engine {engine.name!r} failed on sentence {pronunciation.sentence.id}: {type(exc).__name__}: {exc}"
        ) from exc


def key_with(engine: Engine, pronunciation: Pronunciation) -> str:
    """The sentence's clip-cache key from `engine`; any failure becomes an EngineError naming the sentence."""
    with _on_sentence(engine, pronunciation):
        from . import mixed  # numpy: only where a sentence is spoken or keyed

        return mixed.key(engine, pronunciation)


def speak_with(engine: Engine, pronunciation: Pronunciation) -> Clip:
    """One sentence from `engine`, rounded to 16 bits; any failure becomes an EngineError naming the sentence."""
    from ..cache import quantize  # numpy and soundfile: only where a sentence is spoken
    from . import mixed

    with _on_sentence(engine, pronunciation):
        clip = mixed.speak(engine, pronunciation)
    samples = quantize(clip.samples)
    timing = clip.timing if clip.timing is not None else estimated_timing(pronunciation, samples, clip.sample_rate,
                                                                          clip.words)
    return Clip(samples, clip.sample_rate, engine.name, tuple(clip.notices), tuple(clip.words), timing)


def estimated_timing(pronunciation: Pronunciation, samples, sample_rate: int, words=()) -> Timing:
    """For an engine that gives no token timing: from its word times where it gives them (edge), each word
    shared among its tokens by their syllables; otherwise (gtts) guessed from the clip's energy and the
    tokens' syllables. Marked estimated either way."""
    from ..timing import estimate, from_words

    syllables = {index: len(token.pinyin.split()) for index, token in enumerate(pronunciation.tokens) if token.pinyin}
    placed = [w for w in words if w.first_token is not None and w.last_token is not None]
    if placed:
        spans = [(round(w.start * sample_rate), round(w.end * sample_rate),
                  [(t, syllables[t]) for t in range(w.first_token, w.last_token + 1) if t in syllables])
                 for w in placed]
        return from_words(spans, sample_rate)
    return estimate(samples, sample_rate, list(syllables.items()))


def start_engine(module: str, name: str, settings) -> Engine:
    """The engine `name` in a process of its own (a worker, an actor): `module` defines it (an engine from
    outside the package registers itself on import); a failure to start is an EngineError."""
    from . import create

    try:
        __import__(module)
        return create(name, settings)
    except EngineError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported as the engine's failure
        raise EngineError(f"engine {name!r} failed to start: {type(exc).__name__}: {exc}") from exc
