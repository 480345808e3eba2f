"""A sentence finished on its own (as a Ray actor finishes it) is the sentence a local build makes: the same
figures, and the same MP3 bytes as when it is cut from a batch of sentences encoded together."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tts_pipeline.export.chapterjoin import SentenceBatch
from tts_pipeline.export.sentencefile import Finishing, finish, finished_for, level_sentence
from tts_pipeline.model import Clip
from tts_pipeline.options import PausePlan
from tts_pipeline.profiles import profile

RATE = 24000


def spoken(seconds: float, pitch: float, loudness: float) -> Clip:
    """A clip shaped like speech: silence, a tone that swells and fades, silence."""
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = np.clip(np.sin(np.pi * t / seconds) * 1.5, 0, 1) ** 2
    tone = loudness * envelope * (np.sin(2 * np.pi * pitch * t) + 0.3 * np.sin(2 * np.pi * 3.1 * pitch * t))
    padded = np.concatenate([np.zeros(RATE // 5), tone, np.zeros(RATE // 5)])
    return Clip(np.round(padded * 32767).astype(np.float32) / 32767, RATE, "test")


def test_a_sentence_finished_alone_is_the_one_cut_from_a_batch(tmp_path):
    finishing = Finishing(RATE, PausePlan(), profile(None), "64k", encode=True)
    clips = [spoken(1.7, 180.0, 0.2), spoken(2.3, 240.0, 0.9), spoken(0.9, 130.0, 0.05)]
    batch = SentenceBatch(tmp_path / "batch.wav", RATE)
    local = []
    for number, clip in enumerate(clips):
        levelled, timing = level_sentence(clip, finishing)
        batch.add(levelled.pcm, tmp_path / f"{number}.mp3")
        local.append(levelled)
    batch.encode("64k")
    for number, (clip, levelled) in enumerate(zip(clips, local)):
        alone = finish(clip, finishing)
        assert alone.data == (tmp_path / f"{number}.mp3").read_bytes(), number
        assert alone.data.startswith((b"ID3", b"\xff")) and len(alone.data) > 1000  # an MP3, tagged or not
        assert (alone.levelled.loudness, alone.levelled.gated, alone.levelled.true_peak) == (
            levelled.loudness, levelled.gated, levelled.true_peak)
        assert len(alone.levelled.pcm) == 0  # the file holds the audio: the PCM is not sent back as well


def test_a_clip_is_taken_as_finished_only_when_finished_as_the_build_finishes():
    clip = spoken(1.0, 200.0, 0.3)
    mp3 = Finishing(RATE, PausePlan(), profile(None), "64k", encode=True)
    assert finished_for(clip, mp3) is None  # spoken here, or read from the cache
    made = finish(clip, Finishing(RATE, PausePlan(), profile(None), "64k", encode=False))
    assert made.data is None and len(made.levelled.pcm) > 0
    assert finished_for(replace(clip, finished=made), mp3) is None  # PCM only, where a file is needed
    assert finished_for(replace(clip, finished=made), made.finishing) is made
    other = replace(made.finishing, pauses=PausePlan(fade=0.02))
    assert finished_for(replace(clip, finished=made), other) is None  # other fades: finished again here


def test_the_clip_cache_keeps_the_file_an_actor_made_for_the_same_key_and_reads_it_back(tmp_path):
    from tts_pipeline.cache import ClipCache, clip_file

    clip = spoken(1.2, 220.0, 0.4)
    made = finish(clip, Finishing(RATE, PausePlan(), profile(None), "64k", encode=True))
    # the actor's file names its own engine, so that the test sees whose bytes the cache kept
    actors = clip_file("the key", replace(clip, engine="on-the-actor"))
    sent = replace(clip, finished=replace(made, stored=("the key", actors)))
    cache = ClipCache(tmp_path)
    assert cache.put("the key", sent).read_bytes() == actors
    # stored under another key than the actor's: the cache makes its own file, with its own key inside
    assert cache.put("another key", sent).read_bytes() == clip_file("another key", clip)
    for key, engine in (("the key", "on-the-actor"), ("another key", clip.engine)):
        back = cache.get(key)
        assert back is not None and back.engine == engine
        assert np.array_equal(back.samples, clip.samples)


def test_a_clip_sent_without_its_samples_keeps_its_length_and_its_files_and_refuses_to_be_heard(tmp_path):
    """A Ray actor sends a finished clip back without its samples (`Clip.spoken_only`): the driver needs only the
    length, the sentence file and the cache file; anything that would read the samples fails instead of silence."""
    from tts_pipeline.cache import ClipCache, clip_file
    from tts_pipeline.stitch import levelled_sentence

    clip = spoken(1.4, 210.0, 0.3)
    made = finish(clip, Finishing(RATE, PausePlan(), profile(None), "64k", encode=True))
    stored = clip_file("the key", clip)
    sent = replace(clip, finished=replace(made, stored=("the key", stored))).spoken_only()
    assert len(sent.samples) == 0 and sent.length == len(clip.samples)
    assert sent.duration == clip.duration
    assert np.array_equal(clip.audio(), clip.samples)
    assert ClipCache(tmp_path).put("the key", sent).read_bytes() == stored
    with pytest.raises(ValueError, match="left where it was spoken"):
        sent.audio()
    with pytest.raises(ValueError, match="left where it was spoken"):
        clip_file("another key", sent)
    with pytest.raises(ValueError, match="left where it was spoken"):
        levelled_sentence(sent, RATE, PausePlan())
