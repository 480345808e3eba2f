"""A content-addressed store of synthesised clips.

A clip is filed under the hash of its engine's `cache_key`, a string that
changes whenever the samples would (engine, voice, model hash, the symbols
sent, every option). Clips are kept as 16-bit FLAC: lossless for what the
pipeline outputs, since every clip is quantised to 16 bits before use (see
`quantize`), so a clip read back is identical to the one first synthesised.

Each file is written under a temporary name and renamed into place, so a
process killed at any moment leaves either a whole clip or a `.tmp-` file
that is never read and that `clear` removes.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import soundfile as sf

from .atomic import TEMPORARY_PREFIX, replacing
from .errors import OutputError
from .incremental import ENV_VAR, ContentKey, content_key, default_cache_dir  # noqa: F401 - re-exported
from .model import Clip, Notice, SourcePosition

_SUFFIX = ".flac"
# Bumped when the file layout changes, so old clips are simply not found.
_LAYOUT = "clips-v1"


def quantize(samples: np.ndarray) -> np.ndarray:
    """Round float samples to the 16-bit grid the cache stores, as float32 in [-1, 1]."""
    return (_to_int16(samples).astype(np.float32) / np.float32(32767.0)).astype(np.float32)


def _to_int16(samples: np.ndarray) -> np.ndarray:
    scaled = np.rint(np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0)
    return scaled.astype(np.int16)


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    clips: int
    size: int  # bytes, clips only
    leftovers: int  # temporary files from interrupted runs
    leftover_size: int


class ClipCache:
    """Clips on disk, found by their engine's cache key.

    `hits`, `misses` and `stores` count this instance's lookups, for the
    progress summary.
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0
        self.stores = 0

    @property
    def clips_dir(self) -> Path:
        return self.root / _LAYOUT

    @property
    def silence_dir(self) -> Path:
        """Silent MP3s of whole frames, made once and put between sentences (export.chapterjoin)."""
        return self.root / "silence"

    def path_for(self, key: str) -> Path:
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.clips_dir / name[:2] / (name + _SUFFIX)

    def get(self, key: str) -> Clip | None:
        """The clip stored under `key`, or None. A damaged file counts as absent and is removed."""
        path = self.path_for(key)
        try:
            with sf.SoundFile(path) as f:
                meta = json.loads(f.comment)
                samples = f.read(dtype="int16")
                rate = f.samplerate
        except FileNotFoundError:
            self.misses += 1
            return None
        except (RuntimeError, ValueError, OSError, sf.LibsndfileError):
            _unlink(path)
            self.misses += 1
            return None
        if meta.get("key") != key:  # a hash collision or a foreign file
            self.misses += 1
            return None
        self.hits += 1
        clip_samples = (samples.astype(np.float32) / np.float32(32767.0)).astype(np.float32)
        notices = tuple(_notice_from(d) for d in meta.get("notices", ()))
        return Clip(clip_samples, rate, meta["engine"], notices)

    def put(self, key: str, clip: Clip) -> Path:
        """Store `clip` under `key` atomically; returns the final path."""
        path = self.path_for(key)
        meta = {
            "key": key,
            "engine": clip.engine,
            "notices": [_notice_to(n) for n in clip.notices],
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(path) as handle, sf.SoundFile(handle, "w", clip.sample_rate, 1, "PCM_16",
                                                         format="FLAC") as f:
                f.comment = json.dumps(meta, ensure_ascii=False)
                f.write(_to_int16(clip.samples))
        except OSError as exc:
            raise OutputError(
                f"cannot write to the clip cache {self.root}: {exc.strerror or exc}; "
                "choose another folder with --cache-dir or run with --no-cache"
            ) from exc
        self.stores += 1
        return path

    def __contains__(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def _files(self) -> Iterable[Path]:
        if not self.clips_dir.is_dir():
            return ()
        return (p for p in self.clips_dir.glob("*/*") if p.is_file())

    def info(self) -> CacheInfo:
        clips = size = leftovers = leftover_size = 0
        for path in self._files():
            length = path.stat().st_size
            if path.name.startswith(TEMPORARY_PREFIX):
                leftovers += 1
                leftover_size += length
            elif path.suffix == _SUFFIX:
                clips += 1
                size += length
        return CacheInfo(self.root, clips, size, leftovers, leftover_size)

    def clear(self) -> CacheInfo:
        """Delete every stored clip and leftover, the stored readings, the silent MP3s and the record of up-to-date
        outputs; returns the clips removed."""
        removed = self.info()
        for path in list(self._files()):
            _unlink(path)
        builds = self.root / "builds"  # incremental's records; without them every output is rebuilt once
        if builds.is_dir():
            for path in builds.iterdir():
                _unlink(path)
        from .pronounce import PronunciationCache

        shutil.rmtree(PronunciationCache(self.root).folder, ignore_errors=True)
        shutil.rmtree(self.silence_dir, ignore_errors=True)
        for folder in sorted(self.clips_dir.glob("*"), reverse=True) if self.clips_dir.is_dir() else ():
            try:
                folder.rmdir()
            except OSError:
                pass
        return removed


def format_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _notice_to(notice: Notice) -> dict:
    return asdict(notice)


def _notice_from(data: dict) -> Notice:
    position = data.get("position")
    if position is not None:
        data = {**data, "position": SourcePosition(**position)}
    return Notice(**data)


def cache_from_args(args) -> ClipCache | None:
    """The cache a build's command-line options ask for: None with --no-cache."""
    if getattr(args, "no_cache", False):
        return None
    return ClipCache(getattr(args, "cache_dir", None))
