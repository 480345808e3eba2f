"""Tags on every audio file a build writes, with mutagen: the one place that writes them.

MP3 (and WAV) files get ID3v2.4 frames, book.mp3 also the ID3 chapter frames
(CHAP + CTOC) that podcast players show; book.m4b gets MP4 atoms, its cover
and a `M4B ` brand; FLAC and Ogg Vorbis get Vorbis comments and a picture
block. What each file holds is a `Tags`; `publishing_tags` makes them for the
book, a chapter or a sentence from one `Publishing` record.

A tag is rewritten only when it differs from what the file holds, with a
fixed padding, so a rebuild gives the same bytes as a build from nothing; a
file linked from the previous output is copied first, so that output is never
changed under it.
"""
from __future__ import annotations

import base64
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import InputError

# CHAP byte offsets are optional; this value says "not given, use the times".
NO_OFFSET = 0xFFFFFFFF
LANGUAGE = "zho"  # ISO 639-2, as ID3's TLAN and COMM want it
COVER_SIZE = 1400  # px: the largest side of the embedded cover
SMALL_COVER = 300
_PADDING = 256  # bytes left after an ID3 tag, always the same


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str  # image/png or image/jpeg
    # the same picture at most SMALL_COVER px a side, for sentence files: a book has thousands of them
    small: "Cover | None" = None


@dataclass(frozen=True)
class Publishing:
    """What the tags of a whole build say, from --author, --cover, the profile and the input."""

    title: str
    author: str | None
    genre: str  # of the book and the chapters; sentence files are "Speech"
    date: str  # YYYY-MM-DD
    source: str
    cover: Cover | None = None
    encoder: str = ""


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str | None
    genre: str
    date: str
    comment: str
    track: tuple[int, int] | None = None  # n of N
    cover: Cover | None = None
    encoder: str = ""
    language: str = LANGUAGE


def publishing_tags(publishing: Publishing, title: str | None = None, track: tuple[int, int] | None = None,
                    genre: str | None = None) -> Tags:
    """The tags of the book (no `title`), of a chapter or of a sentence file (its own `title` and `track`,
    genre Speech and the small cover)."""
    cover = publishing.cover
    if cover is not None and genre == "Speech":
        cover = Cover(cover.small, "image/jpeg") if cover.small else cover
    return Tags(title=title or publishing.title, album=publishing.title, artist=publishing.author,
                genre=genre or publishing.genre, date=publishing.date, comment=f"Source: {publishing.source}",
                track=track, cover=cover, encoder=publishing.encoder)


def load_cover(path: str | os.PathLike) -> Cover:
    """A PNG or JPEG cover, scaled down to at most COVER_SIZE px a side; anything else is refused in one line."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as image:
            kind = image.format
            if kind not in ("PNG", "JPEG"):
                raise InputError(f"{path}: the cover must be a PNG or JPEG image, not {kind or 'this format'}")
            image.load()
            small = _scaled(image, SMALL_COVER, "JPEG")
            if max(image.size) <= COVER_SIZE:
                return Cover(path.read_bytes(), f"image/{kind.lower()}", small)
            return Cover(_scaled(image, COVER_SIZE, kind), f"image/{kind.lower()}", small)
    except FileNotFoundError:
        raise InputError(f"{path}: cover file not found") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"{path}: cannot read the cover as an image ({exc})") from None


def _scaled(image, size: int, kind: str) -> bytes:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        copy.convert("RGB").save(out, "JPEG", quality=88)
    else:
        copy.save(out, "PNG", optimize=True)
    return out.getvalue()


def write_tags(path: Path, tags: Tags, chapters: Sequence[tuple[int, int, str]] = ()) -> None:
    """Tag `path` by its kind; `chapters` (start_ms, end_ms, title) go into an MP3's CHAP frames."""
    suffix = path.suffix.lower()
    if suffix in (".mp3", ".wav"):
        _write_id3(path, tags, chapters)
    elif suffix in (".m4b", ".m4a"):
        _write_mp4(path, tags)
    elif suffix in (".flac", ".ogg"):
        _write_vorbis(path, tags)
    else:
        raise ValueError(f"no tags for {path.name}")


def write_chapters(path: Path, title: str, chapters: Sequence[tuple[int, int, str]], encoder: str,
                   tags: Tags | None = None) -> None:
    """Tag an MP3 with its title and chapters given as (start_ms, end_ms, title)."""
    tags = tags or Tags(title=title, album=title, artist=None, genre="Audiobook", date="", comment="", encoder=encoder)
    _write_id3(path, tags, chapters)


def _own(path: Path) -> None:
    """Make `path` a file of its own (a copy) when it is a link shared with another output."""
    if path.stat().st_nlink > 1:
        scratch = path.with_name(path.name + ".tagging")
        shutil.copyfile(path, scratch)
        os.replace(scratch, path)


def _id3_frames(tags: Tags, chapters: Sequence[tuple[int, int, str]]) -> list:
    from mutagen.id3 import APIC, CHAP, COMM, CTOC, TALB, TCON, TDRC, TIT2, TLAN, TPE1, TPE2, TRCK, TSSE, CTOCFlags

    frames = [TIT2(encoding=3, text=[tags.title]), TALB(encoding=3, text=[tags.album]),
              TCON(encoding=3, text=[tags.genre]), TLAN(encoding=3, text=[tags.language]),
              COMM(encoding=3, lang=tags.language, desc="", text=[tags.comment])]
    if tags.artist:
        frames += [TPE1(encoding=3, text=[tags.artist]), TPE2(encoding=3, text=[tags.artist])]
    if tags.date:
        frames.append(TDRC(encoding=3, text=[tags.date]))
    if tags.track:
        frames.append(TRCK(encoding=3, text=[f"{tags.track[0]}/{tags.track[1]}"]))
    if tags.encoder:
        frames.append(TSSE(encoding=3, text=[tags.encoder]))
    if tags.cover:
        frames.append(APIC(encoding=3, mime=tags.cover.mime, type=3, desc="cover", data=tags.cover.data))
    if chapters:
        ids = [f"chp{i}" for i in range(1, len(chapters) + 1)]
        frames.append(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                           sub_frames=[TIT2(encoding=3, text=[tags.album])]))
        frames += [CHAP(element_id=element_id, start_time=start, end_time=end, start_offset=NO_OFFSET,
                        end_offset=NO_OFFSET, sub_frames=[TIT2(encoding=3, text=[name])])
                   for element_id, (start, end, name) in zip(ids, chapters)]
    return frames


def _write_id3(path: Path, tags: Tags, chapters: Sequence[tuple[int, int, str]]) -> None:
    from mutagen.id3 import ID3, ID3NoHeaderError
    from mutagen.wave import WAVE

    wanted = ID3()
    for frame in _id3_frames(tags, chapters):
        wanted.add(frame)
    wave = path.suffix.lower() == ".wav"
    try:
        held = WAVE(path).tags if wave else ID3(path)
    except ID3NoHeaderError:
        held = None
    if held is not None and held.version[:2] == (2, 4) and _same_frames(held, wanted):
        return
    _own(path)
    if wave:
        audio = WAVE(path)
        if audio.tags is None:
            audio.add_tags()
        audio.tags.clear()
        audio.tags.update(wanted)
        audio.save(v2_version=4, padding=lambda info: _PADDING)
    else:
        ID3().delete(path)  # the same bytes whatever tag was there before
        wanted.save(path, v2_version=4, padding=lambda info: _PADDING)


def _same_frames(held, wanted) -> bool:
    return sorted(f._pprint() + repr(f) for f in held.values()) == sorted(f._pprint() + repr(f) for f in wanted.values())


def _write_mp4(path: Path, tags: Tags) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    audio = MP4(path)
    atoms = {"\xa9nam": [tags.title], "\xa9alb": [tags.album], "\xa9gen": [tags.genre],
             "\xa9cmt": [tags.comment], "stik": [2]}  # stik 2: audiobook
    if tags.artist:
        atoms.update({"\xa9ART": [tags.artist], "aART": [tags.artist]})
    if tags.date:
        atoms["\xa9day"] = [tags.date]
    if tags.encoder:
        atoms["\xa9too"] = [tags.encoder]
    if tags.track:
        atoms["trkn"] = [tags.track]
    if tags.cover:
        kind = MP4Cover.FORMAT_PNG if tags.cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        atoms["covr"] = [MP4Cover(tags.cover.data, imageformat=kind)]
    audio.delete()
    audio = MP4(path)
    audio.update(atoms)
    audio.save()


def _write_vorbis(path: Path, tags: Tags) -> None:
    import mutagen
    from mutagen.flac import FLAC, Picture

    audio = mutagen.File(path)
    fields = {"TITLE": tags.title, "ALBUM": tags.album, "GENRE": tags.genre, "LANGUAGE": tags.language,
              "COMMENT": tags.comment}
    if tags.artist:
        fields["ARTIST"] = fields["ALBUMARTIST"] = tags.artist
    if tags.date:
        fields["DATE"] = tags.date
    if tags.track:
        fields["TRACKNUMBER"], fields["TRACKTOTAL"] = str(tags.track[0]), str(tags.track[1])
    if tags.encoder:
        fields["ENCODER"] = tags.encoder
    picture = None
    if tags.cover:
        picture = Picture()
        picture.type, picture.mime, picture.desc, picture.data = 3, tags.cover.mime, "cover", tags.cover.data
    held = {k.upper(): v for k, v in (audio.tags or {}).items()} if audio.tags is not None else {}
    expected = {k: [v] for k, v in fields.items()}
    if picture is not None and not isinstance(audio, FLAC):
        expected["METADATA_BLOCK_PICTURE"] = [base64.b64encode(picture.write()).decode("ascii")]
    same_pictures = not isinstance(audio, FLAC) or [p.data for p in audio.pictures] == ([picture.data] if picture else [])
    if held == expected and same_pictures:
        return
    _own(path)
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    for key, value in expected.items():
        audio.tags[key] = value
    if isinstance(audio, FLAC):
        audio.clear_pictures()
        if picture is not None:
            audio.add_picture(picture)
        audio.save(padding=lambda info: _PADDING)
    else:
        audio.save(padding=lambda info: _PADDING)


def tag_folder(root: Path, publishing: Publishing, marks_ms: Sequence[tuple[int, int, str]],
               chapter_files: Sequence[str], sentences: Sequence[tuple[str | None, str, int]],
               books: Sequence[str] = ("book.mp3",)) -> None:
    """Tag the book files (`books`, with chapter marks), each chapter file (track n/N) and each sentence
    file (`sentences`: file, text, chapter number; track n/N within its chapter) of a build under `root`."""
    for book in books:
        write_tags(root / book, publishing_tags(publishing), marks_ms if book.endswith(".mp3") else ())
    titles = [title for _, _, title in marks_ms]
    for number, (name, title) in enumerate(zip(chapter_files, titles), 1):
        write_tags(root / name, publishing_tags(publishing, title, (number, len(chapter_files))))
    spoken = [(name, text, chapter) for name, text, chapter in sentences if name]
    per_chapter: dict[int, int] = {}
    for _, _, chapter in spoken:
        per_chapter[chapter] = per_chapter.get(chapter, 0) + 1
    seen: dict[int, int] = {}
    for name, text, chapter in spoken:
        seen[chapter] = seen.get(chapter, 0) + 1
        write_tags(root / name, publishing_tags(publishing, text, (seen[chapter], per_chapter[chapter]), "Speech"))
