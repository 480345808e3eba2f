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
    return Clip(quantize(clip.samples), clip.sample_rate, engine.name, tuple(clip.notices), tuple(clip.words))


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
