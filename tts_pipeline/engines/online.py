"""What the online engines (gtts, edge) share: retries with growing pauses, and MP3 replies decoded.

`Backoff.call` runs one request up to `attempts` times.  An attempt that may
succeed later (timeout, refused connection, HTTP 429 or 5xx, a cut-off stream)
raises `Retry`; anything else it raises ends the sentence at once.  After a
sentence has used up every attempt, later sentences do not repeat the whole
backoff: within the cool-down they fail at once, after it one attempt probes
whether the service is back.  Without this a build with --fallback and no
network would spend the full backoff on every sentence.  The time it reads and
waits on is a `Clock`, `TextServiceEngine.clock` for every online engine.
"""
from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

import numpy as np

from ..errors import EngineError
from ..model import Pronunciation
from .base import Availability, Engine

T = TypeVar("T")


@dataclass(frozen=True)
class Clock:
    """The time the online engines' backoff reads (`now`: seconds that only go forward) and waits on
    (`sleep`). Every online engine takes `TextServiceEngine.clock`: set that class attribute to run them
    on another time, such as one that records the pauses instead of sleeping through them."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class TextServiceEngine(Engine):
    """An engine that sends each sentence's text (homophones swapped in) to an online service.

    Subclasses name the Python module they need and how to install it, say
    what they send where, and `plan` the request (a value with `.text`)."""

    needs_network = True
    module: str
    install: str  # what to run when `module` is missing
    sends: str  # the note `tts-pipeline voices` prints
    clock: Clock = Clock()  # what the backoff reads and waits on

    @classmethod
    def availability(cls) -> Availability:
        import importlib.util

        if importlib.util.find_spec(cls.module) is None:
            return Availability(False, f"the {cls.module} module is not installed ({cls.install})")
        return Availability(True, f"needs the network: {cls.sends}")

    def plan(self, pronunciation: Pronunciation):
        raise NotImplementedError

    def sent_text(self, pronunciation: Pronunciation) -> str:
        return self.plan(pronunciation).text


class Retry(Exception):
    """An attempt failed in a way that may pass: `cause` for the message, `wait` the server's Retry-After."""

    def __init__(self, cause: str, wait: float | None = None):
        super().__init__(cause)
        self.cause = cause
        self.wait = wait


class Backoff:
    """Attempts per sentence, the pauses between them, and the cool-down after a sentence gave up."""

    def __init__(self, attempts: int, base: float = 1.0, cap: float = 20.0, cooldown: float = 30.0,
                 clock: Clock = Clock()):
        self.attempts = attempts
        self.clock = clock
        self.base = base  # seconds before the second attempt; doubles each time
        self.cap = cap
        self.cooldown = cooldown  # seconds without requests after a sentence used up its attempts
        self._random = random.Random()
        self._gave_up_at: float | None = None

    def delay(self, attempt: int, server_wait: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        # Equal jitter: half the ceiling for sure, the rest at random, so
        # parallel workers that failed together do not retry together.
        delay = ceiling / 2 + self._random.uniform(0, ceiling / 2)
        if server_wait is not None:
            delay = max(delay, min(server_wait, 60.0))
        return delay

    def call(self, attempt: Callable[[], T], unreachable: str, advice: str) -> T:
        """`attempt()`'s result, retried on `Retry`; else an EngineError "`unreachable` (why); `advice`"."""
        attempts = self.attempts
        if self._gave_up_at is not None:
            waited = self.clock.now() - self._gave_up_at
            if waited < self.cooldown:
                raise EngineError(
                    f"{unreachable} (an earlier sentence failed {self.attempts} attempts; "
                    f"next try in {self.cooldown - waited:.0f} s); {advice}"
                )
            attempts = 1
        causes: list[str] = []
        for number in range(1, attempts + 1):
            try:
                result = attempt()
                self._gave_up_at = None
                return result
            except Retry as retry:
                causes.append(retry.cause)
                if number < attempts:
                    self.clock.sleep(self.delay(number, retry.wait))
        self._gave_up_at = self.clock.now()
        raise EngineError(
            f"{unreachable} after {attempts} attempt{'s' if attempts > 1 else ''} (last: {causes[-1]}); {advice}"
        )


def attempts_option(engine: str, value: object, flag: str) -> int:
    """A tries-per-sentence option checked: a whole number of 1 or more."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise EngineError(f"{engine}: attempts must be a whole number of 1 or more, not {value!r} ({flag})")
    return value


def http_failure(status: int, reason: str | None, headers, refused: str, advice: str) -> Exception:
    """What an HTTP error reply means: Retry for throttling (429) and server errors (5xx), which may pass;
    else an EngineError "`refused` (HTTP status reason); `advice`"."""
    said = f"HTTP {status} {reason or ''}".strip()
    if status == 429 or status >= 500:
        return Retry(said, retry_after(headers))
    return EngineError(f"{refused} ({said}); {advice}")


def retry_after(headers) -> float | None:
    """The seconds a Retry-After header asks for, or None."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def decode_mp3(data: bytes, what: str) -> tuple[np.ndarray, int]:
    """Mono float32 samples and their rate from MP3 bytes; an EngineError naming `what` if they do not decode."""
    import soundfile

    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise EngineError(f"{what} is not audio that could be decoded ({exc})") from exc
    return samples.mean(axis=1).astype(np.float32), int(rate)
