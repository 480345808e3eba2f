"""The generated index.html, checked as text: self-contained, the article in ruby, warnings marked."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from pypinyin import Style, lazy_pinyin

from tts_pipeline.export import ffmpeg
from tts_pipeline.learn.player import write_player

RATE = 24000
PAUSE = 0.4

# (chapter, paragraph, text); 实行 carries an author's hint xíng that the dictionary overrules.
ARTICLE = [
    (1, 0, "重庆长江索道迎来游客。"),
    (1, 0, "这位游客来自成都。"),
    (1, 1, "索道公司实行了网上预约。"),
    (2, 0, "不少游客喜欢在傍晚乘坐索道。"),
    (2, 0, "整座城市像一幅画。"),
]
HINTED = {"重": "chong2", "成": "cheng2"}


def _tokens(text: str) -> list[dict]:
    tokens = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            reading = lazy_pinyin(ch, style=Style.TONE3, neutral_tone_with_five=True)[0]
            source = "hint" if ch in HINTED else "lexicon"
            tokens.append({"text": ch, "pinyin": HINTED.get(ch, reading), "source": source})
        else:
            tokens.append({"text": ch, "pinyin": None, "source": "none"})
    return tokens


def make_book(folder: Path, *, with_audio: bool = True) -> dict:
    """A small output folder: book.mp3 of tone bursts (one per sentence) and its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    sentences, chapters, t = [], [], 0.0
    audio = []
    for i, (chapter, paragraph, text) in enumerate(ARTICLE):
        seconds = 0.6 + 0.1 * len(text) / 2
        if not chapters or chapters[-1]["index"] != chapter:
            if chapters:
                chapters[-1]["end"] = round(t, 3)
            chapters.append({"index": chapter, "title": ["索道", "夜景"][chapter - 1],
                             "file": f"chapters/{chapter:02d}.mp3", "start": round(t, 3)})
        n = int(seconds * RATE)
        tone = 0.3 * np.sin(2 * np.pi * (330 + 60 * i) * np.arange(n) / RATE)
        audio += [tone.astype(np.float32), np.zeros(int(PAUSE * RATE), np.float32)]
        tokens = _tokens(text)
        sentences.append({
            "id": f"s{i + 1:04d}", "index": i, "chapter": chapter, "paragraph": paragraph, "text": text,
            "pinyin": "", "tokens": tokens, "engine": "tone", "file": f"sentences/s{i + 1:04d}.mp3",
            "start": round(t, 3), "end": round(t + seconds, 3),
            "book_start": round(t, 3), "book_end": round(t + seconds, 3),
        })
        t += seconds + PAUSE
    chapters[-1]["end"] = round(t, 3)
    manifest = {
        "format": "tts-pipeline/1", "title": "重庆长江索道", "source": "examples/chongqing-news.txt",
        "created_by": "tts-pipeline 0.1.0", "engine": {"name": "tone", "settings": {"speed": 1.0}},
        "sample_rate": RATE, "duration": round(t, 3),
        "files": {"book": "book.mp3", "book_m4b": None, "lrc": "transcript.lrc", "srt": "transcript.srt",
                  "vtt": "transcript.vtt", "player": "index.html"},
        "chapters": chapters, "sentences": sentences,
        "warnings": [{"code": "hint-overruled", "message": "s0003: hint xíng for 行 in 实行 overruled; read xíng",
                      "sentence": "s0003", "line": 3, "column": 7, "text": "行", "hint": "hang2", "used": "xing2"}],
    }
    if with_audio:
        encoder = ffmpeg.StreamEncoder(folder / "book.mp3", RATE, ffmpeg.CODECS["mp3"], "64k")
        for part in audio:
            encoder.write((part * 32767).astype("<i2").tobytes())
        encoder.close()
    return manifest


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _page(tmp_path: Path, manifest: dict | None = None) -> tuple[str, _Collect, dict]:
    manifest = manifest or make_book(tmp_path, with_audio=False)
    path = write_player(tmp_path, manifest)
    assert path == tmp_path / "index.html"
    html = path.read_text(encoding="utf-8")
    parsed = _Collect()
    parsed.feed(html)
    return html, parsed, manifest


def test_page_is_self_contained(tmp_path):
    html, parsed, _ = _page(tmp_path)
    assert not re.search(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html), "the page must not reach the network"
    assert "@import" not in html and "url(" not in html
    for tag, attrs in parsed.tags:
        assert not (tag == "script" and attrs.get("src")), "scripts are inlined"
        assert tag != "link", "styles are inlined"
    assert any(tag == "audio" and attrs.get("src") == "book.mp3" for tag, attrs in parsed.tags)


def test_manifest_is_inlined_and_round_trips(tmp_path):
    manifest = make_book(tmp_path, with_audio=False)
    manifest["title"] = "标题 </script><!-- 不应截断"
    _, parsed, _ = _page(tmp_path, manifest)
    blob = next(s for s in parsed.scripts if s.lstrip().startswith("{"))
    for sentence in manifest["sentences"]:
        del sentence["tokens"]  # the page has them as ruby markup
    assert json.loads(blob) == manifest


def test_sentences_carry_their_times_and_ruby(tmp_path):
    html, parsed, manifest = _page(tmp_path)
    spans = [attrs for tag, attrs in parsed.tags if tag == "span" and "s" in attrs.get("class", "").split()]
    assert [s["id"] for s in spans] == [s["id"] for s in manifest["sentences"]]
    assert [float(s["data-start"]) for s in spans] == [s["book_start"] for s in manifest["sentences"]]
    assert [float(s["data-end"]) for s in spans] == [s["book_end"] for s in manifest["sentences"]]
    assert '<ruby class="src-hint">重<rt>chóng</rt></ruby>' in html
    assert "<ruby>庆<rt>qìng</rt></ruby>" in html
    # every character of every sentence is on the page, in order
    text = re.sub(r"<rt>.*?</rt>|<[^>]+>", "", html)
    for sentence in manifest["sentences"]:
        assert sentence["text"] in text
    assert [a["id"] for t, a in parsed.tags if t == "section" and a.get("id", "").startswith("chapter-")] == [
        "chapter-1", "chapter-2",
    ]


def test_overruled_hint_is_marked_for_the_teacher(tmp_path):
    html, _, _ = _page(tmp_path)
    marked = re.findall(r'<ruby class="([^"]*)"[^>]*>(.)<rt>', html)
    assert ("src-hint", "成") in marked
    overruled = [ch for classes, ch in marked if "overruled" in classes.split()]
    assert overruled == ["行"]
    assert 'href="#s0003"' in html  # the review list links to the sentence
    assert "Readings to check" in html


def test_keys_are_documented_on_the_page(tmp_path):
    html, _, _ = _page(tmp_path)
    for key in ("Space", "←", "→", "<kbd>R</kbd>"):
        assert key in html


def test_without_a_book_each_sentence_plays_its_own_file(tmp_path):
    manifest = make_book(tmp_path, with_audio=False)
    manifest["files"]["book"] = None
    _, parsed, _ = _page(tmp_path, manifest)
    spans = [a for t, a in parsed.tags if t == "span" and "s" in a.get("class", "").split()]
    assert [a for t, a in parsed.tags if t == "audio"] == [{"id": "audio", "preload": "auto"}]
    assert spans[2]["data-src"] == "sentences/s0003.mp3"
    assert float(spans[2]["data-start"]) == 0.0
    assert float(spans[2]["data-end"]) == round(manifest["sentences"][2]["end"] - manifest["sentences"][2]["start"], 3)


def test_drills_are_listed_when_rendered(tmp_path):
    manifest = make_book(tmp_path, with_audio=False)
    manifest["shadowing"] = {"repeat": 2, "gap": 1.2, "slow_pass": 0.75, "drill_chars": 25, "chapters": [
        {"index": 1, "title": "索道", "file": "shadowing/01-索道.mp3", "lrc": "shadowing/01-索道.lrc",
         "duration": 12.5, "units": []}]}
    html, parsed, _ = _page(tmp_path, manifest)
    sources = [a.get("src") for t, a in parsed.tags if t == "audio"]
    assert "shadowing/01-%E7%B4%A2%E9%81%93.mp3" in sources
    assert "slow pass at 0.75" in html


def test_engine_notes_are_told_apart_from_overruled_hints(tmp_path):
    manifest = make_book(tmp_path, with_audio=False)
    manifest["warnings"].append({"code": "engine-fallback", "message": "s0005: neural failed; espeak spoke it",
                                 "sentence": "s0005", "text": "画", "hint": None, "used": None})
    html, _, _ = _page(tmp_path, manifest)
    marked = dict((ch, classes.split()) for classes, ch in re.findall(r'<ruby class="([^"]*)"[^>]*>(.)<rt>', html))
    assert "warned" in marked["画"] and "overruled" not in marked["画"]
    assert "overruled" in marked["行"]
    assert '<li class="warned"><a href="#s0005"' in html


def test_a_character_without_a_reading_can_still_be_marked(tmp_path):
    manifest = make_book(tmp_path, with_audio=False)
    manifest["sentences"][0]["tokens"][-1] = {"text": "。", "pinyin": None, "source": "none"}
    manifest["sentences"][1]["tokens"].insert(0, {"text": "2024", "pinyin": None, "source": "none"})
    manifest["warnings"] = [{"code": "unspeakable", "message": "s0002: '2' has no reading", "sentence": "s0002",
                             "text": "2", "hint": None, "used": None}]
    html, _, _ = _page(tmp_path, manifest)
    assert '<span class="p warned" title="s0002: &#x27;2&#x27; has no reading">2024</span>' in html


def test_the_mark_goes_to_the_character_read_as_the_warning_says(tmp_path):
    manifest = make_book(tmp_path, with_audio=False)
    sentence = manifest["sentences"][2]  # 索道公司实行了网上预约。
    sentence["tokens"].insert(0, {"text": "行", "pinyin": "hang2", "source": "lexicon"})
    html, _, _ = _page(tmp_path, manifest)
    marked = re.findall(r'<ruby class="([^"]*)"[^>]*>(.)<rt>([^<]*)</rt>', html)
    assert [(ch, reading) for classes, ch, reading in marked if "overruled" in classes] == [("行", "xíng")]
