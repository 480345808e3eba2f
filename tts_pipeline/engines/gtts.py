"""Google Translate's voice through gTTS: online, text in, MP3 out.

Google reads characters, not pinyin, so resolved readings reach it through
the text: `plan_request` swaps, in the request only, each character that
Google would read differently for a common character that has only the wanted
reading (see `homophones`).  `plan_request` sends nothing, so what would be
sent can be inspected and tested without a network.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from ..errors import EngineError
from ..hanzi import is_han
from ..model import Clip, Notice, Pronunciation
from . import register
from .base import VoiceSettings
from .homophones import substitute
from .online import Backoff, Retry, TextServiceEngine, attempts_option, decode_mp3, http_failure

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


@dataclass(frozen=True)
class Request:
    """What one sentence sends to Google."""

    text: str
    language: str
    slow: bool
    swaps: tuple[tuple[int, str, str], ...] = ()  # (offset in text, original, sent)
    notices: tuple[Notice, ...] = ()


def plan_request(pronunciation: Pronunciation, language: str = DEFAULT_LANGUAGE, slow: bool = False) -> Request:
    """Build the request text for one sentence, with homophone swaps where Google would misread."""
    planned = substitute(pronunciation, "gtts", "Google")
    return Request(planned.text, language, slow, planned.swaps, planned.notices)


@register
class GttsEngine(TextServiceEngine):
    name = "gtts"
    module = "gtts"
    install = "pip install gTTS"
    sends = "it sends each sentence to translate.google.com"
    sample_rate = 24000
    requests_at_once = REQUESTS_AT_ONCE
    description = "Google Translate's voice through gTTS; hints sent as unambiguous homophones"

    timeout = (5.0, 20.0)  # connect, read

    def __init__(self, settings: VoiceSettings | None = None) -> None:
        super().__init__(settings)
        language = self.settings.voice or self.settings.language or DEFAULT_LANGUAGE
        if language not in LANGUAGES:
            raise EngineError(f"gtts: language {language!r} is not offered; choose one of {', '.join(LANGUAGES)} (--gtts-lang)")
        self.language = language
        self.slow = bool(self.settings.option("slow", False)) or self.settings.speed < SLOW_BELOW_SPEED
        self.backoff = Backoff(attempts_option("gtts", self.settings.option("attempts", DEFAULT_ATTEMPTS), "--gtts-attempts"),
                               clock=self.clock)

    @property
    def cooldown(self) -> float:
        return self.backoff.cooldown

    @classmethod
    def voice_names(cls) -> tuple[str, ...]:
        return LANGUAGES

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
        parts = self.backoff.call(
            lambda: self._attempt(request, sentence_id, where),
            f"{where}: gtts: Google could not be reached for sentence {sentence_id}",
            OFFLINE_ADVICE,
        )
        decoded = [decode_mp3(part, f"{where}: gtts: Google's reply for sentence {sentence_id}") for part in parts]
        rate = decoded[0][1]
        samples = np.concatenate([s for s, _ in decoded]) if decoded else np.zeros(0, dtype=np.float32)
        return Clip(samples, rate, self.name, request.notices)

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
                raise Retry(_connection_cause(exc.__context__)) from exc
            raise http_failure(response.status_code, response.reason, response.headers,
                               f"{where}: gtts: Google refused sentence {sentence_id} ({exc.msg})", OFFLINE_ADVICE) from exc
        except requests.RequestException as exc:
            raise Retry(_connection_cause(exc)) from exc
        except AssertionError as exc:  # gTTS checks its input with assert
            raise EngineError(f"{where}: gtts: nothing to send for sentence {sentence_id} ({exc})") from exc


def _connection_cause(exc: BaseException | None) -> str:
    import requests

    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__ if exc is not None else "no response"

