"""deck.apkg: opened as what it is, a zip of an SQLite collection, a media map and the media files."""
from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest

import buildkit  # noqa: F401 - registers the tone engines
import tts_pipeline
from buildkit import decode

ARTICLE = "# 第一章\n\n你好。我是王老师。\n\n……\n\n今天天气很好，我们去公园吧！\n"


def open_deck(path, scratch):
    with zipfile.ZipFile(path) as deck:
        names = set(deck.namelist())
        media = json.loads(deck.read("media"))
        deck.extractall(scratch)
    db = sqlite3.connect(scratch / "collection.anki2")
    notes = db.execute("select guid, flds, mid from notes order by sfld").fetchall()
    decks = json.loads(db.execute("select decks from col").fetchone()[0])
    models = json.loads(db.execute("select models from col").fetchone()[0])
    db.close()
    return names, media, notes, decks, models


def build(tmp_path, text, name="lesson.md"):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    return tts_pipeline.build(source, output=out, engine="tone-test", player=False, anki=True), out


def test_one_note_per_spoken_sentence_with_hanzi_pinyin_audio_title_and_place(tmp_path):
    manifest, out = build(tmp_path, ARTICLE)
    assert manifest.files.anki == "deck.apkg"
    names, media, notes, decks, models = open_deck(out / "deck.apkg", tmp_path / "x")
    assert {"collection.anki2", "media"} <= names
    spoken = [s for s in manifest.sentences if s.file]
    assert len(spoken) < len(manifest.sentences)  # …… has nothing to speak and gets no note
    assert len(notes) == len(spoken)
    for (guid, fields, _), sentence in zip(notes, spoken):
        hanzi, pinyin, sound, title, position = fields.split("\x1f")
        assert hanzi == sentence.text and pinyin == sentence.pinyin and title == manifest.title
        assert "第一章" in position
        name = sound.removeprefix("[sound:").removesuffix("]")
        index = next(k for k, v in media.items() if v == name)
        audio, rate = decode(tmp_path / "x" / index)  # the media file is the sentence's own audio
        assert abs(len(audio) / rate - (sentence.end - sentence.start)) < 0.01
    assert any("tts-pipeline::" in d["name"] for d in decks.values())
    template = next(iter(models.values()))["tmpls"][0]
    assert "{{Hanzi}}" in template["qfmt"] and "{{Audio}}" in template["qfmt"]
    assert "{{Pinyin}}" in template["afmt"] and "{{Pinyin}}" not in template["qfmt"]


def test_an_edited_rebuild_keeps_the_note_and_deck_ids(tmp_path):
    _, out = build(tmp_path, ARTICLE)
    _, _, before, decks_before, _ = open_deck(out / "deck.apkg", tmp_path / "a")
    _, out = build(tmp_path, ARTICLE.replace("王老师", "李老师"))
    _, _, after, decks_after, _ = open_deck(out / "deck.apkg", tmp_path / "b")
    assert [g for g, _, _ in after] == [g for g, _, _ in before]
    assert "李老师" in after[2][1] and "王老师" in before[2][1]  # same note, new text: an import updates it
    assert set(decks_after) == set(decks_before)
    # another article gets other ids, and media names of its own
    (tmp_path / "out2").mkdir()
    source = tmp_path / "other.md"
    source.write_text(ARTICLE, encoding="utf-8")
    tts_pipeline.build(source, output=tmp_path / "out2", engine="tone-test", player=False, anki=True)
    _, media, other, _, _ = open_deck(tmp_path / "out2" / "deck.apkg", tmp_path / "c")
    assert not {g for g, _, _ in other} & {g for g, _, _ in before}
