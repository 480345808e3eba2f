"""The one silence rule (tts_pipeline/silence.py): where a clip's sound begins and ends, for every trim."""
from __future__ import annotations

import numpy as np
import pytest

from tts_pipeline.model import Clip
from tts_pipeline.options import PausePlan
from tts_pipeline.silence import SILENCE, SoundSpan, sound_span, speech_bounds
from tts_pipeline.stitch import prepared_sentence
from tts_pipeline.timing import Timing

RATE = 24000


def speech(seconds: float = 0.5, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * 220 * t)


def padded(lead: float, tail: float, noise_db: float | None = None, seed: int = 0) -> np.ndarray:
    x = np.concatenate([np.zeros(int(lead * RATE)), speech(), np.zeros(int(tail * RATE))])
    if noise_db is not None:
        x = x + np.random.default_rng(seed).normal(0, 10 ** (noise_db / 20), len(x))
    return x


def test_silence_is_cut_down_to_what_is_kept_in_whole_frames():
    x = padded(0.3, 0.4)
    assert sound_span(x, RATE) == (int(0.3 * RATE), int(0.8 * RATE))
    assert speech_bounds(x, RATE, 0.05) == (int(0.25 * RATE), int(0.85 * RATE))
    assert speech_bounds(x, RATE, 0.0) == (int(0.3 * RATE), int(0.8 * RATE))


def test_sound_at_the_very_edges_is_kept_whole_and_a_silent_clip_keeps_nothing():
    x = speech(0.123)  # not a whole number of frames: the last partial frame counts
    assert speech_bounds(x, RATE, 0.05) == (0, len(x))
    assert speech_bounds(np.zeros(RATE), RATE, 0.05) == (0, 0)
    assert speech_bounds(np.zeros(0), RATE, 0.05) == (0, 0)


@pytest.mark.parametrize("noise_db", [-60.0, -56.0])
def test_a_room_tone_under_the_silence_level_is_trimmed_as_silence(noise_db):
    # Samples of a -60 dBFS RMS noise rise above -50 dBFS many times a second: a rule on single samples kept
    # the whole room tone; frames of RMS cut within a frame of where they cut the clean clip.
    x = padded(0.3, 0.4, noise_db)
    assert np.sum(np.abs(x[: int(0.3 * RATE)]) > SILENCE) > 0
    start, end = speech_bounds(x, RATE, 0.05)
    assert abs(start - int(0.25 * RATE)) <= RATE // 100
    assert abs(end - int(0.85 * RATE)) <= RATE // 100


def test_an_isolated_spike_does_not_hold_the_trim_open():
    x = padded(0.5, 0.5)
    x[int(0.05 * RATE)] = 0.03  # one sample at -30 dBFS, far ahead of the speech (a tick louder than -30 is ticks.py's)
    assert speech_bounds(x, RATE, 0.05)[0] == int(0.45 * RATE)


def test_a_quiet_but_sounding_frame_is_sound():
    x = np.concatenate([np.zeros(RATE // 2), np.full(RATE // 100, 1.2 * SILENCE), np.zeros(RATE // 2)])
    assert sound_span(x, RATE) == (RATE // 2, RATE // 2 + RATE // 100)
    assert sound_span(x * 0.8, RATE) is None  # RMS under -50 dBFS


@pytest.mark.parametrize("block", [1, 97, 240, 1000, 10**6])
def test_streamed_blocks_find_the_same_span_as_the_whole(block):
    x = padded(0.317, 0.291, -65.0, seed=3)
    span = SoundSpan(RATE)
    for at in range(0, len(x), block):
        span.feed(x[at : at + block])
    span.close()
    assert (span.first, span.end) == sound_span(x, RATE)


def test_the_stitcher_trims_with_the_rule_and_moves_token_times_with_the_cut():
    x = padded(0.3, 0.4, -60.0).astype(np.float32)
    timing = Timing(RATE, (0, 1), (int(0.3 * RATE), int(0.55 * RATE)), (int(0.55 * RATE), int(0.8 * RATE)))
    plan = PausePlan(keep=0.05, fade=0.0)
    audio, moved = prepared_sentence(Clip(x, RATE, "test", timing=timing), RATE, plan)
    start, end = speech_bounds(x, RATE, plan.keep)
    assert len(audio) == end - start == int(0.6 * RATE)
    assert moved.starts == (int(0.05 * RATE), int(0.3 * RATE))
    assert moved.ends == (int(0.3 * RATE), int(0.55 * RATE))
