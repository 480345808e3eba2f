"""Stitching: formats, pauses, fades, loudness and the timeline, with tone-burst clips."""
from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soundfile
from scipy import signal

from buildkit import tone_clip
from tts_pipeline.loudness import LoudnessMeter, limit, true_peak
from tts_pipeline.model import Clip
from tts_pipeline.stitch import ChapterAssembler, PausePlan, clip_samples, level, pooled_loudness, sentence_audio

RATE = 24000


def assemble(tmp_path, clips, paragraphs=None, plan=PausePlan(), tail=1.0, rate=RATE):
    assembler = ChapterAssembler(1, "one", rate, plan, tmp_path / "scratch.f32")
    for i, clip in enumerate(clips):
        assembler.add(clip, i, paragraphs[i] if paragraphs else 0)
    wav = tmp_path / "chapter.wav"
    received = []
    timing = assembler.finish(tail, wav, book_start=1000, sinks=[received.append])
    audio, rate_read = soundfile.read(wav)
    assert rate_read == rate
    return timing, audio, b"".join(received)


def dominant_frequency(samples, rate):
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)]


@pytest.mark.parametrize("rate,channels", [(22050, 1), (16000, 2), (48000, 1), (24000, 2)])
def test_clips_of_other_formats_become_the_books(rate, channels):
    clip = tone_clip(1.0, rate, frequency=440, pad=0.0, channels=channels)
    out = clip_samples(clip, RATE)
    assert out.ndim == 1 and out.dtype == np.float32
    assert abs(len(out) / RATE - clip.duration) < 0.001
    assert abs(dominant_frequency(out, RATE) - 440) < 3
    assert np.max(np.abs(out)) == pytest.approx(0.3, abs=0.02)


def test_int16_clip_is_scaled_not_clipped():
    clip = tone_clip(0.5, RATE, amplitude=0.5, pad=0.0)
    as_int = Clip((clip.samples * 32767).astype(np.int16), RATE, "x")
    assert np.max(np.abs(clip_samples(as_int, RATE))) == pytest.approx(0.5, abs=0.01)


def test_pauses_follow_the_plan_exactly(tmp_path):
    plan = PausePlan(sentence=0.4, paragraph=1.1, lead=0.25, keep=0.05)
    # 0.3 s of silence at each end: trimming leaves `keep` of it.
    body = np.concatenate([np.zeros(int(0.3 * RATE)), np.full(RATE // 2, 0.3), np.zeros(int(0.3 * RATE))])
    clips = [Clip(body.astype(np.float32), RATE, "x") for _ in range(3)]
    timing, audio, _ = assemble(tmp_path, clips, paragraphs=[0, 0, 1], plan=plan, tail=0.7)
    s = timing.sentences
    lead, keep = int(0.25 * RATE), int(0.05 * RATE)
    assert s[0].start == lead
    assert s[1].start - s[0].end == int(0.4 * RATE)
    assert s[2].start - s[1].end == int(1.1 * RATE)
    assert timing.length == s[2].end + int(0.7 * RATE) == len(audio)
    for span in s:
        assert span.end - span.start == int(0.5 * RATE) + 2 * keep
    assert timing.start == 1000 and timing.end == 1000 + len(audio)
    assert [x.paragraph for x in s] == [0, 0, 1]


def test_sinks_receive_exactly_the_written_pcm(tmp_path):
    timing, audio, received = assemble(tmp_path, [tone_clip(0.4, RATE) for _ in range(2)])
    pcm = np.frombuffer(received, dtype="<i2")
    assert len(pcm) == timing.length
    assert np.array_equal(pcm, np.round(audio * 32768).astype(np.int16))


def test_abrupt_clip_edges_are_faded_and_silent_ones_left_alone():
    plan = PausePlan(fade=0.01)
    abrupt = tone_clip(0.5, RATE, amplitude=0.5, pad=0.0)  # starts at phase 0 but rises at once
    square = Clip(np.full(RATE // 2, 0.5, dtype=np.float32), RATE, "x")  # loud from the first sample
    faded = sentence_audio(square, RATE, plan)
    assert abs(faded[0]) < 0.01 and abs(faded[-1]) < 0.01
    assert np.max(np.abs(faded[len(faded) // 2 - 10 : len(faded) // 2 + 10])) == pytest.approx(0.5, abs=0.01)
    ramp = faded[: int(0.01 * RATE)]
    assert np.all(np.diff(np.abs(ramp)) >= -1e-4)  # rises, no click
    quiet_edges = tone_clip(0.5, RATE, amplitude=0.5, pad=0.2)
    kept = sentence_audio(quiet_edges, RATE, plan)
    middle = clip_samples(quiet_edges, RATE)
    assert np.max(np.abs(kept)) == pytest.approx(np.max(np.abs(middle)), abs=1e-3)
    assert len(sentence_audio(abrupt, RATE, plan)) == len(abrupt.samples)


def test_joins_have_no_clicks(tmp_path):
    square = Clip(np.full(RATE // 2, 0.6, dtype=np.float32), RATE, "x")
    timing, audio, _ = assemble(tmp_path, [square, square])
    for span in timing.sentences:
        for edge in (span.start, span.end - 1):
            window = audio[max(0, edge - 5) : edge + 6]
            assert np.max(np.abs(np.diff(window))) < 0.05


@pytest.mark.parametrize("amplitude", [0.02, 0.3, 0.95])
def test_chapter_is_normalised_to_minus_16_lufs_with_peaks_below_minus_1(tmp_path, amplitude):
    clips = [tone_clip(1.5, RATE, amplitude=amplitude, frequency=300 + 50 * i) for i in range(4)]
    timing, audio, _ = assemble(tmp_path, clips)
    measured = pyloudnorm.Meter(RATE).integrated_loudness(audio)
    assert abs(measured + 16) < 0.2
    assert abs(timing.loudness + 16) < 0.2
    peak = np.max(np.abs(signal.resample_poly(audio, 4, 1)))
    assert 20 * np.log10(peak) <= -1.0 + 0.05
    assert timing.true_peak <= -1.0


def test_every_sentence_is_levelled_on_its_own(tmp_path):
    """A sentence 12 dB quieter than its neighbour comes out as loud: a leveller, not one gain per chapter."""
    clips = [tone_clip(1.0, RATE, amplitude=0.05), tone_clip(1.0, RATE, amplitude=0.2), tone_clip(3.0, RATE, amplitude=0.1)]
    timing, audio, _ = assemble(tmp_path, clips)
    a, b, c = (audio[s.start : s.end] for s in timing.sentences)
    assert np.sqrt(np.mean(b**2) / np.mean(a**2)) == pytest.approx(1.0, rel=0.02)
    # each measured between pauses, as the chapter's meter hears it, lands on the target, so the chapter does too
    quiet = np.zeros(int(0.4 * RATE))
    for sentence in (a, b, c):
        assert pyloudnorm.Meter(RATE).integrated_loudness(np.concatenate([quiet, sentence, quiet])) == pytest.approx(-16, abs=0.1)
    assert timing.loudness == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(audio), abs=0.15)


def test_levelled_sentence_depends_on_its_clip_alone():
    clip = tone_clip(1.2, RATE, amplitude=0.3, frequency=330)
    first = level(sentence_audio(clip, RATE, PausePlan()), RATE)
    again = level(sentence_audio(clip, RATE, PausePlan(sentence=2.0, paragraph=3.0, lead=0.1)), RATE)
    assert np.array_equal(first.pcm, again.pcm) and first.pcm.dtype == np.int16
    assert first.gated[1] > 0 and pooled_loudness([first.gated, first.gated]) == pytest.approx(first.loudness, abs=1e-6)


def test_a_silent_or_near_silent_clip_is_not_blown_up():
    silent = level(np.zeros(RATE), RATE)
    assert not np.any(silent.pcm) and silent.gain == 0.0
    below_the_gate = level(np.random.default_rng(1).normal(0, 1e-5, RATE), RATE)  # under -70 LUFS: left as it is
    assert below_the_gate.gain == 0.0
    hiss = level(np.random.default_rng(1).normal(0, 1e-3, RATE), RATE)  # about -60 LUFS: raised 30 dB, no more
    assert hiss.gain == 30.0 and hiss.loudness < -25


def test_spiky_speech_is_limited_without_losing_loudness(tmp_path):
    rng = np.random.default_rng(3)
    clips = []
    for _ in range(3):
        base = tone_clip(2.0, RATE, amplitude=0.1).samples.copy()
        spikes = rng.choice(len(base), 20, replace=False)
        base[spikes] = 0.99  # crest factor far above what -16 LUFS at -1 dBTP allows
        clips.append(Clip(base, RATE, "x"))
    timing, audio, _ = assemble(tmp_path, clips)
    assert abs(pyloudnorm.Meter(RATE).integrated_loudness(audio) + 16) < 1.0
    assert 20 * np.log10(np.max(np.abs(signal.resample_poly(audio, 4, 1)))) <= -0.95


def test_streaming_meter_agrees_with_pyloudnorm():
    rng = np.random.default_rng(7)
    t = np.arange(RATE * 12) / RATE
    x = 0.2 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.3 * t) > 0) + rng.normal(0, 0.01, len(t))
    meter = LoudnessMeter(RATE)
    for piece in np.array_split(x, 37):  # odd piece sizes cross block boundaries
        meter.feed(piece)
    assert meter.integrated() == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(x), abs=0.05)


def test_meter_of_silence_is_minus_infinity():
    meter = LoudnessMeter(RATE)
    meter.feed(np.zeros(RATE * 2))
    assert meter.integrated() == float("-inf")


def test_true_peak_finds_the_peak_between_samples():
    t = np.arange(RATE) / RATE
    x = 0.5 * np.sin(2 * np.pi * 6000 * t + np.pi / 4)  # samples land at ±0.354, the wave peaks at 0.5
    assert np.max(np.abs(x)) == pytest.approx(0.354, abs=0.001)
    assert true_peak(x) == pytest.approx(0.5, abs=0.01)


def test_limiter_keeps_quiet_audio_untouched():
    x = tone_clip(0.5, RATE, amplitude=0.2).samples.astype(np.float64)
    assert np.array_equal(limit(x, 0.8, RATE), x)
    loud = x * 5
    limited = limit(loud, 0.8, RATE)
    assert true_peak(limited) <= 0.8 * 1.01


def test_pause_plan_rejects_nonsense():
    with pytest.raises(ValueError, match="sentence"):
        PausePlan(sentence=-1)
