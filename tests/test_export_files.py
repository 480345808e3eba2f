"""Export pieces: ffmpeg encoding, ID3 chapters, m4b chapters, transcripts, manifest, the output folder."""
from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
import soundfile
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from buildkit import decode
from tts_pipeline.errors import OutputError
from tts_pipeline.export import ffmpeg
from tts_pipeline.export.folder import MARKER, STAGING, OutputFolder
from tts_pipeline.export.tags import write_chapters
from tts_pipeline.export.manifest import Manifest
from tts_pipeline.export.transcripts import Cue, lrc, marked, pinyin_line, srt, vtt
from tts_pipeline.model import Token

RATE = 24000


@pytest.fixture
def chapter_wav(tmp_path):
    audio = np.zeros(RATE * 3, dtype=np.float32)
    # Three chirps: the cuts must land exactly on them.
    t = np.arange(2400) / RATE
    burst = 0.4 * np.sin(2 * np.pi * (300 + 20000 * t) * t) * np.hanning(2400)
    for start in (RATE // 2, RATE + 1234, 2 * RATE + 77):
        audio[start : start + 2400] = burst
    path = tmp_path / "chapter.wav"
    soundfile.write(path, audio, RATE, subtype="PCM_16")
    return path, soundfile.read(path, dtype="float32")[0]


@pytest.mark.parametrize("fmt", ["mp3", "ogg", "flac", "wav"])
def test_sentence_cuts_are_exact_in_every_format(tmp_path, chapter_wav, fmt):
    source, audio = chapter_wav
    codec = ffmpeg.file_codec(fmt)
    cuts = [(RATE // 2, RATE // 2 + 2400, tmp_path / f"a.{codec.extension}"),
            (RATE + 1234, RATE + 1234 + 2400, tmp_path / f"b.{codec.extension}"),
            (2 * RATE + 77, 2 * RATE + 77 + 2400, tmp_path / f"c.{codec.extension}")]
    ffmpeg.encode_sentences(source, cuts, codec, "64k")
    for start, end, path in cuts:
        decoded, rate = decode(path)
        assert rate == RATE
        assert len(decoded) == end - start
        expected = audio[start:end]
        if fmt in ("flac", "wav"):
            assert np.allclose(decoded, expected, atol=1e-4)
        else:  # lossy: the burst must still be where it was, not shifted
            lags = np.arange(-100, 101)
            score = [np.dot(np.roll(decoded, lag), expected) for lag in lags]
            assert lags[int(np.argmax(score))] == 0
            assert np.corrcoef(decoded, expected)[0, 1] > 0.95


def test_sentence_batches_over_the_batch_size(tmp_path, chapter_wav, monkeypatch):
    source, _ = chapter_wav
    monkeypatch.setattr(ffmpeg, "BATCH", 2)
    cuts = [(i * 1000, i * 1000 + 500, tmp_path / f"s{i}.wav") for i in range(5)]
    ffmpeg.encode_sentences(source, cuts, ffmpeg.file_codec("wav"), "64k")
    assert [soundfile.info(p).frames for _, _, p in cuts] == [500] * 5


def test_stream_encoder_keeps_every_sample(tmp_path):
    encoder = ffmpeg.StreamEncoder(tmp_path / "book.mp3", RATE, ffmpeg.CODECS["mp3"], "64k")
    total = 0
    for n in (1000, 24000, 333):
        encoder.write(np.zeros(n, dtype="<i2").tobytes())
        total += n
    encoder.close()
    decoded, _ = decode(tmp_path / "book.mp3")
    assert len(decoded) == total


def test_ffmpeg_failure_is_one_line(tmp_path):
    with pytest.raises(OutputError) as caught:
        ffmpeg.encode_file(tmp_path / "missing.wav", tmp_path / "x.mp3", ffmpeg.CODECS["mp3"], "64k")
    assert "\n" not in str(caught.value) and "x.mp3" in str(caught.value)


def test_id3_chapters_are_written_with_titles_and_times(tmp_path, chapter_wav):
    source, _ = chapter_wav
    book = tmp_path / "book.mp3"
    ffmpeg.encode_file(source, book, ffmpeg.CODECS["mp3"], "64k")
    write_chapters(book, "书名", [(0, 1000, "第一章"), (1000, 3000, "第二章")], "tts-pipeline test")
    tags = ID3(book)
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == ["chp1", "chp2"]
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (0, 1000, "第一章"), (1000, 3000, "第二章")]
    assert str(tags["TIT2"]) == "书名"
    assert len(decode(book)[0]) == 3 * RATE  # tagging left the audio alone


def test_m4b_has_chapters(tmp_path, chapter_wav):
    source, _ = chapter_wav
    audio = tmp_path / "book.m4a"
    ffmpeg.encode_file(source, audio, ffmpeg.CODECS["m4a"], "64k")
    target = tmp_path / "book.m4b"
    ffmpeg.write_m4b(audio, target, [(0, RATE, "一"), (RATE, 3 * RATE, "二; =#")], "书", RATE)
    probe = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-i", str(target)], capture_output=True, text=True).stderr
    assert "Chapter #0:0: start 0.000000, end 1.000000" in probe
    assert "Chapter #0:1: start 1.000000, end 3.000000" in probe
    assert "二; =#" in probe
    assert MP4(target).info.length == pytest.approx(3.0, abs=0.05)


def T(text, pinyin, word_start=True):
    return Token(text, pinyin, "lexicon" if pinyin else "none", 0, text, word_start)


def test_pinyin_line_marks_tones_joins_words_and_keeps_punctuation():
    tokens = [T("“", None), T("重", "chong2"), T("庆", "qing4", False), T("西", "xi1"), T("安", "an1", False),
              T("，", None), T("绿", "lv4"), T("的", "de5"), T("”", None), T("。", None)]
    assert pinyin_line(tokens) == '"Chóngqìng xī\'ān, lǜ de".'
    assert marked("lve4 nv3") == "lüènǚ"


def test_transcript_formats():
    cues = [Cue("s0001", 0.3, 2.5, "你好。", "Nǐ hǎo."), Cue("s0002", 62.05, 3725.5, "再见。", "Zàijiàn.")]
    text = srt(cues, "t")
    assert text.startswith("1\n00:00:00,300 --> 00:00:02,500\n你好。\nNǐ hǎo.\n")
    assert "2\n00:01:02,050 --> 01:02:05,500\n再见。\nZàijiàn.\n" in text
    web = vtt(cues, "t")
    assert web.startswith("WEBVTT") and "s0002\n00:01:02.050 --> 01:02:05.500\n" in web
    lines = lrc(cues, "t").splitlines()
    assert lines[:3] == ["[ti:t]", "[00:00.30]你好。", "[00:00.30]Nǐ hǎo."]
    assert lines[3] == "[01:02.05]再见。"


def test_output_folder_refuses_a_file(tmp_path):
    target = tmp_path / "out"
    target.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        OutputFolder(target).prepare()


def test_output_folder_refuses_foreign_files_unless_forced(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "thesis.docx").write_text("precious")
    with pytest.raises(OutputError, match="did not write.*--force"):
        OutputFolder(target).prepare()
    folder = OutputFolder(target, force=True)
    staging = folder.prepare()
    (staging / "book.mp3").write_text("new")
    folder.commit()
    assert (target / "thesis.docx").read_text() == "precious"
    assert (target / MARKER).exists()
    OutputFolder(target).prepare()  # ours now: no --force needed


def test_force_never_overwrites_a_file_it_did_not_write(tmp_path):
    target = tmp_path / "out"
    (target / "chapters").mkdir(parents=True)
    (target / "chapters" / "my-notes.txt").write_text("precious")
    folder = OutputFolder(target, force=True)
    staging = folder.prepare()
    (staging / "chapters").mkdir()
    (staging / "manifest.json").write_text("{}")
    with pytest.raises(OutputError, match="chapters exists and was not written by tts-pipeline"):
        folder.commit()
    assert (target / "chapters" / "my-notes.txt").read_text() == "precious"
    assert not (target / "manifest.json").exists()


def test_output_folder_parent_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file|part of its path"):
        OutputFolder(tmp_path / "file" / "out").prepare()


def test_commit_replaces_and_drops_stale_entries_abort_keeps_old(tmp_path):
    target = tmp_path / "out"
    folder = OutputFolder(target)
    staging = folder.prepare()
    (staging / "book.m4b").write_text("old m4b")
    (staging / "manifest.json").write_text("old")
    folder.commit()
    staging = folder.prepare()
    (staging / "manifest.json").write_text("new")
    folder.abort()
    assert (target / "manifest.json").read_text() == "old" and not (target / STAGING).exists()
    staging = folder.prepare()
    (staging / "manifest.json").write_text("new")
    folder.commit()
    assert (target / "manifest.json").read_text() == "new"
    assert not (target / "book.m4b").exists()  # written by the old build, not by this one
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "manifest.json"]


def test_nothing_is_written_outside_the_folder(tmp_path):
    folder = OutputFolder(tmp_path / "out")
    folder.prepare()
    with pytest.raises(OutputError, match="outside"):
        folder.inside("../escape.mp3")
    assert folder.inside("chapters/01-x.mp3").parent.name == "chapters"


def test_manifest_round_trips(tmp_path):
    data = {
        "format": "tts-pipeline/1", "title": "t", "source": "a.txt", "created_by": "tts-pipeline 0.1.0",
        "engine": {"name": "neural", "settings": {"speed": 1.0}, "fallback": None}, "sample_rate": 24000,
        "duration": 3.5, "files": {"book": "book.mp3", "book_m4b": None, "lrc": "transcript.lrc",
                                   "srt": "transcript.srt", "vtt": "transcript.vtt", "player": "index.html",
                                       "chapters": "chapters.json", "anki": None},
        "chapters": [{"index": 1, "title": "c", "file": "chapters/01-c.mp3", "start": 0.0, "end": 3.5,
                      "source": "a.txt", "loudness": -16.0, "true_peak": -2.0}],
        "sentences": [{"id": "s0001", "index": 0, "chapter": 1, "paragraph": 0, "text": "好。", "pinyin": "Hǎo.",
                       "tokens": [{"text": "好", "pinyin": "hao3", "source": "lexicon", "start": 0.05, "end": 0.6,
                                   "book_start": 0.35, "book_end": 0.9},
                                  {"text": "。", "pinyin": None, "source": "none"}], "engine": "neural",
                       "file": "sentences/s0001.mp3", "start": 0.3, "end": 1.0, "book_start": 0.3, "book_end": 1.0,
                       "sent": None, "speaker": "A", "vocabulary": {"word": "好", "pinyin": "hǎo", "syllables": "hao3",
                                                                   "pos": "adj.", "gloss": "good"}}],
        "warnings": [], "sources": ["a.txt"], "pauses": {"sentence": 0.45}, "shadowing": None, "publishing": None,
    }
    manifest = Manifest.from_dict(data)
    assert manifest.sentences[0].tokens[0].pinyin == "hao3"
    assert json.loads(manifest.to_json()) == data
    path = tmp_path / "manifest.json"
    path.write_text(manifest.to_json(), encoding="utf-8")
    assert Manifest.read(path) == manifest


def test_mp3_files_keep_the_level_of_the_pcm(tmp_path):
    """LAME scales its input by 0.95; every MP3 path must undo that, or chapters land 0.45 LU low."""
    t = np.arange(RATE * 2) / RATE
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    source = tmp_path / "tone.wav"
    soundfile.write(source, tone, RATE, subtype="PCM_16")
    codec = ffmpeg.CODECS["mp3"]
    ffmpeg.encode_file(source, tmp_path / "file.mp3", codec, "64k")
    ffmpeg.encode_sentences(source, [(0, RATE, tmp_path / "cut.mp3"), (RATE, 2 * RATE, tmp_path / "cut2.mp3")], codec, "64k")
    stream = ffmpeg.StreamEncoder(tmp_path / "stream.mp3", RATE, codec, "64k")
    stream.write((tone * 32767).astype("<i2").tobytes())
    stream.close()

    def rms(x):
        return np.sqrt(np.mean(x[RATE // 4 : -RATE // 4] ** 2))

    for name in ("file.mp3", "cut.mp3", "cut2.mp3", "stream.mp3"):
        decoded, _ = decode(tmp_path / name)
        assert 20 * np.log10(rms(decoded) / rms(tone[: len(decoded)])) == pytest.approx(0.0, abs=0.1), name


def test_the_manifest_dict_is_what_dataclasses_asdict_gives_with_the_documented_omissions():
    """`Manifest.to_dict` builds its dicts field by field (asdict was most of the manifest's cost); it must give
    exactly what asdict gives, types and key order included, with tokens' unset times and engine left out and a
    chapter's non-finite loudness as None."""
    import dataclasses
    import math

    from tts_pipeline.export.manifest import (ChapterEntry, EngineInfo, Files, SentenceEntry, TokenEntry,
                                              VocabularyItem, WarningEntry)

    tokens = (TokenEntry("好", "hao3", "lexicon", 0.05, 0.6, 0.35, 0.9, True),
              TokenEntry("OK", None, "english", 0.6, 0.9, 0.9, 1.2, engine="espeak:en"),
              TokenEntry("。", None, "none", start=0.0, end=0.0))
    sentence = SentenceEntry("s0001", 0, 1, 0, "好OK。", "Hǎo OK.", tokens, "neural", "sentences/s0001.mp3", 0.3, 1.2,
                             0.3, 1.2, sent="好", speaker="A", vocabulary=VocabularyItem("好", "hǎo", "hao3", "adj.", "good"))
    manifest = Manifest(
        title="t", source="a.txt", created_by="tts-pipeline", engine=EngineInfo("neural", {"speed": 1.0, "x": [1, 2]}),
        sample_rate=24000, duration=1.5, files=Files("book.mp3", None, "l", "s", "v", "index.html"),
        chapters=(ChapterEntry(1, "c", "chapters/01.mp3", 0.0, 1.5, "a.txt", -math.inf, math.nan),
                  ChapterEntry(2, "d", "chapters/02.mp3", 1.5, 2.0, "a.txt", -16.0, None)),
        sentences=(sentence, dataclasses.replace(sentence, id="s0002", vocabulary=None, tokens=())),
        warnings=(WarningEntry("profile", "too loud", line=3),), sources=("a.txt",), pauses={"sentence": 0.45},
        shadowing={"drills": [{"file": "a.mp3"}]}, publishing={"profile": "acx", "measured": [{"rms": -20.0}]})

    reference = dataclasses.asdict(manifest)
    expected = {"format": reference.pop("format"), **reference}
    for entry in expected["sentences"]:
        entry["tokens"] = [{k: v for k, v in token.items()
                            if k not in ("start", "end", "book_start", "book_end", "estimated", "engine")
                            or (v is not None and v is not False)} for token in entry["tokens"]]
    for chapter in expected["chapters"]:
        chapter["loudness"] = chapter["true_peak"] = None if chapter["index"] == 1 else chapter["loudness"]
    expected["chapters"][1]["loudness"], expected["chapters"][1]["true_peak"] = -16.0, None
    made = manifest.to_dict()
    assert repr(made) == repr(expected)  # the same types (tuples stay tuples) and key order
    assert made["sentences"][0]["tokens"][2] == {"text": "。", "pinyin": None, "source": "none", "start": 0.0,
                                                  "end": 0.0}
    made["engine"]["settings"]["x"].append(3)  # a copy, as asdict's
    assert manifest.engine.settings["x"] == [1, 2]
