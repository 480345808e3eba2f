"""index.html: an offline player for the output folder.

The page is one self-contained file: styles, script and the manifest are
inlined (browsers refuse to fetch a local JSON file from a page opened with
file://), and the article is rendered here, with <ruby> pinyin, so the text
reads even with scripts off. The script only adds playback.
"""
from __future__ import annotations

import dataclasses
import html
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

from ..atomic import write_atomic
from ..pronunciation.readings import is_erhua_token
from .text import tone_marks

PAGE = "index.html"



def manifest_dict(manifest: Any) -> dict[str, Any]:
    """The manifest as plain JSON data, whether given as its JSON text, as a dict or as the build's objects."""
    if isinstance(manifest, str):
        return json.loads(manifest)
    if isinstance(manifest, Mapping):
        return json.loads(json.dumps(manifest, ensure_ascii=False, default=_plain))
    for method in ("to_dict", "as_dict", "to_json_dict"):
        if hasattr(manifest, method):
            return manifest_dict(getattr(manifest, method)())
    if dataclasses.is_dataclass(manifest):
        return manifest_dict(dataclasses.asdict(manifest))
    raise TypeError(f"cannot read a manifest from {type(manifest).__name__}")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, Path):
        return value.as_posix()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def write_player(output_dir: str | Path, manifest: Any) -> Path:
    """Write `index.html` for the folder that `manifest` describes; return its path."""
    data = manifest_dict(manifest)
    path = Path(output_dir) / PAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render_page(data))
    return path


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def render_page(manifest: Mapping[str, Any]) -> str:
    """The whole page as a string."""
    page = _asset("player.html")
    title = manifest.get("title") or "tts-pipeline"
    replacements = {
        "<!--@TITLE-->": _e(title),
        "<!--@STYLE-->": _asset("player.css"),
        "<!--@HEADER-->": _header(manifest),
        "<!--@ARTICLE-->": _article(manifest),
        "<!--@CHECKS-->": _checks(manifest),
        "<!--@DRILLS-->": _drills(manifest),
        "<!--@AUDIO-->": f' src="{_e(_url(_book_file(manifest)))}"' if _book_file(manifest) else "",
        "<!--@MANIFEST-->": _inline_json(_page_manifest(manifest)),
        "<!--@SCRIPT-->": _asset("player.js"),
    }
    for marker, value in replacements.items():
        page = page.replace(marker, value)
    return page


def _page_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest as the page carries it: sentence tokens are left out, being in the ruby markup already."""
    data = dict(manifest)
    data["sentences"] = [{k: v for k, v in s.items() if k != "tokens"} for s in manifest.get("sentences") or []]
    return data


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _url(path: str | None) -> str:
    return quote(path, safe="/") if path else ""


def _inline_json(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Nothing inside the JSON may close the <script> element that holds it.
    return text.replace("<", "\\u003c")


def _book_file(manifest: Mapping[str, Any]) -> str | None:
    return (manifest.get("files") or {}).get("book")


def _seconds(value: float) -> str:
    minutes, seconds = divmod(int(value), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _header(manifest: Mapping[str, Any]) -> str:
    engine = manifest.get("engine") or {}
    facts = []
    if manifest.get("source"):
        facts.append(_e(Path(str(manifest["source"])).name))
    sentences = manifest.get("sentences") or []
    chapters = manifest.get("chapters") or []
    facts.append(f"{len(chapters)} 章 chapters · {len(sentences)} 句 sentences")
    if manifest.get("duration"):
        facts.append(_seconds(float(manifest["duration"])))
    if engine.get("name"):
        speed = (engine.get("settings") or {}).get("speed")
        voice = _e(engine["name"]) + (f" ×{speed:g}" if isinstance(speed, (int, float)) and speed != 1 else "")
        facts.append(f"voice {voice}")
    return f'<h1 lang="zh">{_e(manifest.get("title") or "")}</h1>\n<p class="meta">{" · ".join(facts)}</p>'


def _warnings_by_sentence(manifest: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    ids = [s.get("id") for s in manifest.get("sentences") or []]
    by_index = {s.get("index"): s.get("id") for s in manifest.get("sentences") or []}
    found: dict[str, list[dict[str, Any]]] = {}
    for warning in manifest.get("warnings") or []:
        ref = warning.get("sentence")
        if isinstance(ref, int):
            ref = by_index.get(ref, ids[ref] if 0 <= ref < len(ids) else None)
        if ref:
            found.setdefault(str(ref), []).append(warning)
    return found


def _overruled(warning: Mapping[str, Any]) -> bool:
    """Whether a warning says an author's hint was not used as written ("hint-overruled",
    "hint-not-a-reading"); the rest (a hint no dictionary confirms, engine notes) are milder."""
    code = str(warning.get("code") or "").lower()
    return "overrul" in code or "not-a-reading" in code


def _token_marks(sentence: Mapping[str, Any], warnings: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Which tokens (by position) carry a warning: an unmarked token holding the warning's
    text, preferring one read as the warning says it was used (a sentence may hold 行 twice)."""
    marks: dict[int, dict[str, Any]] = {}
    tokens = sentence.get("tokens") or []
    for warning in warnings:
        text = warning.get("text")
        if not text:
            continue
        candidates = [i for i, token in enumerate(tokens) if i not in marks and _holds(tokens, i, text)]
        if not candidates:
            continue
        used = warning.get("used")
        exact = [i for i in candidates if used and tokens[i].get("pinyin") == used]
        marks[(exact or candidates)[0]] = warning
    return marks


def _holds(tokens: list[Mapping[str, Any]], i: int, text: str) -> bool:
    """Whether token i holds `text`, or starts a run of tokens that spells it (a word)."""
    own = tokens[i].get("text") or ""
    if text in own:
        return True
    if own and text.startswith(own):
        return "".join(t.get("text", "") for t in tokens[i:i + len(text)]).startswith(text)
    return False


def _warning_title(warning: Mapping[str, Any]) -> str:
    parts = [str(warning.get("message") or warning.get("code") or "")]
    return " ".join(p for p in parts if p)


def _ruby(token: Mapping[str, Any], warning: Mapping[str, Any] | None) -> str:
    text, pinyin, source = token.get("text", ""), token.get("pinyin"), token.get("source") or "none"
    if warning is None:
        return _plain_ruby(text, pinyin, source)
    kind = "overruled" if _overruled(warning) else "warned"
    if not pinyin:  # e.g. a character no engine could say
        return f'<span class="p {kind}" title="{_e(_warning_title(warning))}">{_e(text)}</span>'
    return (
        f'<ruby class="src-{_e(source)} {kind}" title="{_e(_warning_title(warning))}">'
        f"{_e(text)}<rt>{_e(tone_marks(pinyin))}</rt></ruby>"
    )


@lru_cache(maxsize=8192)
def _plain_ruby(text: str, pinyin: str | None, source: str) -> str:
    # A book repeats a few thousand characters many times over: each is rendered once.
    reading = "r" if is_erhua_token(text, pinyin) else tone_marks(pinyin)  # 哪儿 nǎr: the r over 儿
    if source == "english":
        return f'<span class="en" lang="en">{_e(text)}</span>'
    if source == "silent":  # a speaker label, a part of speech, pinyin written after its word: shown, not said
        return f'<span class="silent">{_e(text)}</span>'
    if not reading:
        return f'<span class="p">{_e(text)}</span>' if text.strip() else _e(text)
    # Only a hint's reading is marked; the markup of a long book stays small.
    marked = ' class="src-hint"' if source == "hint" else ""
    return f"<ruby{marked}>{_e(text)}<rt>{_e(reading)}</rt></ruby>"


def _article(manifest: Mapping[str, Any]) -> str:
    sentences = manifest.get("sentences") or []
    chapters = {c.get("index"): c for c in manifest.get("chapters") or []}
    warnings = _warnings_by_sentence(manifest)
    book = bool(_book_file(manifest))
    out: list[str] = []
    chapter = paragraph = None
    # Chinese puts no space between sentences: a paragraph's spans are joined without newlines.
    for position, sentence in enumerate(sentences):
        if sentence.get("chapter") != chapter:
            if paragraph is not None:
                out.append("</p>")
            if chapter is not None:
                out.append("</section>")
            chapter, paragraph = sentence.get("chapter"), None
            info = chapters.get(chapter) or {}
            out.append(
                f'<section class="chapter" id="chapter-{_e(chapter)}" data-chapter="{_e(chapter)}">'
                f'<h2><span class="num">{_e(chapter)}</span> <span lang="zh">{_e(info.get("title", ""))}</span></h2>'
            )
        if sentence.get("paragraph") != paragraph:
            if paragraph is not None:
                out.append("</p>")
            paragraph = sentence.get("paragraph")
            out.append('<p class="para" lang="zh">')
            out.append("")
        start = sentence.get("book_start") if book else 0.0
        end = sentence.get("book_end") if book else round(sentence.get("end", 0) - sentence.get("start", 0), 3)
        marks = _token_marks(sentence, warnings.get(sentence.get("id"), []))
        tokens = sentence.get("tokens") or [{"text": sentence.get("text", ""), "pinyin": None}]
        body = "".join(_ruby(token, marks.get(i)) for i, token in enumerate(tokens))
        if not sentence.get("file"):  # nothing to speak: shown, but not a stop for playback
            out[-1] += f'<span class="unspoken" id="{_e(sentence.get("id"))}">{body}</span>'
            continue
        speaker = f' data-speaker="{_e(sentence["speaker"])}"' if sentence.get("speaker") else ""
        out[-1] += (
            f'<span class="s" id="{_e(sentence.get("id"))}"{speaker} data-i="{position}" data-start="{start}" '
            f'data-end="{end}" data-src="{_e(_url(sentence.get("file")))}"{_token_times(tokens)} tabindex="0">'
            f'{body}</span>'
        )
    if paragraph is not None:
        out.append("</p>")
    if chapter is not None:
        out.append("</section>")
    return "\n".join(out)


def _token_times(tokens: list[Mapping[str, Any]]) -> str:
    """` data-t="s,e,s,e…"`: integer milliseconds from the sentence's start, two per token with a
    reading (each is a <ruby>, in order; an empty pair for one without a time). Compact on purpose: a
    book has hundreds of thousands of characters, and the script reads a sentence's times only when it plays."""
    times = []
    for token in tokens:
        if not token.get("pinyin"):
            continue
        start, end = token.get("start"), token.get("end")
        times.append("," if start is None or end is None else f"{round(start * 1000)},{round(end * 1000)}")
    if not any(t != "," for t in times):
        return ""
    return f' data-t="{",".join(times)}"'


def _checks(manifest: Mapping[str, Any]) -> str:
    """A list of the warnings, each linked to its sentence, for a teacher to review."""
    warnings = manifest.get("warnings") or []
    if not warnings:
        return ""
    by_sentence = _warnings_by_sentence(manifest)
    ref_of = {id(w): sid for sid, ws in by_sentence.items() for w in ws}
    items = []
    for warning in warnings:
        sid = ref_of.get(id(warning))
        kind = "overruled" if _overruled(warning) else "warned"
        where = f'<a href="#{_e(sid)}" data-goto="{_e(sid)}">{_e(sid)}</a> ' if sid else ""
        detail = []
        if warning.get("text"):
            detail.append(f'<b lang="zh">{_e(warning["text"])}</b>')
        if warning.get("hint"):
            detail.append(f'hint <s>{_e(_shown(warning["hint"]))}</s>')
        if warning.get("used"):
            detail.append(f'read <b>{_e(_shown(warning["used"]))}</b>')
        items.append(
            f'<li class="{kind}">{where}<span class="what">{" · ".join(detail)}</span>'
            f'<span class="why">{_e(warning.get("message") or warning.get("code") or "")}</span></li>'
        )
    return (
        f'<section class="checks" id="checks"><h2>Readings to check <span class="count">{len(warnings)}</span></h2>'
        '<p class="note">What the build warned about. A red wavy line in the text marks a character whose '
        "pinyin hint was not used as written; an amber one, another note (a hint no dictionary confirms, "
        "a character the voice could not say, a fallback voice). Hover a marked character for the reason.</p>"
        f'<ul>{"".join(items)}</ul></section>'
    )


def _shown(value: str) -> str:
    """A notice's hint or used value as people read it: syllables (the manifest keeps tone numbers)
    with tone marks; anything else (an engine's name, a number's spoken hanzi) as it is."""
    syllables = all(part[-1:].isdigit() and part[:-1].isalpha() for part in str(value).split())
    return tone_marks(value) if syllables else str(value)


def _drills(manifest: Mapping[str, Any]) -> str:
    shadowing = manifest.get("shadowing")
    if not shadowing or not shadowing.get("chapters"):
        return ""
    rows = []
    for chapter in shadowing["chapters"]:
        rows.append(
            f'<li><span class="num">{_e(chapter.get("index"))}</span> <span lang="zh">{_e(chapter.get("title", ""))}</span>'
            f' <span class="dur">{_seconds(float(chapter.get("duration", 0)))} · {len(chapter.get("units", []))} plays</span>'
            f'<audio class="drill" data-chapter="{_e(chapter.get("index"))}" controls preload="none" '
            f'src="{_e(_url(chapter.get("file")))}"></audio>'
            f'<a href="{_e(_url(chapter.get("lrc")))}">lyrics (.lrc)</a>'
            f'<div class="drill-now" aria-live="polite"></div></li>'
        )
    slow = shadowing.get("slow_pass")
    how = (
        f"Each unit is played {shadowing.get('repeat')}× with a silence of {shadowing.get('gap')}× its length to repeat it"
        + (f", after a slow pass at {slow}× speed" if slow else "")
        + f"; sentences over {shadowing.get('drill_chars')} characters are drilled clause by clause first."
    )
    return f'<section class="drills" id="drills"><h2>Shadowing drills</h2><p class="note">{_e(how)}</p><ul>{"".join(rows)}</ul></section>'
