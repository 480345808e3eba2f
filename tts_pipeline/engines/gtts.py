"""Google Translate's voice through gTTS: online, text in, MP3 out.

Google reads characters, not pinyin, so resolved readings reach it through
the text: `plan_request` swaps, in the request only, each character that
Google would read differently for a common character that has only the wanted
reading (see `homophones`).  `plan_request` sends nothing, so what would be
sent can be inspected and tested without a network.
"""
from __future__ import annotations

import io
import random
import threading
import time
from dataclasses import dataclass

import numpy as np

from ..errors import EngineError
from ..hanzi import is_han
from ..model import Clip, Notice, Pronunciation
from . import register
from .base import Availability, Engine, VoiceSettings
from .homophones import homophone

LANGUAGES = ("zh-CN", "zh-TW")
DEFAULT_LANGUAGE = "zh-CN"
DEFAULT_ATTEMPTS = 4
# Google's two paces are normal and about 0.7 of it; a requested speed picks
# the nearer one.
SLOW_BELOW_SPEED = 0.85
# Requests in flight at once from one process, across all gtts engines in it.
REQUESTS_AT_ONCE = 2
_in_flight = threading.BoundedSemaphore(REQUESTS_AT_ONCE)

OFFLINE_ADVICE = "check the network, or choose an offline engine with --engine neural (or --engine espeak)"


def plain_readings(text: str) -> list[str | None]:
    """The reading pypinyin gives each character of `text` read in context (None for non-Han)."""
    from pypinyin import Style, pinyin

    readings: list[str | None] = [None] * len(text)
    start = 0
    while start < len(text):
        if not is_han(text[start]):
            start += 1
            continue
        end = start
        while end < len(text) and is_han(text[end]):
            end += 1
        run = pinyin(text[start:end], style=Style.TONE3, neutral_tone_with_five=True, heteronym=False)
        if len(run) != end - start:  # characters pypinyin does not know come back grouped
            run = [pinyin(c, style=Style.TONE3, neutral_tone_with_five=True)[0] for c in text[start:end]]
        for offset, item in enumerate(run):
            reading = item[0]
            readings[start + offset] = reading if reading[-1:].isdigit() else None
        start = end
    return readings


def _same_for_google(character: str, wanted: str, plain: str | None) -> bool:
    if plain is None or wanted == plain:
        return True
    # Google voices the tone changes of 一 and 不 and neutral tones from
    # context, and no character reads only a neutral tone, so a difference in
    # tone alone there is nothing a swap could fix.
    if wanted.rstrip("12345") == plain.rstrip("12345"):
        return character in "一不" or wanted.endswith("5")
    return False


@dataclass(frozen=True)
class Request:
    """What one sentence sends to Google."""

    text: str
    language: str
    slow: bool
    swaps: tuple[tuple[int, str, str], ...] = ()  # (offset in text, original, sent)
    notices: tuple[Notice, ...] = ()


def _spoken_targets(pronunciation: Pronunciation) -> tuple[str, list[str | None]]:
    """The sentence as Google should read it, and the wanted reading of each Han character in it."""
    pieces: list[str] = []
    wanted: list[str | None] = []
    for token in pronunciation.tokens:
        spoken = token.spoken
        pieces.append(spoken)
        syllables = token.pinyin.split() if token.pinyin else []
        if syllables and len(syllables) == len(spoken) and all(is_han(c) for c in spoken):
            wanted.extend(syllables)
        else:
            wanted.extend([None] * len(spoken))
    return "".join(pieces), wanted


def plan_request(pronunciation: Pronunciation, language: str = DEFAULT_LANGUAGE, slow: bool = False) -> Request:
    """Build the request text for one sentence, with homophone swaps where Google would misread."""
    original, wanted = _spoken_targets(pronunciation)
    text = list(original)
    swapped: dict[int, str] = {}
    unfixable: dict[int, str] = {}
    # A swap changes the context its neighbours are read in, so check again
    # until nothing changes (two rounds in practice).
    for _ in range(4):
        plain = plain_readings("".join(text))
        changed = False
        for i, target in enumerate(wanted):
            if target is None or i in unfixable or _same_for_google(original[i], target, plain[i]):
                continue
            replacement = homophone(target)
            if replacement is None:
                unfixable[i] = plain[i] or ""
            elif text[i] != replacement:
                text[i] = replacement
                swapped[i] = replacement
                changed = True
        if not changed:
            break
    sentence = pronunciation.sentence
    notices = tuple(
        Notice(
            code="gtts-no-homophone",
            message=(
                f"{sentence.position}: sentence {sentence.id}: gtts cannot make Google read "
                f"{original[i]} as {wanted[i]} (no common character reads only {wanted[i]}); "
                f"sent as written, Google will likely say {said}"
            ),
            sentence=sentence.index,
            position=sentence.position,
            text=original[i],
            hint=wanted[i],
            used=said,
        )
        for i, said in sorted(unfixable.items())
    )
    swaps = tuple((i, original[i], swapped[i]) for i in sorted(swapped))
    return Request("".join(text), language, slow, swaps, notices)


def _decode_mp3(data: bytes, what: str) -> tuple[np.ndarray, int]:
    import soundfile

    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise EngineError(f"{what} is not audio that could be decoded ({exc})") from exc
    return samples.mean(axis=1).astype(np.float32), int(rate)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _now() -> float:
    return time.monotonic()


class _Retry(Exception):
    def __init__(self, cause: str, wait: float | None = None):
        super().__init__(cause)
        self.cause = cause
        self.wait = wait


@register
class GttsEngine(Engine):
    name = "gtts"
    needs_network = True
    sample_rate = 24000
    description = "Google Translate's voice through gTTS; hints sent as unambiguous homophones"

    backoff_base = 1.0  # seconds before the second attempt; doubles each time
    backoff_cap = 20.0
    cooldown = 30.0  # seconds without requests after a sentence used up its attempts
    timeout = (5.0, 20.0)  # connect, read

    def __init__(self, settings: VoiceSettings | None = None) -> None:
        super().__init__(settings)
        language = self.settings.language or DEFAULT_LANGUAGE
        if language not in LANGUAGES:
            raise EngineError(f"gtts: language {language!r} is not offered; choose one of {', '.join(LANGUAGES)} (--gtts-lang)")
        self.language = language
        self.slow = bool(self.settings.option("slow", False)) or self.settings.speed < SLOW_BELOW_SPEED
        attempts = self.settings.option("attempts", DEFAULT_ATTEMPTS)
        if not isinstance(attempts, int) or attempts < 1:
            raise EngineError(f"gtts: attempts must be a whole number of 1 or more, not {attempts!r} (--gtts-attempts)")
        self.attempts = attempts
        self._random = random.Random()
        self._gave_up_at: float | None = None

    @classmethod
    def availability(cls) -> Availability:
        import importlib.util

        if importlib.util.find_spec("gtts") is None:
            return Availability(False, "the gTTS package is not installed (pip install gTTS)")
        return Availability(True, "needs the network: it sends each sentence to translate.google.com")

    def plan(self, pronunciation: Pronunciation) -> Request:
        return plan_request(pronunciation, self.language, self.slow)

    def cache_key(self, pronunciation: Pronunciation) -> str:
        request = self.plan(pronunciation)
        return f"gtts/1|{request.language}|slow={request.slow}|{request.text}"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        request = self.plan(pronunciation)
        sentence_id = pronunciation.sentence.id
        if not any(is_han(c) or c.isalnum() for c in request.text):
            return Clip(np.zeros(0, dtype=np.float32), self.sample_rate, self.name, request.notices)
        where = pronunciation.sentence.position
        parts = self._fetch(request, sentence_id, where)
        decoded = [_decode_mp3(part, f"{where}: gtts: Google's reply for sentence {sentence_id}") for part in parts]
        rate = decoded[0][1]
        samples = np.concatenate([s for s, _ in decoded]) if decoded else np.zeros(0, dtype=np.float32)
        return Clip(samples, rate, self.name, request.notices)

    def _fetch(self, request: Request, sentence_id: str, where: object) -> list[bytes]:
        # After a sentence has used up every attempt, later sentences do not
        # repeat the whole backoff: within the cool-down they fail at once,
        # after it one attempt probes whether Google is back.  Without this a
        # build with --fallback and no network would spend the full backoff
        # on every sentence.
        attempts = self.attempts
        if self._gave_up_at is not None:
            waited = _now() - self._gave_up_at
            if waited < self.cooldown:
                raise EngineError(
                    f"{where}: gtts: Google could not be reached for sentence {sentence_id} (an earlier sentence "
                    f"failed {self.attempts} attempts; next try in {self.cooldown - waited:.0f} s); {OFFLINE_ADVICE}"
                )
            attempts = 1
        causes: list[str] = []
        for attempt in range(1, attempts + 1):
            try:
                parts = self._attempt(request, sentence_id, where)
                self._gave_up_at = None
                return parts
            except _Retry as retry:
                causes.append(retry.cause)
                if attempt < attempts:
                    _pause(self._delay(attempt, retry.wait))
        self._gave_up_at = _now()
        raise EngineError(
            f"{where}: gtts: Google could not be reached for sentence {sentence_id} after {attempts} "
            f"attempt{'s' if attempts > 1 else ''} (last: {causes[-1]}); {OFFLINE_ADVICE}"
        )

    def _delay(self, attempt: int, server_wait: float | None) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        # Equal jitter: half the ceiling for sure, the rest at random, so
        # parallel workers that failed together do not retry together.
        delay = ceiling / 2 + self._random.uniform(0, ceiling / 2)
        if server_wait is not None:
            delay = max(delay, min(server_wait, 60.0))
        return delay

    def _attempt(self, request: Request, sentence_id: str, where: object) -> list[bytes]:
        import requests
        from gtts import gTTS, gTTSError

        tts = gTTS(request.text, lang=request.language, slow=request.slow, lang_check=False, timeout=self.timeout)
        try:
            with _in_flight:
                return list(tts.stream())
        except gTTSError as exc:
            response = exc.rsp
            if response is None:
                raise _Retry(_connection_cause(exc.__context__)) from exc
            status = response.status_code
            if status == 429 or status >= 500:
                raise _Retry(f"HTTP {status} {response.reason or ''}".strip(), _retry_after(response)) from exc
            raise EngineError(
                f"{where}: gtts: Google refused sentence {sentence_id} (HTTP {status} {response.reason or ''}: {exc.msg}); "
                f"{OFFLINE_ADVICE}"
            ) from exc
        except requests.RequestException as exc:
            raise _Retry(_connection_cause(exc)) from exc
        except AssertionError as exc:  # gTTS checks its input with assert
            raise EngineError(f"{where}: gtts: nothing to send for sentence {sentence_id} ({exc})") from exc


def _connection_cause(exc: BaseException | None) -> str:
    import requests

    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__ if exc is not None else "no response"


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
