"""A local stand-in for Microsoft's Edge read-aloud service, on 127.0.0.1, for the edge engine's tests.

It speaks the websocket protocol edge-tts uses (see tts_pipeline/engines/edge.py):
it reads the `speech.config` and `ssml` messages, then replays a reply built
from a recorded MP3 (tests/data/edge/reply-1.2s.mp3, 24 kHz, 48 kbit/s, cut
into frames as the service sends them) with one `audio.metadata` word boundary
per Han character of the text it was sent, spread over the audio, and
`turn.end`.  It also serves the voice list.  `EdgeService.script` holds what
the next connections do ("ok", "throttle", "cut", "close", "silent"); each
exchange it answered is kept in `requests` (voice, rate, pitch, text).

Use it with the `edge_service` fixture (tests/conftest.py), which points the
engine at it through $TTS_PIPELINE_EDGE_SERVICE.
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import unescape

from aiohttp import web

REPLY_MP3 = Path(__file__).parent / "data" / "edge" / "reply-1.2s.mp3"
REPLY_SECONDS = 1.2
TICKS = 10_000_000
FRAME_BYTES = 1440  # about a quarter of a second of 48 kbit/s audio per binary frame

VOICES = [
    {"ShortName": "zh-CN-XiaoxiaoNeural", "Locale": "zh-CN", "Gender": "Female", "Name": "x", "FriendlyName": "x",
     "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3", "Status": "GA"},
    {"ShortName": "zh-CN-YunxiNeural", "Locale": "zh-CN", "Gender": "Male", "Name": "y", "FriendlyName": "y",
     "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3", "Status": "GA"},
    {"ShortName": "zh-HK-HiuGaaiNeural", "Locale": "zh-HK", "Gender": "Female", "Name": "h", "FriendlyName": "h",
     "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3", "Status": "GA"},
    {"ShortName": "en-US-EmmaMultilingualNeural", "Locale": "en-US", "Gender": "Female", "Name": "e",
     "FriendlyName": "e", "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3", "Status": "GA"},
]


@dataclass
class Exchange:
    voice: str
    rate: str
    pitch: str
    text: str


@dataclass
class EdgeService:
    script: list[str] = field(default_factory=list)  # what the next connections do; "ok" once it is empty
    requests: list[Exchange] = field(default_factory=list)
    connections: int = 0
    url: str = ""

    def _next(self) -> str:
        return self.script.pop(0) if self.script else "ok"

    async def _voices(self, request: web.Request) -> web.Response:
        return web.json_response(VOICES)

    async def _speak(self, request: web.Request) -> web.StreamResponse:
        self.connections += 1
        mode = self._next()
        if mode == "throttle":
            return web.Response(status=429, reason="Too Many Requests", headers={"Retry-After": "0"})
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        config = await socket.receive_str()
        assert "Path:speech.config" in config and "audio-24khz-48kbitrate-mono-mp3" in config
        ssml = await socket.receive_str()
        exchange = _exchange(ssml)
        self.requests.append(exchange)
        if mode == "silent":
            await asyncio.sleep(5)
            return socket
        known = {v["ShortName"] for v in VOICES}
        if mode == "close" or exchange.voice not in known:
            await socket.close()  # what the service does for a voice it does not have: no audio
            return socket
        await socket.send_str(_text_frame("turn.start", "application/json", '{"context":{"serviceTag":"x"}}'))
        audio = REPLY_MP3.read_bytes()
        frames = [audio[i:i + FRAME_BYTES] for i in range(0, len(audio), FRAME_BYTES)]
        words = _boundaries(exchange.text)
        if mode == "cut":  # the service drops the connection half-way through the sentence
            frames, words = frames[: len(frames) // 2], words[: len(words) // 2]
        for word in words:
            await socket.send_str(_text_frame("audio.metadata", "application/json", json.dumps(
                {"Metadata": [{"Type": "WordBoundary", "Data": word}]}, ensure_ascii=False)))
        for frame in frames:
            await socket.send_bytes(_audio_frame(frame))
        if mode == "cut":
            await socket.close()
            return socket
        await socket.send_str(_text_frame("turn.end", "application/json", "{}"))
        await socket.close()
        return socket

    def start(self) -> "EdgeService":
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            app = web.Application()
            app.router.add_get("/edge/v1", self._speak)
            app.router.add_get("/voices/list", self._voices)
            runner = web.AppRunner(app)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            port = site._server.sockets[0].getsockname()[1]
            self.url = f"ws://127.0.0.1:{port}"
            self._loop, self._runner = loop, runner
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def _exchange(ssml: str) -> Exchange:
    voice = re.search(r"<voice name='Microsoft Server Speech Text to Speech Voice \(([^,]+), ([^)]+)\)'>", ssml)
    prosody = re.search(r"<prosody pitch='([^']+)' rate='([^']+)' volume='[^']+'>(.*)</prosody>", ssml, re.S)
    assert voice and prosody, ssml
    return Exchange(f"{voice.group(1)}-{voice.group(2)}", prosody.group(2), prosody.group(1),
                    unescape(prosody.group(3)))


def _boundaries(text: str) -> list[dict]:
    """One word boundary per Han character or Latin/digit run, spread evenly over the reply's audio."""
    words = re.findall(r"[\u3400-\u9fff]|[A-Za-z0-9]+", text)
    step = int(REPLY_SECONDS * TICKS * 0.9) // max(1, len(words))
    return [{"Offset": i * step + 500_000, "Duration": step - 500_000,
             "text": {"Text": w, "Length": len(w), "BoundaryType": "WordBoundary"}} for i, w in enumerate(words)]


def _text_frame(path: str, content_type: str, body: str) -> str:
    return f"X-RequestId:0\r\nContent-Type:{content_type}\r\nPath:{path}\r\n\r\n{body}"


def _audio_frame(data: bytes) -> bytes:
    header = b"X-RequestId:0\r\nContent-Type:audio/mpeg\r\nX-StreamId:0\r\nPath:audio\r\n"
    return len(header).to_bytes(2, "big") + header + data
