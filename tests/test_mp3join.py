"""Joining chapter MP3s frame by frame: exact layout, a valid Info frame, clean errors."""
from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import mutagen.mp3
import numpy as np
import pytest
from mutagen.id3 import ID3

from tts_pipeline.errors import OutputError
from tts_pipeline.export import ffmpeg
from tts_pipeline.export.tags import write_chapters
from tts_pipeline.export.mp3frames import read_info
from tts_pipeline.export.mp3join import JoinLayout, join_mp3

RATE = 24000
INFO_AT = 4 + 9  # MPEG-2 mono: header, then 9 bytes of side information
FRAME = 192  # bytes in a 64 kbit/s frame at 24 kHz


def _crc16(data: bytes) -> int:
    """CRC-16/ARC bit by bit, independent of the module's table."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    frames = audio if audio.ndim == 2 else audio[:, None]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(frames.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(frames, -1, 1) * 32767).astype("<i2").tobytes())


def _chapter(seconds: float, f0: float, rate: int = RATE) -> np.ndarray:
    """A chirp like speech in a chapter: 0.3 s of silence before, 1 s of pause after."""
    t = np.arange(int(seconds * rate)) / rate
    voice = 0.4 * np.sin(2 * np.pi * (f0 + 150 * t) * t) * np.hanning(len(t)) ** 0.2
    return np.concatenate([np.zeros(int(0.3 * rate)), voice, np.zeros(rate)])


def _encode(tmp: Path, name: str, audio: np.ndarray, rate: int = RATE, bitrate: str = "64k") -> Path:
    wav, mp3 = tmp / f"{name}.wav", tmp / f"{name}.mp3"
    _write_wav(wav, audio, rate)
    ffmpeg.encode_file(wav, mp3, ffmpeg.CODECS["mp3"], bitrate, title=name)  # the title makes an ID3v2 tag
    return mp3


def _decode(path: Path, channels: int = 1) -> np.ndarray:
    result = subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-"],
                            capture_output=True, check=True)  # fmt: skip
    return np.frombuffer(result.stdout, "<i2").reshape(-1, channels).astype(np.int32)


def _id3_size(data: bytes) -> int:
    if data[:3] != b"ID3":
        return 0
    size = 0
    for byte in data[6:10]:
        size = size << 7 | byte
    return 10 + size


@pytest.fixture(scope="module")
def chapters(tmp_path_factory):
    """Three chapter files whose lengths give three different paddings."""
    tmp = tmp_path_factory.mktemp("chapters")
    specs = [("one", 1.0, 300), ("two", 1.53, 500), ("three", 0.61, 800)]
    return [_encode(tmp, name, _chapter(seconds, f0)) for name, seconds, f0 in specs]


@pytest.fixture(scope="module")
def book(chapters, tmp_path_factory):
    target = tmp_path_factory.mktemp("book") / "book.mp3"
    layout = join_mp3(chapters, target)
    return target, layout, target.read_bytes()


def test_read_info_gives_the_length_ffmpeg_decodes(chapters):
    for path in chapters:
        info = read_info(path)
        assert (info.sample_rate, info.channels, info.frame_samples) == (RATE, 1, 576)
        assert info.samples == len(_decode(path))
        assert info.samples == info.frames * 576 - info.encoder_delay - info.padding
    # LAME's delay is 576 whatever the length; the padding follows the length.
    assert {read_info(p).encoder_delay for p in chapters} == {576}
    assert len({read_info(p).padding for p in chapters}) == 3


def test_every_chapter_decodes_from_the_book_exactly_where_the_layout_says(chapters, book):
    target, layout, _ = book
    decoded = _decode(target)[:, 0]
    assert layout.sample_rate == RATE
    assert len(decoded) == layout.total_samples
    assert layout.parts[0].start == 0
    for path, part in zip(chapters, layout.parts):
        own = _decode(path)[:, 0]
        assert part.samples == len(own)
        # Measured: bit-identical. The decoder's carried-over filter state only
        # touches the next part's encoder-delay samples, which the book skips.
        assert np.array_equal(decoded[part.start : part.start + part.samples], own)
    assert layout.parts[-1].start + layout.parts[-1].samples == layout.total_samples


def test_gap_between_chapters_is_padding_plus_delay_and_silent(chapters, book):
    target, layout, _ = book
    decoded = _decode(target)[:, 0]
    infos = [read_info(p) for p in chapters]
    for before, after, info_before, info_after in zip(layout.parts, layout.parts[1:], infos, infos[1:]):
        gap = after.start - (before.start + before.samples)
        assert gap == info_before.padding + info_after.encoder_delay
        assert 1152 <= gap < 1152 + 576  # LAME at 24 kHz: 576 delay, 576..1151 padding
        # Both sides of a gap are chapter silence, so the gap is too.
        assert np.abs(decoded[before.start + before.samples : after.start]).max() <= 4


def test_two_parts_at_44100_stereo_without_silence_at_the_joins(tmp_path):
    rate = 44100
    t = np.arange(int(0.9 * rate)) / rate
    loud = [np.stack([0.5 * np.sin(2 * np.pi * f * t), 0.3 * np.sin(2 * np.pi * 1.5 * f * t)], axis=1) for f in (440, 660)]
    parts = [_encode(tmp_path, f"s{i}", audio, rate, "128k") for i, audio in enumerate(loud)]
    layout = join_mp3(parts, tmp_path / "book.mp3")
    info = read_info(tmp_path / "book.mp3")
    assert (info.sample_rate, info.channels, info.frame_samples) == (rate, 2, 1152)
    decoded = _decode(tmp_path / "book.mp3", channels=2)
    assert len(decoded) == layout.total_samples == info.samples
    assert [p.start for p in layout.parts][0] == 0
    for path, part in zip(parts, layout.parts):
        own = _decode(path, channels=2)
        assert np.array_equal(decoded[part.start : part.start + part.samples], own)


def test_parts_at_different_bitrates_make_a_xing_book(chapters, tmp_path):
    low = _encode(tmp_path, "low", _chapter(0.8, 350), bitrate="32k")
    parts = [chapters[0], low]
    layout = join_mp3(parts, tmp_path / "book.mp3")
    data = (tmp_path / "book.mp3").read_bytes()
    assert data[INFO_AT : INFO_AT + 4] == b"Xing"
    decoded = _decode(tmp_path / "book.mp3")[:, 0]
    assert len(decoded) == layout.total_samples
    for path, part in zip(parts, layout.parts):
        assert np.array_equal(decoded[part.start : part.start + part.samples], _decode(path)[:, 0])


def test_junk_before_the_first_frame_is_skipped(chapters, tmp_path):
    data = chapters[2].read_bytes()
    at = _id3_size(data)
    junky = tmp_path / "junky.mp3"
    junky.write_bytes(data[:at] + b"\0\xff\x00junk" * 10 + data[at:])
    assert read_info(junky) == read_info(chapters[2])


def test_book_is_one_info_frame_then_the_chapters_audio_frames(chapters, book):
    _, layout, data = book
    audio = b""
    for path in chapters:
        part = path.read_bytes()
        audio += part[_id3_size(part) + FRAME :]  # after the tag and the chapter's own Info frame
    assert data[FRAME:] == audio
    assert not data.startswith(b"ID3") and data[-128:-125] != b"TAG"
    infos = [read_info(p) for p in chapters]

    frame = data[:FRAME]
    assert frame[:2] == b"\xff\xf3" and frame[INFO_AT : INFO_AT + 4] == b"Info"
    flags = int.from_bytes(frame[INFO_AT + 4 : INFO_AT + 8], "big")
    assert flags == 0x0F  # frames, bytes, TOC and quality, as the chapters had
    assert int.from_bytes(frame[INFO_AT + 8 : INFO_AT + 12], "big") == sum(i.frames for i in infos)
    assert int.from_bytes(frame[INFO_AT + 12 : INFO_AT + 16], "big") == len(data)
    toc = frame[INFO_AT + 16 : INFO_AT + 116]
    # Every frame is 192 bytes here, so percent i starts at frame i * frames // 100.
    frames = sum(i.frames for i in infos)
    assert list(toc) == [min(255, 256 * FRAME * (1 + i * frames // 100) // len(data)) for i in range(100)]
    lame = INFO_AT + 120
    assert frame[lame : lame + 4] == b"LAME"
    packed = int.from_bytes(frame[lame + 21 : lame + 24], "big")
    assert (packed >> 12, packed & 0xFFF) == (infos[0].encoder_delay, infos[-1].padding)
    assert int.from_bytes(frame[lame + 28 : lame + 32], "big") == len(data)
    assert int.from_bytes(frame[lame + 32 : lame + 34], "big") == _crc16(audio)
    assert int.from_bytes(frame[lame + 34 : lame + 36], "big") == _crc16(frame[: lame + 34])
    assert layout.total_samples == read_info_samples(data)


def read_info_samples(data: bytes) -> int:
    """The book's gapless length from its own Info frame, read by hand."""
    frames = int.from_bytes(data[INFO_AT + 8 : INFO_AT + 12], "big")
    packed = int.from_bytes(data[INFO_AT + 120 + 21 : INFO_AT + 120 + 24], "big")
    return frames * 576 - (packed >> 12) - (packed & 0xFFF)


def test_mutagen_length_and_id3_chapters(book, tmp_path):
    source, layout, data = book
    target = tmp_path / "book.mp3"
    target.write_bytes(data)
    assert round(mutagen.mp3.MP3(target).info.length * RATE) == layout.total_samples
    marks = [(part.start * 1000 // RATE, (part.start + part.samples) * 1000 // RATE, f"Chapter {i}")
             for i, part in enumerate(layout.parts, 1)]  # fmt: skip
    write_chapters(target, "Book", marks, "tts-pipeline test")
    tags = ID3(target)
    assert [(c.start_time, c.end_time) for c in tags.getall("CHAP")] == [m[:2] for m in marks]
    assert round(mutagen.mp3.MP3(target).info.length * RATE) == layout.total_samples
    assert len(_decode(target)) == layout.total_samples
    assert read_info(target).samples == layout.total_samples


def test_trailing_id3v1_and_ape_tags_are_not_audio(chapters, book, tmp_path):
    first = chapters[0].read_bytes()
    ape_items = b"\x05\x00\x00\x00\x00\x00\x00\x00Title\x00hello"
    ape_footer = b"APETAGEX" + (2000).to_bytes(4, "little") + (len(ape_items) + 32).to_bytes(4, "little")
    ape_footer += (1).to_bytes(4, "little") + (0).to_bytes(4, "little") + bytes(8)
    id3v1 = b"TAG" + b"title".ljust(125, b"\0")
    tagged = tmp_path / "tagged.mp3"
    tagged.write_bytes(first + ape_items + ape_footer + id3v1)
    assert read_info(tagged) == read_info(chapters[0])
    layout = join_mp3([tagged, *chapters[1:]], tmp_path / "book.mp3")
    assert layout == book[1]
    assert (tmp_path / "book.mp3").read_bytes() == book[2]


def test_a_stray_sync_pattern_inside_audio_data_does_not_confuse_the_frame_walk(chapters, tmp_path):
    data = bytearray(chapters[1].read_bytes())
    start = _id3_size(data) + FRAME * 3
    # A fake header 24 bytes into a frame, sized (56 kbit/s: 168 bytes) to end where the next frame starts.
    data[start + 24 : start + 28] = b"\xff\xf3\x74\xc4"
    assert data[start : start + 2] == b"\xff\xf3" and data[start + 2] >> 4 == 8
    odd = tmp_path / "odd.mp3"
    odd.write_bytes(bytes(data))
    assert read_info(odd) == read_info(chapters[1])


def test_a_file_that_changes_format_part_way_is_refused(chapters, tmp_path, old_book):
    other = _encode(tmp_path, "slow", _chapter(0.5, 400, 22050), 22050).read_bytes()
    info_at = _id3_size(other)
    info_size = 72 * 64000 // 22050 + (other[info_at + 2] >> 1 & 1)  # MPEG-2 frame bytes, padding bit
    mixed = tmp_path / "mixed.mp3"
    mixed.write_bytes(chapters[0].read_bytes() + other[info_at + info_size :])
    message = _error([mixed], old_book)
    assert "mixed.mp3" in message and "changes format" in message and "22050 Hz" in message
    assert _untouched(old_book)


@pytest.mark.timeout(20)
def test_a_broken_ape_footer_is_not_taken_for_a_tag(chapters, tmp_path):
    data = chapters[0].read_bytes()
    bogus = tmp_path / "bogus.mp3"
    bogus.write_bytes(data + b"APETAGEX" + bytes(24))  # size 0: not a tag, so trailing junk
    with pytest.raises(OutputError, match="bogus.mp3"):
        read_info(bogus)


def _error(parts, target) -> str:
    with pytest.raises(OutputError) as caught:
        join_mp3(parts, target)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.fixture
def old_book(tmp_path):
    target = tmp_path / "out" / "book.mp3"
    target.parent.mkdir()
    target.write_bytes(b"previous book")
    return target


def _untouched(target: Path) -> bool:
    return target.read_bytes() == b"previous book" and sorted(p.name for p in target.parent.iterdir()) == ["book.mp3"]


def test_different_sample_rates_are_refused(chapters, tmp_path, old_book):
    other = _encode(tmp_path, "fast", _chapter(0.5, 400, 22050), 22050)
    message = _error([chapters[0], other], old_book)
    assert "fast.mp3" in message and "22050 Hz" in message and "24000 Hz" in message
    assert _untouched(old_book)


def test_different_channel_counts_are_refused(chapters, tmp_path, old_book):
    stereo = _encode(tmp_path, "wide", np.stack([_chapter(0.5, 400)] * 2, axis=1))
    message = _error([*chapters, stereo], old_book)
    assert "wide.mp3" in message and "2 channel" in message
    assert _untouched(old_book)


def test_mpeg_layer_ii_is_refused(tmp_path, old_book, chapters):
    wav = tmp_path / "mp2.wav"
    _write_wav(wav, _chapter(0.5, 400), RATE)
    mp2 = tmp_path / "old.mp3"
    ffmpeg.run(["-i", str(wav), "-c:a", "mp2", "-f", "mp2", str(mp2)], mp2.name)
    message = _error([chapters[0], mp2], old_book)
    assert "old.mp3" in message and "Layer II" in message
    assert _untouched(old_book)


def test_files_that_are_not_mp3_are_refused(tmp_path, old_book, chapters):
    wav = tmp_path / "speech.wav"
    _write_wav(wav, _chapter(0.5, 400), RATE)
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    for bad in (wav, empty):
        message = _error([chapters[0], bad], old_book)
        assert bad.name in message and "not an MP3" in message
    assert "missing.mp3" in _error([tmp_path / "missing.mp3"], old_book)
    assert "no MP3 files" in _error([], old_book)
    assert _untouched(old_book)


def test_cut_short_files_are_refused(chapters, tmp_path, old_book):
    data = chapters[1].read_bytes()
    mid_frame, last_frame_gone = tmp_path / "mid.mp3", tmp_path / "short.mp3"
    mid_frame.write_bytes(data[:-50])
    last_frame_gone.write_bytes(data[:-FRAME])
    assert "cut short" in _error([chapters[0], mid_frame], old_book)
    message = _error([chapters[0], last_frame_gone], old_book)
    assert "short.mp3" in message and f"{read_info(chapters[1]).frames} audio frames" in message
    assert _untouched(old_book)


def test_files_without_a_lame_tag_are_refused(tmp_path, old_book, chapters):
    wav = tmp_path / "bare.wav"
    _write_wav(wav, _chapter(0.5, 400), RATE)
    bare = tmp_path / "bare.mp3"
    ffmpeg.run(["-i", str(wav), "-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0", str(bare)], bare.name)
    message = _error([chapters[0], bare], old_book)
    assert "bare.mp3" in message and "Info" in message
    assert _untouched(old_book)


def test_a_join_replaces_the_old_book_in_one_step(chapters, old_book, book):
    layout = join_mp3(chapters, old_book)
    assert isinstance(layout, JoinLayout)
    assert old_book.read_bytes() == book[2]
    assert sorted(p.name for p in old_book.parent.iterdir()) == ["book.mp3"]
