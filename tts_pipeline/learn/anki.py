"""deck.apkg: the article's sentences as Anki notes, written with genanki.

One note per sentence that speaks: the hanzi, the pinyin with tone marks, the
sentence's audio, the article's title and the sentence's place. The front of
the card shows the hanzi with a play button; the back adds the pinyin.

Identifiers are derived, not random, so that importing the deck of an edited
rebuild updates the notes already in a learner's collection instead of adding
copies: the deck's id and each note's guid come from the article's source file
name and the sentence's id (s0001…), and the note type's id is fixed. Anki keeps
media in one flat folder per collection, so each audio file is renamed with the
deck's id (`tts-<deck>-s0001.mp3`) to keep two articles' s0001 apart.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

from ..atomic import replacing
from ..errors import OutputError

DECK = "deck.apkg"
# The note type's id: fixed once (genanki's advice), so every deck shares one note type.
MODEL_ID = 1_598_713_042
_ID_RANGE = (1 << 30, 1 << 31)

_FRONT = '<div class="hanzi" lang="zh">{{Hanzi}}</div>\n<div class="audio">{{Audio}}</div>'
_BACK = ('{{FrontSide}}\n<hr id="answer">\n<div class="pinyin">{{Pinyin}}</div>\n'
         '<div class="where">{{Title}} · {{Position}}</div>')
_CSS = """.card { font-family: sans-serif; text-align: center; background: #fffdf7; color: #222; }
.hanzi { font-size: 2.2em; line-height: 1.5; margin: 0.6em 0; }
.pinyin { font-size: 1.3em; color: #444; margin: 0.5em 0; }
.where { font-size: 0.8em; color: #888; margin-top: 1.2em; }"""


def _number(*parts: str) -> int:
    """A stable id in genanki's usual range from the given strings."""
    digest = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:8], "big")
    low, high = _ID_RANGE
    return low + digest % (high - low)


def article_key(manifest: Mapping[str, Any]) -> str:
    """What names an article across rebuilds: its source file's name (the title may be edited)."""
    source = str(manifest.get("source") or manifest.get("title") or "article")
    return Path(source.replace("\\", "/")).name


def note_guid(manifest: Mapping[str, Any], sentence_id: str) -> str:
    import genanki

    return genanki.guid_for("tts-pipeline", article_key(manifest), sentence_id)


def write_deck(output_dir: str | Path, manifest: Mapping[str, Any]) -> Path:
    """Write `deck.apkg` for the folder `manifest` describes; return its path."""
    import genanki

    folder = Path(output_dir)
    key = article_key(manifest)
    deck_id = _number("deck", key)
    title = str(manifest.get("title") or key)
    model = genanki.Model(
        MODEL_ID, "tts-pipeline sentence",
        fields=[{"name": "Hanzi"}, {"name": "Pinyin"}, {"name": "Audio"}, {"name": "Title"}, {"name": "Position"}],
        templates=[{"name": "Listen and read", "qfmt": _FRONT, "afmt": _BACK}],
        css=_CSS,
    )
    deck = genanki.Deck(deck_id, f"tts-pipeline::{title}")
    sentences = [s for s in manifest.get("sentences") or [] if s.get("file")]
    chapters = {c.get("index"): c.get("title", "") for c in manifest.get("chapters") or []}
    path = folder / DECK
    with tempfile.TemporaryDirectory(prefix=".anki-", dir=folder) as scratch:
        media = []
        for number, sentence in enumerate(sentences, 1):
            source = folder / sentence["file"]
            if not source.is_file():
                raise OutputError(f"{source}: the sentence file for the Anki deck is missing; build the folder again")
            name = f"tts-{deck_id}-{sentence['id']}{source.suffix}"
            shutil.copyfile(source, Path(scratch) / name)
            media.append(str(Path(scratch) / name))
            chapter = chapters.get(sentence.get("chapter"), "")
            position = f"{chapter} · {number} / {len(sentences)}" if chapter else f"{number} / {len(sentences)}"
            deck.add_note(genanki.Note(
                model=model,
                fields=[_html(sentence["text"]), _html(sentence.get("pinyin") or ""), f"[sound:{name}]", _html(title),
                        _html(position)],
                guid=note_guid(manifest, sentence["id"]),
                sort_field=f"{sentence.get('index', number):06d}",
            ))
        package = genanki.Package(deck, media_files=media)
        with replacing(path) as handle:
            package.write_to_file(handle)
    return path


def _html(text: str) -> str:
    import html

    return html.escape(str(text), quote=False)
