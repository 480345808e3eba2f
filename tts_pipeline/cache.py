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
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import soundfile as sf

from . import cachelayout
from .atomic import TEMPORARY_PREFIX, replacing
from .cachelayout import CLIPS, PARTS, SILENCE, Usage
from .errors import OutputError
from .incremental import ContentKey, content_key  # noqa: F401 - re-exported
from .model import Clip
from .modeljson import notice_from_json, notice_to_json, word_from_json, word_to_json
from .timing import Timing

_SUFFIX = ".flac"


def quantize(samples: np.ndarray) -> np.ndarray:
    """Round float samples to the 16-bit grid the cache stores, as float32 in [-1, 1]."""
    return (_to_int16(samples).astype(np.float32) / np.float32(32767.0)).astype(np.float32)


def _to_int16(samples: np.ndarray) -> np.ndarray:
    scaled = np.rint(np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0)
    return scaled.astype(np.int16)


def clip_file(key: str, clip: Clip) -> bytes:
    """What the cache stores for `clip` under `key`: its samples as 16-bit FLAC, its engine, notices, word and
    token times as JSON in the file's comment."""
    meta = {
        "key": key,
        "engine": clip.engine,
        "notices": [notice_to_json(n) for n in clip.notices],
    }
    if clip.words:
        meta["words"] = [word_to_json(w) for w in clip.words]
    if clip.timing is not None:
        meta["timing"] = clip.timing.to_json()
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", clip.sample_rate, 1, "PCM_16", format="FLAC") as f:
        f.comment = json.dumps(meta, ensure_ascii=False)
        f.write(_to_int16(clip.audio()))
    return buffer.getvalue()


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    clips: int
    size: int  # bytes, clips only
    leftovers: int  # temporary files from interrupted runs
    leftover_size: int
    others: tuple[Usage, ...] = ()  # every other part of the cache folder (cachelayout)

    @property
    def total(self) -> int:
        return self.size + self.leftover_size + sum(u.size for u in self.others)


class ClipCache:
    """Clips on disk, found by their engine's cache key.

    `hits`, `misses` and `stores` count this instance's lookups, for the
    progress summary.
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.layout = cachelayout.current(root)
        self.root = self.layout.root
        self.hits = 0
        self.misses = 0
        self.stores = 0

    @property
    def clips_dir(self) -> Path:
        return self.layout.path(CLIPS)

    @property
    def silence_dir(self) -> Path:
        """Silent MP3s of whole frames, made once and put between sentences (export.chapterjoin)."""
        return self.layout.path(SILENCE)

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
        try:
            notices = tuple(notice_from_json(d) for d in meta.get("notices", ()))
            words = tuple(word_from_json(d) for d in meta.get("words", ()))
        except ValueError:  # written by a version that stored them differently
            _unlink(path)
            self.misses += 1
            return None
        self.hits += 1
        clip_samples = (samples.astype(np.float32) / np.float32(32767.0)).astype(np.float32)
        return Clip(clip_samples, rate, meta["engine"], notices, words, Timing.from_json(meta.get("timing")))

    def put(self, key: str, clip: Clip) -> Path:
        """Store `clip` under `key` atomically; returns the final path. The file's bytes are the ones the
        Ray actor that spoke the clip made already (`Finished.stored`), when it made them for this key."""
        path = self.path_for(key)
        stored = getattr(clip.finished, "stored", None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(path) as handle:
                handle.write(stored[1] if stored is not None and stored[0] == key else clip_file(key, clip))
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
        others = self.layout.usage(tuple(p for p in PARTS if p != CLIPS) + cachelayout.EARLIER)
        return CacheInfo(self.root, clips, size, leftovers, leftover_size, tuple(u for u in others if u.files))

    def clear(self) -> CacheInfo:
        """Delete every part of the cache folder (cachelayout): the clips and leftovers of interrupted runs,
        the stored readings, the pronouncer's tables, the rewritten voice models, the silent MP3s and the
        record of up-to-date outputs (each is made again when needed); returns what was removed."""
        removed = self.info()
        self.layout.remove(PARTS + cachelayout.EARLIER)
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


def cache_from_args(args) -> ClipCache | None:
    """The cache a build's command-line options ask for: None with --no-cache."""
    if getattr(args, "no_cache", False):
        return None
    return ClipCache(getattr(args, "cache_dir", None))


def run_cache(args) -> int:
    """The `cache` command: where the cache is and what it holds (info), or everything in it removed (clear)."""
    cache = ClipCache(args.cache_dir)
    if args.action == "info":
        info = cache.info()
        print(f"cache folder: {info.path}")
        print(f"clips: {info.clips} ({format_size(info.size)})")
        for usage in info.others:
            print(f"{usage.part.what}: {usage.files} files ({format_size(usage.size)})")
        if info.leftovers:
            print(f"unfinished files from interrupted runs: {info.leftovers} ({format_size(info.leftover_size)}); "
                  "`tts-pipeline cache clear` removes them")
        return 0
    removed = cache.clear()
    others = sum(u.files for u in removed.others)
    print(f"removed {removed.clips} clips, {removed.leftovers} unfinished files and {others} other files "
          f"({format_size(removed.total)}) from {removed.path}")
    return 0
