"""MP3 chapters joined from their sentence files: pauses near the plan, sentences exact inside their chapter."""
from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

import buildkit
import tts_pipeline
from buildkit import decode
from tts_pipeline.export.chapterjoin import join_chapter, silence_files
from tts_pipeline.export.mp3frames import read_info
from tts_pipeline.stitch import PausePlan


ARTICLE = """# 第一章 相遇

你好。我是王老师。今天天气很好。

我们去公园吧！好的。

# 第二章 重庆

重庆很大。谢谢大家。
"""
RATE = 24000


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("joined")
    source = root / "a.md"
    source.write_text(ARTICLE, encoding="utf-8")
    plan = PausePlan(sentence=0.45, paragraph=0.9, lead=0.3, chapter=2.0)
    manifest = tts_pipeline.build(source, output=root / "out", engine="tone-test", player=False, pauses=plan)
    return manifest, root / "out", plan


def test_pauses_land_within_half_a_frame_of_the_plan(built):
    manifest, out, plan = built
    frame = 576 / RATE
    for chapter in manifest.chapters:
        sentences = [s for s in manifest.sentences if s.chapter == chapter.index]
        assert abs(sentences[0].start - plan.lead) <= frame / 2 + 0.001
        for before, after in zip(sentences, sentences[1:]):
            wanted = plan.paragraph if after.paragraph != before.paragraph else plan.sentence
            assert abs((after.start - before.end) - wanted) <= frame / 2 + 0.001, (before.id, after.id)
        closing = plan.chapter if chapter.index < len(manifest.chapters) else plan.paragraph
        assert abs((chapter.end - chapter.start - sentences[-1].end) - closing) <= frame / 2 + 0.001


def test_each_sentence_file_is_its_stretch_of_the_chapter_sample_for_sample(built):
    manifest, out, _ = built
    for chapter in manifest.chapters:
        audio, rate = decode(out / chapter.file)
        assert len(audio) == round((chapter.end - chapter.start) * rate)
        previous_end = 0
        for sentence in (s for s in manifest.sentences if s.chapter == chapter.index):
            clip, _ = decode(out / sentence.file)
            assert abs(len(clip) / rate - (sentence.end - sentence.start)) <= 0.0011
            near = round(sentence.start * rate)  # times are rounded to the millisecond
            start = min(range(near - 13, near + 14), key=lambda s: np.abs(audio[s:s + len(clip)] - clip).max())
            # libsndfile's decoder differs in float rounding only (ffmpeg's is bit-identical): far under one 16-bit step
            assert np.abs(audio[start:start + len(clip)] - clip).max() < 2**-16
            assert not np.any(audio[previous_end:start])  # the pause before it is digital silence
            previous_end = start + len(clip)


def test_levelled_sentences_make_a_chapter_at_the_target(built):
    manifest, out, _ = built
    for chapter in manifest.chapters:
        audio, rate = decode(out / chapter.file)
        measured = pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64))
        assert measured == pytest.approx(-16, abs=0.5)
        assert chapter.loudness == pytest.approx(measured, abs=0.3)


def test_silence_files_have_the_frames_asked_for_and_are_made_once(tmp_path):
    made = silence_files({3, 4, 17}, RATE, "64k", tmp_path)
    assert {count: read_info(path).frames for count, path in made.items()} == {3: 3, 4: 4, 17: 17}
    for path in made.values():
        assert not np.any(decode(path)[0])
    stamp = made[17].stat().st_mtime_ns
    again = silence_files({17, 5}, RATE, "64k", tmp_path)
    assert again[17].stat().st_mtime_ns == stamp and read_info(again[5]).frames == 5


def test_a_pause_shorter_than_the_join_padding_comes_out_as_the_padding(tmp_path):
    tone = buildkit.tone_clip(0.5, RATE, pad=0.0).samples
    wav = tmp_path / "tone.wav"
    import soundfile

    soundfile.write(wav, tone, RATE, subtype="PCM_16")
    from tts_pipeline.export import ffmpeg

    ffmpeg.encode_file(wav, tmp_path / "a.mp3", ffmpeg.CODECS["mp3"], "64k")
    joined = join_chapter([tmp_path / "a.mp3", tmp_path / "a.mp3"], [0.0, 0.0], 0.0, tmp_path / "c.mp3", RATE, "64k",
                          tmp_path / "silence")
    first, second = joined.sentences
    assert first.start == 0 and 0.047 <= (second.start - first.start - first.samples) / RATE <= 0.073
    assert joined.length == second.start + second.samples
