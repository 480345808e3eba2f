"""The synthesis loop: order, streaming, cache use, fallback and worker processes."""
from __future__ import annotations

import io
import itertools
import os
import time

import numpy as np
import pytest

from tone_engine import pronunciation
from tts_pipeline.cache import ClipCache
from tts_pipeline.engines import VoiceSettings, engine_class
from tts_pipeline.errors import EngineError
from tts_pipeline.model import Pronunciation, Sentence, SourcePosition, Token
from tts_pipeline.progress import ChapterPlan, Progress, format_duration
from tts_pipeline.synthesize import engine_threads, synthesize_all

TEXTS = ["今天天气很好", "我们去公园", "他说好", "明天见", "再见了朋友们", "一二三"]


def prons(texts=TEXTS):
    return [pronunciation(i, t) for i, t in enumerate(texts)]


def run(items, **kwargs):
    kwargs.setdefault("engine", "test-tone")
    engine = kwargs.pop("engine")
    return list(synthesize_all(items, engine, VoiceSettings(), **kwargs))


def test_yields_every_sentence_in_input_order_with_its_own_clip():
    items = prons()
    results = run(items)
    assert [p.sentence.index for p, _ in results] == list(range(len(TEXTS)))
    # the test engine gives a lead-in plus one tone per character
    per_char = {(len(c.samples) - 320) / len(p.sentence.text) for p, c in results}
    assert per_char == {640}
    assert all(c.engine == "test-tone" and c.samples.dtype == np.float32 for _, c in results)
    assert not np.array_equal(results[1][1].samples, results[5][1].samples[: len(results[1][1].samples)])


def test_streams_without_reading_the_whole_input_first():
    consumed = []

    def source():
        for i in itertools.count():
            consumed.append(i)
            yield pronunciation(i, "你好")

    stream = synthesize_all(source(), "test-tone", VoiceSettings())
    first = [next(stream) for _ in range(3)]
    assert [p.sentence.index for p, _ in first] == [0, 1, 2]
    assert len(consumed) <= 4
    stream.close()


def test_second_run_reads_every_clip_from_the_cache_and_gives_the_same_samples(tmp_path):
    cache = ClipCache(tmp_path)
    cold = run(prons(), cache=cache)
    assert (cache.hits, cache.stores) == (0, len(TEXTS))
    warm_cache = ClipCache(tmp_path)
    warm = run(prons(), cache=warm_cache)
    assert (warm_cache.hits, warm_cache.stores) == (len(TEXTS), 0)
    for (_, a), (_, b) in zip(cold, warm):
        assert np.array_equal(a.samples, b.samples)
        assert a.sample_rate == b.sample_rate and a.engine == b.engine


def test_editing_one_sentence_synthesises_only_that_sentence(tmp_path):
    run(prons(), cache=ClipCache(tmp_path))
    edited = list(TEXTS)
    edited[2] = "他说不好"
    cache = ClipCache(tmp_path)
    results = run(prons(edited), cache=cache)
    assert (cache.hits, cache.stores) == (len(TEXTS) - 1, 1)
    assert results[2][0].sentence.text == "他说不好"


def test_a_changed_option_is_a_different_clip(tmp_path):
    run(prons(), cache=ClipCache(tmp_path))
    cache = ClipCache(tmp_path)
    list(synthesize_all(prons(), "test-tone", VoiceSettings(speed=0.8), cache=cache))
    assert cache.hits == 0


def test_clips_are_identical_with_and_without_a_cache(tmp_path):
    plain = run(prons())
    cached = run(prons(), cache=ClipCache(tmp_path))
    for (_, a), (_, b) in zip(plain, cached):
        assert np.array_equal(a.samples, b.samples)


def test_fallback_speaks_the_failing_sentence_and_says_so(tmp_path):
    texts = ["你好", "这很坏", "再见"]
    results = run(prons(texts), engine="test-picky", fallback="test-tone", cache=ClipCache(tmp_path))
    engines_used = [c.engine for _, c in results]
    assert engines_used == ["test-picky", "test-tone", "test-picky"]
    notices = results[1][1].notices
    assert [n.code for n in notices] == ["engine-fallback"]
    assert "s0002" in notices[0].message and "test-tone" in notices[0].message
    assert notices[0].sentence == 1
    assert not results[0][1].notices and not results[2][1].notices


def test_fallback_clip_is_cached_under_the_fallback_engine(tmp_path):
    texts = ["这很坏"]
    run(prons(texts), engine="test-picky", fallback="test-tone", cache=ClipCache(tmp_path))
    cache = ClipCache(tmp_path)
    (_, clip), = run(prons(texts), engine="test-picky", fallback="test-tone", cache=cache)
    assert cache.hits == 1 and clip.engine == "test-tone"
    assert [n.code for n in clip.notices] == ["engine-fallback"]


def test_without_fallback_an_engine_failure_names_the_sentence():
    with pytest.raises(EngineError, match=r"s0002"):
        run(prons(["你好", "这很坏"]), engine="test-picky")


def test_unknown_fallback_fails_before_any_work():
    with pytest.raises(EngineError, match="unknown engine 'nope'"):
        run(prons(), fallback="nope")


def test_jobs_must_be_positive():
    with pytest.raises(Exception, match="--jobs"):
        run(prons(), jobs=0)


def test_engines_run_on_one_thread_unless_asked_and_always_fit_the_cores():
    assert [engine_threads(None, jobs, cores=8) for jobs in (1, 2, 8)] == [1, 1, 1]
    assert engine_threads(4, 1, cores=8) == 4
    assert engine_threads(4, 2, cores=8) == 4
    assert engine_threads(4, 3, cores=8) == 2
    assert engine_threads(3, 4, cores=2) == 1


def test_the_engine_is_given_the_thread_count():
    (_, clip), = run(prons(TEXTS[:1]), engine="test-threads")
    assert clip.notices[0].message == "threads=1"
    (_, clip), = list(synthesize_all(prons(TEXTS[:1]), "test-threads", VoiceSettings(threads=2)))
    assert clip.notices[0].message == "threads=2"


def test_two_workers_give_exactly_what_one_process_gives(tmp_path):
    texts = [f"第{i}句话说的很长很长" * (1 + i % 3) for i in range(9)] + ["这很坏"]
    one = run(prons(texts), engine="test-picky", fallback="test-tone")
    cache = ClipCache(tmp_path)
    two = run(prons(texts), engine="test-picky", fallback="test-tone", jobs=2, cache=cache)
    assert [p.sentence.index for p, _ in two] == list(range(len(texts)))
    for (_, a), (_, b) in zip(one, two):
        assert np.array_equal(a.samples, b.samples)
        assert a.engine == b.engine and [n.code for n in a.notices] == [n.code for n in b.notices]
    assert cache.stores == len(texts)


def test_progress_is_told_about_each_sentence_and_whether_it_was_cached(tmp_path):
    class Recorder:
        def __init__(self):
            self.calls = []

        def sentence_done(self, pron, clip, cached):
            self.calls.append((pron.sentence.index, cached))

    run(prons(TEXTS[:2]), cache=ClipCache(tmp_path))
    recorder = Recorder()
    run(prons(TEXTS[:3]), cache=ClipCache(tmp_path), progress=recorder)
    assert recorder.calls == [(0, True), (1, True), (2, False)]


# -- progress -----------------------------------------------------------------




class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def feed(progress, clock, texts, cached, step=1.0):
    for i, text in enumerate(texts):
        clock.now += step
        pron = pronunciation(i, text)
        clip = run([pron])[0][1]
        progress.sentence_done(pron, clip, cached[i])


def test_progress_prints_one_line_per_chapter_when_not_a_terminal():
    out, clock = io.StringIO(), FakeClock()
    plans = [ChapterPlan("第一章", 2, 5), ChapterPlan("第二章", 1, 3)]
    progress = Progress(plans, stream=out, interactive=False, clock=clock)
    feed(progress, clock, ["你好", "我们去", "明天见"], [True, False, False])
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("chapter 1/2 第一章: 2 sentences") and "1 from the cache" in lines[0]
    assert lines[1].startswith("chapter 2/2 第二章: 1 sentence,") and "0 from the cache" in lines[1]
    summary = progress.finish(warnings=4)
    assert (summary.chapters, summary.sentences, summary.cache_hits, summary.synthesized, summary.warnings) == (2, 3, 1, 2, 4)
    assert summary.elapsed == pytest.approx(3.0)
    assert out.getvalue().splitlines()[-1].startswith("done: 2 chapters, 3 sentences")


def test_progress_bar_on_a_terminal_shows_counts_audio_and_eta():
    out, clock = io.StringIO(), FakeClock()
    progress = Progress([ChapterPlan("一", 4, 8)], stream=out, interactive=True, clock=clock)
    feed(progress, clock, ["你好", "你好"], [False, False], step=2.0)
    # two characters took two seconds each: four characters left take four seconds
    assert progress.eta() == pytest.approx(4.0)
    last = out.getvalue().split("\r")[-1]
    assert "2/4 sentences" in last and "ETA 4.0s" in last and "audio" in last
    assert "chapter" not in out.getvalue()


def test_quiet_progress_prints_nothing_but_still_counts():
    out, clock = io.StringIO(), FakeClock()
    progress = Progress([ChapterPlan("一", 1, 2)], stream=out, quiet=True, interactive=True, clock=clock)
    feed(progress, clock, ["你好"], [True])
    progress.note("encoding")
    assert progress.finish().cache_hits == 1
    assert out.getvalue() == ""


def test_format_duration():
    assert [format_duration(s) for s in (1.23, 59.94, 185, 3723)] == ["1.2s", "59.9s", "3m05s", "1h02m03s"]


# -- worker processes ----------------------------------------------------------




def child_pids():
    me = str(os.getpid())
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[1] == me and fields[0] != "Z":
                found.append(int(entry))
    return found


def test_a_worker_that_dies_is_reported_with_the_sentence_or_falls_back():
    texts = ["你好", "地崩了", "再见"]
    with pytest.raises(EngineError, match="worker process exited with code 9"):
        run(prons(texts), engine="test-crash", jobs=2)
    results = run(prons(texts), engine="test-crash", fallback="test-tone", jobs=2)
    assert [c.engine for _, c in results][1] == "test-tone"
    assert results[0][1].engine == "test-crash"


def test_stopping_early_leaves_no_worker_running():
    before = set(child_pids())
    stream = synthesize_all(prons(TEXTS * 3), "test-tone", VoiceSettings(), jobs=2)
    next(stream)
    assert set(child_pids()) - before, "workers should be running mid-stream"
    stream.close()
    deadline = time.monotonic() + 10
    while set(child_pids()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(child_pids()) - before


def _neural_or_skip():
    availability = engine_class("neural").availability()
    if not availability.usable:
        pytest.skip(f"neural engine unusable here: {availability.reason}")


def spoken(index, text, pinyin):
    """A pronounced sentence with the readings given, punctuation unspoken."""
    syllables = iter(pinyin.split())
    tokens = tuple(
        Token(ch, None if ch in "，。" else next(syllables), "none" if ch in "，。" else "lexicon", i, ch)
        for i, ch in enumerate(text)
    )
    return Pronunciation(Sentence(index, text, (), (), SourcePosition("t.txt", index + 1, 1)), tokens)


def test_neural_voice_with_two_workers_equals_one_process(tmp_path):
    _neural_or_skip()
    items = [spoken(0, "你好，我们去公园。", "ni3 hao3 wo3 men5 qu4 gong1 yuan2"),
             spoken(1, "今天天气很好。", "jin1 tian1 tian1 qi4 hen3 hao3")]
    one = list(synthesize_all(items, "neural", VoiceSettings()))
    cache = ClipCache(tmp_path)
    two = list(synthesize_all(items, "neural", VoiceSettings(), jobs=2, cache=cache))
    assert cache.stores == 2
    for (_, a), (_, b) in zip(one, two):
        assert a.duration > 0.5 and np.abs(a.samples).max() > 0.05  # real speech, not silence
        assert np.array_equal(a.samples, b.samples)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_engine_that_cannot_give_a_cache_key_hands_the_sentence_to_the_fallback(tmp_path, jobs):
    texts = ["你好", "这很坏", "再见"]
    results = run(prons(texts), engine="test-keyless", fallback="test-tone", cache=ClipCache(tmp_path), jobs=jobs)
    assert [c.engine for _, c in results] == ["test-keyless", "test-tone", "test-keyless"]
    (notice,) = results[1][1].notices
    assert notice.code == "engine-fallback" and "ValueError: no key for 坏" in notice.message
    with pytest.raises(EngineError, match=r"s0002.*ValueError: no key for 坏"):
        run(prons(texts), engine="test-keyless", cache=ClipCache(tmp_path), jobs=jobs)
