"""Read-only tables of str keys kept on disk, memory-mapped, looked up without loading.

jieba's prefix dictionary and the phrase lexicon hold 300,000-500,000 words
each; turning them into Python dicts takes 0.3-1.2 s per process, while one
sentence looks up a few hundred words. A packed table is an open-addressing
hash table in one file: `open_table` maps it and checks it in a few
milliseconds, and each lookup touches a few bytes of it.

Layout (native byte order, every array 4-byte aligned):

    b"TTSPACK1", u32 crc32 of everything after it, u32 header length,
    JSON header (stamp, kind, count, slots, offsets, meta), padding,
    slots u32[slots]: 1 + entry index, 0 for an empty slot
    key offsets u32[count + 1], then the values: u32[count] ("int") or
    value offsets u32[count + 1] ("str", "bytes"), the keys' UTF-8 bytes,
    the values' (UTF-8 or raw).

A file is trusted only when its size, checksum, stamp and kind are what the
caller expects; anything else (missing, truncated, corrupt, written by another
version) reads as absent and the caller builds the table again. Files are
written under a temporary name and renamed into place, so a reader never sees
half a file.
"""
from __future__ import annotations

import json
import mmap
import struct
import sys
import zlib
from array import array
from collections.abc import Mapping
from pathlib import Path
from typing import Callable, Iterator, Union

from ..atomic import write_atomic

MAGIC = b"TTSPACK1"
_PREFIX = struct.Struct("=8sII")  # magic, crc32, header length
KINDS = ("int", "str", "bytes")

Value = Union[int, str, bytes]
_MISSING = object()  # remembered: the key is not in the table
_UNSEEN = object()  # not asked for yet
SEEN_LIMIT = 200_000  # remembered answers per table, some 30 MB at most


class PackedTable(Mapping):
    """A mapping from str to int, str or bytes, read from a packed file's bytes."""

    def __init__(self, buffer, header: dict) -> None:
        self._buffer = buffer
        view = memoryview(buffer)
        self._slots = view[header["slots_at"] : header["slots_at"] + 4 * header["slots"]].cast("I")
        count = header["count"]
        self._key_offsets = view[header["keys_at"] : header["keys_at"] + 4 * (count + 1)].cast("I")
        self._values = view[header["values_at"] : header["values_at"] + 4 * (count + 1)].cast("I")
        self._key_base = header["key_bytes_at"]
        self._value_base = header["value_bytes_at"]
        self._mask = header["slots"] - 1
        self._count = count
        self._kind = header["kind"]
        self.meta: dict = header.get("meta", {})
        self._seen: dict = {}

    def _find(self, encoded: bytes) -> int:
        slots = self._slots
        offsets = self._key_offsets
        buffer = self._buffer
        base = self._key_base
        mask = self._mask
        slot = zlib.crc32(encoded) & mask
        while True:
            entry = slots[slot]
            if not entry:
                return -1
            entry -= 1
            if buffer[base + offsets[entry] : base + offsets[entry + 1]] == encoded:
                return entry
            slot = (slot + 1) & mask

    def _value(self, entry: int) -> Value:
        if self._kind == "int":
            return self._values[entry]
        start = self._value_base + self._values[entry]
        value = self._buffer[start : self._value_base + self._values[entry + 1]]
        return value if self._kind == "bytes" else value.decode("utf-8")

    def _lookup(self, key):
        """The value of `key`, or _MISSING. Answers are remembered in `_seen` (read there first
        by the methods below), since segmenting asks for the same words again and again, up to
        SEEN_LIMIT of them, then forgotten all at once."""
        entry = self._find(key.encode("utf-8", "surrogatepass")) if isinstance(key, str) else -1
        found = _MISSING if entry < 0 else self._value(entry)
        if len(self._seen) >= SEEN_LIMIT:
            self._seen.clear()
        self._seen[key] = found
        return found

    def get(self, key, default=None):
        found = self._seen.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._lookup(key)
        return default if found is _MISSING else found

    def __getitem__(self, key) -> Value:
        found = self._seen.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._lookup(key)
        if found is _MISSING:
            raise KeyError(key)
        return found

    def __contains__(self, key) -> bool:
        found = self._seen.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._lookup(key)
        return found is not _MISSING

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        offsets = self._key_offsets
        base = self._key_base
        for entry in range(self._count):
            yield self._buffer[base + offsets[entry] : base + offsets[entry + 1]].decode("utf-8")


def _align(n: int) -> int:
    return (n + 3) & ~3


def _offsets(blobs: list[bytes]) -> array:
    offsets = array("I", [0])
    total = 0
    for blob in blobs:
        total += len(blob)
        offsets.append(total)
    return offsets


def pack(table: Mapping, stamp: str, kind: str, meta: dict | None = None) -> bytes:
    """The bytes of a packed file holding `table`: str keys; int values below 2**32, str or bytes values."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    keys = sorted(table)
    encoded = [k.encode("utf-8") for k in keys]
    size, slots = _hash_slots(encoded)
    key_offsets = _offsets(encoded)
    key_bytes = b"".join(encoded)
    if kind == "int":
        values = array("I", (table[k] for k in keys))
        value_bytes = b""
    else:
        encoded_values = [table[k] if kind == "bytes" else table[k].encode("utf-8") for k in keys]
        values = _offsets(encoded_values)
        value_bytes = b"".join(encoded_values)

    header = {
        "stamp": stamp,
        "kind": kind,
        "byteorder": sys.byteorder,
        "count": len(keys),
        "slots": size,
        "meta": meta or {},
    }
    return _laid_out(header, (
        ("slots_at", slots.tobytes()),
        ("keys_at", key_offsets.tobytes()),
        ("values_at", values.tobytes()),
        ("key_bytes_at", key_bytes),
        ("value_bytes_at", value_bytes),
    ))


def _hash_slots(encoded: list[bytes]) -> tuple[int, array]:
    """An open-addressing table at most half full: each key's entry number + 1 at the slot its CRC-32 probes
    to first (0: empty), and the table's size, a power of two."""
    size = 8
    while size < 2 * len(encoded):
        size *= 2
    mask = size - 1
    slots = array("I", bytes(4 * size))
    for entry, key in enumerate(encoded):
        slot = zlib.crc32(key) & mask
        while slots[slot]:
            slot = (slot + 1) & mask
        slots[slot] = entry + 1
    return size, slots


def _laid_out(header: dict, blobs) -> bytes:
    """The file: magic, CRC, header length, the header with each blob's offset, then the blobs, aligned."""
    # Offsets depend on the header's own length, so lay the body out after a
    # header whose offset fields are padded to a fixed width.
    fields = ("slots_at", "keys_at", "values_at", "key_bytes_at", "value_bytes_at", "size")
    for name in fields:
        header[name] = 10**12
    header_length = len(json.dumps(header, ensure_ascii=True, sort_keys=True).encode())
    at = _align(_PREFIX.size + header_length)
    layout = {}
    parts = []
    for name, blob in blobs:
        layout[name] = at
        padded = blob + bytes(_align(len(blob)) - len(blob))
        parts.append(padded)
        at += len(padded)
    layout["size"] = at
    header.update(layout)
    text = json.dumps(header, ensure_ascii=True, sort_keys=True).encode()
    text += b" " * (header_length - len(text))  # same length as the placeholder header
    start = text + bytes(_align(_PREFIX.size + header_length) - _PREFIX.size - header_length)
    body = struct.pack("=I", header_length) + start + b"".join(parts)
    crc = zlib.crc32(body)
    return MAGIC + struct.pack("=I", crc) + body


def read_header(data) -> dict | None:
    """The header of packed bytes `data` when they are whole and uncorrupted, else None."""
    try:
        magic, crc, header_length = _PREFIX.unpack_from(data, 0)
        if magic != MAGIC or zlib.crc32(memoryview(data)[12:]) != crc:
            return None
        header = json.loads(bytes(data[_PREFIX.size : _PREFIX.size + header_length]))
        if header.get("size") != len(data) or header.get("byteorder") != sys.byteorder:
            return None
        return header
    except (struct.error, ValueError, TypeError, AttributeError):
        return None


def open_table(path: Path, stamp: str, kind: str) -> PackedTable | None:
    """The table in `path`, or None when it is missing, damaged or not for `stamp` and `kind`."""
    try:
        with open(path, "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None
    header = read_header(data)
    if header is None or header.get("stamp") != stamp or header.get("kind") != kind:
        data.close()
        return None
    try:
        return PackedTable(data, header)
    except (KeyError, TypeError, ValueError):
        return None  # the map closes when the views on it are collected


def write_table(path: Path, data: bytes) -> None:
    """Write packed bytes to `path` atomically (OSError when the folder is not writable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, fsync=True)


def load_or_build(
    path: Path, stamp: str, kind: str, build: Callable[[], tuple[Mapping, dict]]
) -> Mapping:
    """The table stored in `path` for `stamp`; else `build()` -> (table, meta), stored there for next time.

    When the folder cannot be written, the table just built is returned and
    the next process builds it again. The returned mapping has `meta`."""
    found = open_table(path, stamp, kind)
    if found is not None:
        return found
    table, meta = build()
    try:
        write_table(path, pack(table, stamp, kind, meta))
    except OSError:
        pass
    else:
        stored = open_table(path, stamp, kind)
        if stored is not None:
            return stored
    return _Built(table, meta)


class _Built(dict):
    """A table just built, in memory, with the same `meta` a packed one has."""

    def __init__(self, table: Mapping, meta: dict) -> None:
        super().__init__(table)
        self.meta = meta
