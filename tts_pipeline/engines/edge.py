"""Microsoft Edge's neural voices through edge-tts: online, text in, MP3 and word times out.

The service reads characters, not pinyin, so resolved readings reach it the
way they reach gtts: `homophones.substitute` swaps, in the request only, each
character a plain reader would misread for a common character that has only
the wanted reading.  `plan` sends nothing, so what would be sent can be
inspected and tested without a network.

edge-tts talks to Microsoft over one websocket per sentence (wss://
speech.platform.bing.com/...): a `speech.config` message, an SSML message with
the voice, rate, pitch and text, then binary `audio` frames (MP3, 24 kHz,
48 kbit/s) and `audio.metadata` text frames with word boundaries (offsets in
100 ns ticks), until `turn.end`.  edge-tts hides `turn.end`, so a stream the
service cuts off after some audio looks finished; `_check_whole` tells by the
word boundaries, which must reach the sentence's last spoken character and
end inside the audio.

The library reads its service addresses from module constants and offers no
option for them.  `$TTS_PIPELINE_EDGE_SERVICE` (`ws://127.0.0.1:PORT`) points
both (`communicate.WSS_URL` and `voices.VOICE_LIST`) at another server
speaking the same protocol: the tests' local fake service.  It is the one seam
in this module; unset, the library's own addresses are used.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
from dataclasses import dataclass

import numpy as np

from ..errors import EngineError
from ..hanzi import is_han
from ..model import Clip, Notice, Pronunciation, WordTime
from . import register
from .base import VoiceSettings
from .homophones import substitute
from .online import Backoff, Retry, TextServiceEngine, attempts_option, decode_mp3, http_failure

DEFAULT_VOICE = "zh-CN-XiaoxiaoNeural"
DEFAULT_ATTEMPTS = 4
# Requests in flight at once from one process; the build also runs at most
# this many worker processes for the engine (`Engine.requests_at_once`).
REQUESTS_AT_ONCE = 2
_in_flight = threading.BoundedSemaphore(REQUESTS_AT_ONCE)
SERVICE_ENV_VAR = "TTS_PIPELINE_EDGE_SERVICE"
TICKS_PER_SECOND = 10_000_000
MP3_BITS_PER_SECOND = 48_000  # edge-tts asks for audio-24khz-48kbitrate-mono-mp3
# Where a voice's pitch sits, to turn --pitch (a multiplier) into the hertz
# edge-tts takes: typical speaking pitch of women's and men's voices.
BASE_PITCH_HZ = {"Female": 220.0, "Male": 120.0}
MANDARIN_LOCALES = ("zh-CN", "zh-TW")

OFFLINE_ADVICE = "check the network, or choose an offline engine with --engine neural (or add --fallback neural)"
PROTOCOL_ADVICE = "Microsoft may have changed the service: update edge-tts (pip install -U edge-tts)"


@dataclass(frozen=True)
class Voice:
    name: str
    locale: str
    gender: str
    about: str = ""


# The Mandarin voices Edge offered when this list was written (edge-tts
# 7.3, December 2026); `voices --engine edge` shows it only when the service
# cannot be asked.
SHIPPED_VOICES = (
    Voice("zh-CN-XiaoxiaoNeural", "zh-CN", "Female", "warm; news and novels (default)"),
    Voice("zh-CN-XiaoyiNeural", "zh-CN", "Female", "lively; cartoons and novels"),
    Voice("zh-CN-YunjianNeural", "zh-CN", "Male", "passionate; sports and novels"),
    Voice("zh-CN-YunxiNeural", "zh-CN", "Male", "lively, sunny; novels"),
    Voice("zh-CN-YunxiaNeural", "zh-CN", "Male", "cute; cartoons and novels"),
    Voice("zh-CN-YunyangNeural", "zh-CN", "Male", "professional, reliable; news"),
    Voice("zh-CN-liaoning-XiaobeiNeural", "zh-CN-liaoning", "Female", "humorous; northeastern accent"),
    Voice("zh-CN-shaanxi-XiaoniNeural", "zh-CN-shaanxi", "Female", "bright; Shaanxi accent"),
    Voice("zh-TW-HsiaoChenNeural", "zh-TW", "Female", "friendly, positive; Taiwan"),
    Voice("zh-TW-HsiaoYuNeural", "zh-TW", "Female", "friendly, positive; Taiwan"),
    Voice("zh-TW-YunJheNeural", "zh-TW", "Male", "friendly, positive; Taiwan"),
)


def is_mandarin(name: str) -> bool:
    return any(name.startswith(locale + "-") for locale in MANDARIN_LOCALES)


def _point_at_service() -> None:
    """Aim edge-tts at $TTS_PIPELINE_EDGE_SERVICE when set, else at Microsoft (see the module's docstring)."""
    from edge_tts import communicate, constants, voices

    base = os.environ.get(SERVICE_ENV_VAR, "").rstrip("/")
    if base:
        communicate.WSS_URL = f"{base}/edge/v1?TrustedClientToken={constants.TRUSTED_CLIENT_TOKEN}"
        voices.VOICE_LIST = f"{'http' + base[2:]}/voices/list?trustedclienttoken={constants.TRUSTED_CLIENT_TOKEN}"
    else:
        communicate.WSS_URL = constants.WSS_URL
        voices.VOICE_LIST = constants.VOICE_LIST


def _run(coroutine):
    """Run `coroutine` to its end, also when called from inside a running event loop (a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def list_voices(timeout: float = 10.0) -> tuple[tuple[Voice, ...], str]:
    """The Mandarin voices and where the list came from: the service, or the shipped list and why."""
    import edge_tts

    _point_at_service()
    try:
        listed = _run(asyncio.wait_for(edge_tts.list_voices(), timeout))
    except Exception as exc:  # noqa: BLE001 - any failure means: use the list we ship
        return SHIPPED_VOICES, f"the list shipped with tts-pipeline; the service could not be asked: {_cause(exc)}"
    about = {v.name: v.about for v in SHIPPED_VOICES}
    found = tuple(
        Voice(v["ShortName"], v["Locale"], v.get("Gender", ""), about.get(v["ShortName"], ""))
        for v in listed
        if is_mandarin(v.get("ShortName", ""))
    )
    return tuple(sorted(found, key=lambda v: v.name)), "the service"


def rate_for(speed: float) -> str:
    """--speed as edge-tts's rate: 0.8 -> "-20%"."""
    return f"{round((speed - 1.0) * 100):+d}%"


def pitch_for(pitch: float, gender: str) -> str:
    """--pitch (a multiplier) as edge-tts's pitch in hertz from the voice's typical pitch: 1.1, Female -> "+22Hz"."""
    base = BASE_PITCH_HZ.get(gender, sum(BASE_PITCH_HZ.values()) / len(BASE_PITCH_HZ))
    return f"{round((pitch - 1.0) * base):+d}Hz"


@dataclass(frozen=True)
class Request:
    """What one sentence sends to Microsoft."""

    text: str
    voice: str
    rate: str
    pitch: str
    swaps: tuple[tuple[int, str, str], ...] = ()  # (offset in text, original, sent)
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What the service sent back for one request: MP3 bytes and word boundaries (text, offset, duration in ticks)."""

    audio: bytes
    words: tuple[tuple[str, int, int], ...]


def _speakable(character: str) -> bool:
    return is_han(character) or character.isalnum()


def _placed(text: str, words: tuple[tuple[str, int, int], ...]) -> list[tuple[int, int] | None]:
    """Where each boundary's word stands in `text` (start, end), searching on from the last one; None if absent."""
    places: list[tuple[int, int] | None] = []
    cursor = 0
    for word, _, _ in words:
        word = word.strip()
        at = text.find(word, cursor) if word else -1
        if at < 0:
            places.append(None)
            continue
        places.append((at, at + len(word)))
        cursor = at + len(word)
    return places


def _check_whole(request: Request, reply: Reply) -> None:
    """Raise Retry when the stream was cut off: its words stop before the text does, or outrun the audio.

    The audio's length comes from its size (the service sends constant-bitrate
    MP3), so a cut-off stream is never decoded."""
    duration = len(reply.audio) * 8 / MP3_BITS_PER_SECOND
    places = [p for p in _placed(request.text, reply.words) if p is not None]
    last = max((i for i, c in enumerate(request.text) if _speakable(c)), default=-1)
    reached = max((end for _, end in places), default=0)
    if reached <= last:
        said = request.text[:reached]
        raise Retry(f"the stream was cut off after {duration:.1f} s of audio (words up to {said[-8:]!r} of {len(request.text)} characters)")
    end = max((offset + length for _, offset, length in reply.words), default=0) / TICKS_PER_SECOND
    if end > duration + 0.1:
        raise Retry(f"the stream was cut off: {duration:.1f} s of audio for words that end at {end:.1f} s")


def word_times(pronunciation: Pronunciation, request: Request, reply: Reply) -> tuple[WordTime, ...]:
    """The service's word boundaries as times in the clip, each tied to the tokens it covers."""
    owner: list[int] = []  # token index of each character of the sent text
    for index, token in enumerate(pronunciation.tokens):
        owner.extend([index] * len(token.spoken))
    times = []
    for (word, offset, length), place in zip(reply.words, _placed(request.text, reply.words)):
        first = last = None
        if place is not None and place[1] <= len(owner):
            first, last = owner[place[0]], owner[place[1] - 1]
        start = offset / TICKS_PER_SECOND
        times.append(WordTime(word, round(start, 4), round(start + length / TICKS_PER_SECOND, 4), first, last))
    return tuple(times)


@register
class EdgeEngine(TextServiceEngine):
    name = "edge"
    module = "edge_tts"
    install = "pip install edge-tts"
    sends = "it sends each sentence's text to Microsoft (speech.platform.bing.com)"
    sample_rate = 24000
    requests_at_once = REQUESTS_AT_ONCE
    description = "Microsoft Edge's neural voices through edge-tts (--voice); hints sent as unambiguous homophones"

    # Seconds: to connect, and for the whole reply of one sentence.  edge-tts's
    # receive_timeout does not reach the websocket's reads (aiohttp applies
    # sock_read to HTTP bodies only), so a service that accepts and never
    # answers would hang the build without the second bound.
    timeout = (10, 60)

    def __init__(self, settings: VoiceSettings | None = None) -> None:
        super().__init__(settings)
        voice = self.settings.voice or DEFAULT_VOICE
        if not is_mandarin(voice) or not voice.endswith("Neural"):
            raise EngineError(
                f"edge: {voice!r} is not a Mandarin Edge voice (zh-CN-...Neural or zh-TW-...Neural); "
                "`tts-pipeline voices --engine edge` lists them"
            )
        self.voice = voice
        shipped = {v.name: v for v in SHIPPED_VOICES}
        self.rate = rate_for(self.settings.speed)
        self.pitch = pitch_for(self.settings.pitch, shipped[voice].gender if voice in shipped else "")
        self.backoff = Backoff(attempts_option("edge", self.settings.option("attempts", DEFAULT_ATTEMPTS), "--edge-attempts"),
                               clock=self.clock)

    @classmethod
    def voice_names(cls) -> tuple[str, ...]:
        return tuple(v.name for v in SHIPPED_VOICES)

    @classmethod
    def voices_here(cls) -> tuple[tuple[tuple[str, str], ...], str]:
        voices, source = list_voices()
        return tuple((v.name, f"{v.gender}, {v.locale}" + (f"; {v.about}" if v.about else "")) for v in voices), source

    def plan(self, pronunciation: Pronunciation) -> Request:
        planned = substitute(pronunciation, self.name, "the Edge voice")
        return Request(planned.text, self.voice, self.rate, self.pitch, planned.swaps, planned.notices)

    def cache_key(self, pronunciation: Pronunciation) -> str:
        request = self.plan(pronunciation)
        return f"edge/1|{request.voice}|rate={request.rate}|pitch={request.pitch}|{request.text}"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        request = self.plan(pronunciation)
        if not any(_speakable(c) for c in request.text):
            return Clip(np.zeros(0, dtype=np.float32), self.sample_rate, self.name, request.notices)
        sentence_id = pronunciation.sentence.id
        where = pronunciation.sentence.position

        def attempt() -> Reply:
            reply = self._exchange(request, sentence_id, where)
            _check_whole(request, reply)
            return reply

        reply = self.backoff.call(
            attempt, f"{where}: edge: the Edge voice {self.voice} failed on sentence {sentence_id}", OFFLINE_ADVICE
        )
        samples, rate = decode_mp3(reply.audio, f"{where}: edge: the audio for sentence {sentence_id}")
        return Clip(samples, rate, self.name, request.notices, word_times(pronunciation, request, reply))

    def _exchange(self, request: Request, sentence_id: str, where: object) -> Reply:
        """One websocket exchange; Retry for what may pass, EngineError for what will not."""
        import aiohttp
        import edge_tts
        from edge_tts import exceptions

        async def stream() -> Reply:
            communicate = edge_tts.Communicate(
                request.text, request.voice, rate=request.rate, pitch=request.pitch, boundary="WordBoundary",
                connect_timeout=self.timeout[0], receive_timeout=self.timeout[1],
            )
            audio = bytearray()
            words = []
            async for chunk in communicate.stream():
                if chunk["type"] == "audio":
                    audio += chunk["data"]
                elif chunk["type"] == "WordBoundary":
                    words.append((chunk["text"], int(chunk["offset"]), int(chunk["duration"])))
            return Reply(bytes(audio), tuple(words))

        _point_at_service()
        try:
            with _in_flight:
                return _run(asyncio.wait_for(stream(), self.timeout[1]))
        except aiohttp.ClientResponseError as exc:  # the websocket upgrade was answered with an HTTP error
            raise http_failure(exc.status, exc.message, exc.headers,
                               f"{where}: edge: Microsoft refused sentence {sentence_id}", PROTOCOL_ADVICE) from exc
        except exceptions.NoAudioReceived as exc:
            raise Retry(f"the service sent no audio (is {request.voice} a voice it offers? "
                        "`tts-pipeline voices --engine edge` lists them)") from exc
        except (exceptions.UnexpectedResponse, exceptions.UnknownResponse) as exc:
            raise EngineError(f"{where}: edge: unexpected reply for sentence {sentence_id} ({exc}); "
                              f"{PROTOCOL_ADVICE}") from exc
        except (aiohttp.ClientError, asyncio.TimeoutError, exceptions.WebSocketError, OSError) as exc:
            raise Retry(_cause(exc)) from exc


def _cause(exc: BaseException) -> str:
    """A failure to reach the service in a few words."""
    import aiohttp

    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return "timed out"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host} ({exc.os_error.strerror or exc.os_error})"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the service closed the connection"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"HTTP {exc.status} {exc.message or ''}".strip()
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

