"""Worker processes: what `--jobs auto` resolves to, and what each process of a parallel build loads."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from proctable import processes
from tone_engine import pronunciation
from tts_pipeline import engines
from tts_pipeline.cli import make_parser
from tts_pipeline.engines import Engine, VoiceSettings, register
from tts_pipeline.model import Clip, Notice, Pronunciation
from tts_pipeline.synthesize import synthesize_all
from tts_pipeline.backends.processes import MAIN_PROCESS_MB, MAX_AUTO_JOBS, WORKER_MB, WORKER_NICENESS, WorkerPool, auto_jobs

ROOT = Path(__file__).resolve().parent.parent
# What only the main process needs: the pronouncer and the stitching stack.
MAIN_ONLY = ("jieba", "pypinyin", "scipy", "pydub", "pyloudnorm", "tts_pipeline.pronunciation", "tts_pipeline.stitch")


@register
class ModulesEngine(Engine):
    """Says which main-process-only modules its process has imported, its niceness and its process id, as
    notices; takes 1.5 s over the sentence 慢 and next to nothing over others."""

    name = "test-modules"
    sample_rate = 16000

    def cache_key(self, pronunciation: Pronunciation) -> str:
        return pronunciation.sentence.text

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        time.sleep(1.5 if pronunciation.sentence.text == "慢" else 0.02)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in MAIN_ONLY or m.startswith(MAIN_ONLY))
        return Clip(np.zeros(160, np.float32), self.sample_rate, self.name,
                    (Notice(code="modules", message=",".join(loaded)), Notice(code="nice", message=str(os.nice(0))),
                     Notice(code="pid", message=str(os.getpid()))))


def test_auto_is_one_job_per_core_up_to_four():
    plenty = 64_000
    assert [auto_jobs(cores, plenty) for cores in (1, 2, 3, 4, 16)] == [1, 2, 3, 4, MAX_AUTO_JOBS]


def test_auto_starts_only_the_workers_that_memory_can_hold():
    two_workers = MAIN_PROCESS_MB + 2 * WORKER_MB
    assert auto_jobs(8, two_workers) == 2
    assert auto_jobs(8, two_workers - 1) == 1
    assert auto_jobs(8, 100) == 1  # never below one: the build then runs in this process


def test_auto_without_a_memory_reading_goes_by_the_cores():
    assert auto_jobs(3, None) == 3


def test_cli_jobs_defaults_to_auto_and_takes_a_count():
    parser = make_parser()
    assert parser.parse_args(["build", "a.txt"]).jobs == auto_jobs()
    assert parser.parse_args(["build", "a.txt", "--jobs", "auto"]).jobs == auto_jobs()
    assert parser.parse_args(["build", "a.txt", "--jobs", "3"]).jobs == 3


@pytest.mark.parametrize(("value", "message"), [("0", "must be 1 or more, or auto, not 0"),
                                                ("many", "expected a whole number or auto, not 'many'")])
def test_cli_refuses_a_bad_jobs_value_in_one_line(value, message, capsys):
    with pytest.raises(SystemExit):
        make_parser().parse_args(["build", "a.txt", "--jobs", value])
    err = capsys.readouterr().err
    assert f"argument --jobs: {message}" in err


@pytest.fixture(scope="module")
def worker_clip():
    """A clip spoken by a worker process of the test-modules engine: what that process loaded, and its niceness."""
    pool = WorkerPool(__name__, "test-modules", VoiceSettings(), 1)
    try:
        return pool.result(pool.submit(pronunciation(0, "你好")))
    finally:
        pool.close()


def test_a_worker_loads_neither_the_pronouncer_nor_the_stitching_stack(worker_clip):
    assert worker_clip.engine == "test-modules"
    assert worker_clip.notices[0].message == ""


def test_workers_yield_the_cores_to_the_process_that_levels_and_encodes(worker_clip):
    assert int(worker_clip.notices[1].message) == min(19, os.nice(0) + WORKER_NICENESS)


def test_a_worker_held_up_by_a_long_sentence_is_not_handed_the_ones_behind_it():
    pool = WorkerPool(__name__, "test-modules", VoiceSettings(), 2)
    try:
        pool.result(pool.submit(pronunciation(0, "快")))  # both workers are up
        pool.result(pool.submit(pronunciation(1, "快")))
        slow = pool.submit(pronunciation(2, "慢"))
        time.sleep(0.3)  # the slow one is being spoken
        fast = [pool.submit(pronunciation(3 + i, "快")) for i in range(8)]
        speakers = [pool.result(seq).notices[2].message for seq in fast]
        held_up = pool.result(slow).notices[2].message
    finally:
        pool.close()
    # one sentence may already wait behind the slow one; the rest go to the worker that is free
    assert speakers.count(held_up) <= 1


PROBE = """
import json, sys
from tts_pipeline.engines import VoiceSettings
from tts_pipeline.synthesize import synthesize_all
sys.path.insert(0, sys.argv[1])
from proctable import processes
from tone_engine import pronunciation
clips = [c for _, c in synthesize_all([pronunciation(0, "你好"), pronunciation(1, "再见")], "neural",
                                      VoiceSettings(), jobs=2)]
print(json.dumps({"seconds": [round(c.duration, 2) for c in clips],
                  "runtime": "ai_edge_litert.interpreter" in sys.modules}))
"""


def test_the_main_process_of_a_parallel_build_does_not_load_the_voice():
    availability = engines.engine_class("neural").availability()
    if not availability.usable:
        pytest.skip(f"the neural voice cannot run here: {availability.reason}")
    done = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "tests")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(seconds > 0.2 for seconds in found["seconds"])  # the workers spoke both
    assert found["runtime"] is False


def test_drained_workers_answer_what_they_hold_and_exit():
    pool = WorkerPool("tone_engine", "test-tone", VoiceSettings(), 2)
    try:
        texts = ["你好", "再见", "谢谢你", "明天见"]
        seqs = [pool.submit(pronunciation(i, text)) for i, text in enumerate(texts)]
        pool.drain()
        for worker in pool._workers:
            assert worker.process.wait(timeout=30) == 0
        clips = [pool.result(seq) for seq in seqs]
    finally:
        pool.close()
    assert [round(c.duration, 2) for c in clips] == [0.1, 0.1, 0.14, 0.14]  # a lead-in plus 40 ms per syllable


def _worker_children() -> list[int]:
    return [p.pid for p in processes()
            if p.parent == os.getpid() and p.state != "Z" and b"tts_pipeline.backends.processes" in p.command]


def test_workers_are_gone_once_the_last_clip_is_handed_over():
    """The build holds the stream open while it finishes the book; the workers' memory must not wait for that."""
    texts = ["今天天气很好", "我们去公园", "他说好", "明天见", "再见了朋友们", "一二三", "谢谢", "不客气"]
    stream = synthesize_all([pronunciation(i, t) for i, t in enumerate(texts)], "test-tone", VoiceSettings(), jobs=2)
    try:
        clips = [next(stream)[1] for _ in texts]
        deadline = time.monotonic() + 30
        while _worker_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _worker_children() == []
    finally:
        stream.close()
    assert len(clips) == len(texts)


class _SlowFlush:
    """A worker's stdin whose flush returns only after the worker has had time to answer."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        return self._stream.write(data)

    def flush(self):
        self._stream.flush()
        time.sleep(0.3)

    def close(self):
        self._stream.close()


def test_an_answer_that_comes_back_before_submit_returns_is_kept_when_the_workers_exit():
    pool = WorkerPool("tone_engine", "test-tone", VoiceSettings(), 1)
    try:
        first = pool.submit(pronunciation(0, "你好"))
        assert pool.result(first).duration > 0  # the worker is up before the slow pipe goes in
        worker = pool._workers[0]
        worker.process.stdin = _SlowFlush(worker.process.stdin)
        seq = pool.submit(pronunciation(1, "再见"))
        pool.drain()
        assert worker.process.wait(timeout=30) == 0
        pool._readers[0].join(timeout=30)  # the reader has seen the worker go
        assert round(pool.result(seq).duration, 2) == 0.1
    finally:
        pool.close()
