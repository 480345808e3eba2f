"""Hand-made pronunciations and Google's replayed replies, shared by the gtts and espeak tests."""
from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from tts_pipeline.model import Pronunciation, Sentence, SourcePosition, Token

DATA = Path(__file__).parent / "data" / "gtts"
GOOGLE_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


def make_pronunciation(*tokens: tuple, index: int = 0) -> Pronunciation:
    """Tokens as (text, pinyin, source) or (text, pinyin, source, spoken)."""
    made = []
    start = 0
    for entry in tokens:
        text, pinyin, source = entry[:3]
        spoken = entry[3] if len(entry) > 3 else text
        made.append(Token(text=text, pinyin=pinyin, source=source, start=start, spoken=spoken))
        start += len(text)
    sentence_text = "".join(t.text for t in made)
    sentence = Sentence(index, sentence_text, (), (), SourcePosition("article.txt", index + 1, 1))
    return Pronunciation(sentence, tuple(made))


def reply_audio() -> str:
    return (DATA / "reply-audio.txt").read_text(encoding="utf-8")


def reply_without_audio() -> str:
    return (DATA / "reply-no-audio.txt").read_text(encoding="utf-8")


def sent_parameters(body: str | bytes) -> list:
    """[text, language, speed, "null"] from a batchexecute request body, as gTTS packs it."""
    if isinstance(body, bytes):
        body = body.decode()
    packed = urllib.parse.unquote(body.split("f.req=", 1)[1].rstrip("&"))
    rpc = json.loads(packed)
    return json.loads(rpc[0][0][1])
