"""A podcast feed (RSS 2.0 with the iTunes and Podcasting 2.0 namespaces) over built output folders.

One item per folder: its book as the enclosure (byte length and type), its
length as `itunes:duration`, the first paragraph as the description, its VTT
and SRT transcripts as `podcast:transcript` and its `chapters.json`
(Podcasting 2.0 JSON chapters, written by every build) as `podcast:chapters`.
An item's GUID is made from the folder's URL, so a feed written again with
more folders keeps the GUIDs of the items it already had; items of an
existing feed file whose folders are not given again are kept as they were.
Items are newest first (by when each folder's manifest was written).

The feed is written with ElementTree, the standard library's XML writer: the
format is a handful of elements, and the test reads it back with feedparser.
"""
from __future__ import annotations

import json
import os
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from ..atomic import write_atomic
from ..errors import InputError
from .manifest import Manifest

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CHAPTERS_FILE = "chapters.json"
CHAPTERS_VERSION = "1.2.0"
LANGUAGE = "zh-cn"
_TYPES = {".mp3": "audio/mpeg", ".m4b": "audio/x-m4b", ".m4a": "audio/mp4"}

ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)


def podcast_chapters(title: str, chapters: Sequence[tuple[float, str]]) -> str:
    """chapters.json in the Podcasting 2.0 JSON chapters format: (start seconds, title) per chapter."""
    return json.dumps({"version": CHAPTERS_VERSION, "title": title,
                       "chapters": [{"startTime": start, "title": name} for start, name in chapters]},
                      ensure_ascii=False, indent=1) + "\n"


@dataclass(frozen=True)
class Channel:
    title: str
    base_url: str
    author: str | None = None
    description: str | None = None
    image: str | None = None  # URL


def _url(base: str, *parts: str) -> str:
    return base.rstrip("/") + "/" + "/".join(quote(p) for p in parts)


def _duration(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _first_paragraph(manifest: Manifest) -> str:
    """The text of the first paragraph that is more than the title (a headline often is a paragraph)."""
    paragraphs: dict[tuple[int, int], list[str]] = {}
    for sentence in manifest.sentences:
        paragraphs.setdefault((sentence.chapter, sentence.paragraph), []).append(sentence.text)
    texts = ["".join(parts) for parts in paragraphs.values()]
    return next((t for t in texts if t.strip() != manifest.title.strip()), texts[0] if texts else manifest.title)


def _item(folder: Path, base_url: str) -> tuple[datetime, ET.Element]:
    manifest_path = folder / "manifest.json"
    try:
        manifest = Manifest.read(manifest_path)
    except FileNotFoundError:
        raise InputError(f"{folder}: no manifest.json; give folders written by `tts-pipeline build`") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{manifest_path}: not a manifest tts-pipeline can read ({exc})") from None
    name = folder.resolve().name
    book = manifest.files.book
    if (manifest.publishing or {}).get("profile") == "audiobook" and manifest.files.book_m4b:
        book = manifest.files.book_m4b
    written = datetime.fromtimestamp(manifest_path.stat().st_mtime, timezone.utc).replace(microsecond=0)
    item = ET.Element("item")
    ET.SubElement(item, "title").text = manifest.title
    ET.SubElement(item, "description").text = _first_paragraph(manifest)
    ET.SubElement(item, "guid", isPermaLink="false").text = str(uuid.uuid5(uuid.NAMESPACE_URL, _url(base_url, name)))
    ET.SubElement(item, "pubDate").text = format_datetime(written)
    ET.SubElement(item, "enclosure", url=_url(base_url, name, *book.split("/")),
                  length=str((folder / book).stat().st_size), type=_TYPES.get(Path(book).suffix, "audio/mpeg"))
    ET.SubElement(item, f"{{{ITUNES}}}duration").text = _duration(manifest.duration)
    author = (manifest.publishing or {}).get("author")
    if author:
        ET.SubElement(item, f"{{{ITUNES}}}author").text = author
    for file, kind in ((manifest.files.vtt, "text/vtt"), (manifest.files.srt, "application/x-subrip")):
        ET.SubElement(item, f"{{{PODCAST}}}transcript", url=_url(base_url, name, file), type=kind, language=LANGUAGE)
    if (folder / CHAPTERS_FILE).is_file():
        ET.SubElement(item, f"{{{PODCAST}}}chapters", url=_url(base_url, name, CHAPTERS_FILE),
                      type="application/json+chapters")
    return written, item


def _kept_items(target: Path, replaced: set[str]) -> list[tuple[datetime, ET.Element]]:
    """Items of an existing feed at `target` whose GUIDs are not among `replaced`."""
    if not target.is_file():
        return []
    try:
        channel = ET.parse(target).getroot().find("channel")
    except ET.ParseError as exc:
        raise InputError(f"{target}: the existing feed is not XML ({exc}); remove it or choose another -o") from None
    kept = []
    for item in channel.findall("item") if channel is not None else ():
        if (item.findtext("guid") or "") in replaced:
            continue
        try:
            when = parsedate_to_datetime(item.findtext("pubDate") or "")
        except (TypeError, ValueError):
            when = datetime.fromtimestamp(0, timezone.utc)
        kept.append((when, item))
    return kept


def write_feed(folders: Sequence[str | os.PathLike], channel: Channel, target: str | os.PathLike) -> int:
    """Write the feed of `folders` to `target`; return how many items it holds."""
    target = Path(target)
    made = [_item(Path(folder), channel.base_url) for folder in folders]
    items = made + _kept_items(target, {item.findtext("guid") for _, item in made})
    items.sort(key=lambda pair: pair[0], reverse=True)
    rss = ET.Element("rss", version="2.0")
    root = ET.SubElement(rss, "channel")
    ET.SubElement(root, "title").text = channel.title
    ET.SubElement(root, "link").text = channel.base_url
    ET.SubElement(root, "description").text = channel.description or channel.title
    ET.SubElement(root, "language").text = LANGUAGE
    ET.SubElement(root, "generator").text = "tts-pipeline"
    if channel.author:
        ET.SubElement(root, f"{{{ITUNES}}}author").text = channel.author
    if channel.image:
        ET.SubElement(root, f"{{{ITUNES}}}image", href=channel.image)
        image = ET.SubElement(root, "image")
        ET.SubElement(image, "url").text = channel.image
        ET.SubElement(image, "title").text = channel.title
        ET.SubElement(image, "link").text = channel.base_url
    ET.SubElement(root, f"{{{ITUNES}}}explicit").text = "false"
    for _, item in items:
        root.append(item)
    ET.indent(rss)
    write_atomic(target, ET.tostring(rss, encoding="unicode", xml_declaration=True) + "\n")
    return len(items)


def feed_image(folders: Sequence[str | os.PathLike], base_url: str) -> str | None:
    """The URL of the first folder's cover, when one was given to its build."""
    for folder in folders:
        try:
            cover = (Manifest.read(Path(folder) / "manifest.json").publishing or {}).get("cover")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if cover:
            return _url(base_url, Path(folder).resolve().name, cover)
    return None


def feed_from_args(args) -> int:
    """The `feed` command: channel details from the options or the first folder, then `write_feed`."""
    if not args.base_url.startswith(("http://", "https://")):
        raise InputError(f"--base-url {args.base_url!r} is not an http(s) URL")
    first = Path(args.folders[0])
    try:
        manifest = Manifest.read(first / "manifest.json")
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"{first}: no readable manifest.json; give folders written by `tts-pipeline build`") from None
    channel = Channel(
        title=args.title or manifest.title,
        base_url=args.base_url,
        author=args.author or (manifest.publishing or {}).get("author"),
        image=args.image or feed_image(args.folders, args.base_url),
    )
    count = write_feed(args.folders, channel, args.output)
    print(f"wrote {args.output}: {count} episode{'' if count == 1 else 's'}")
    return 0
