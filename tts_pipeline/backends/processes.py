"""Worker processes on this machine that each load a voice once and speak the sentences sent to them (`--jobs N`).

Each worker is a fresh `python -c` process talking pickles over its stdin and
stdout. This avoids what `multiprocessing` would bring here: re-running the
caller's main script in every worker, and workers that outlive a parent
killed with SIGKILL (a worker here exits as soon as its stdin closes).
"""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from typing import TYPE_CHECKING

from .. import cachelayout
from ..errors import EngineError
from ..machine import available_cores

if TYPE_CHECKING:  # numpy comes with these; the CLI imports this module to resolve --jobs auto
    from ..engines.base import VoiceSettings
    from ..model import Clip, Pronunciation

MAX_AUTO_JOBS = 4
# Measured peaks (benchmarks/pipeline.py, neural voice): the main process
# while pronouncing and stitching, and one worker holding the voice.
MAIN_PROCESS_MB = 400
WORKER_MB = 250
WORKER_NICENESS = 5


def auto_jobs(cores: int | None = None, available_mb: int | None = None) -> int:
    """What `--jobs auto` means here: one worker per usable core, at most
    MAX_AUTO_JOBS, and no more than the memory available now can hold."""
    cores = cores or available_cores()
    if available_mb is None:
        available_mb = _available_mb()
    jobs = min(cores, MAX_AUTO_JOBS)
    if available_mb is not None:
        jobs = min(jobs, (available_mb - MAIN_PROCESS_MB) // WORKER_MB)
    return max(1, jobs)


def _available_mb() -> int | None:
    """MemAvailable from /proc/meminfo (Linux), or None where there is none."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return None

_BOOTSTRAP = (
    "import pickle, sys; sys.path[:0] = pickle.load(sys.stdin.buffer); "
    "from tts_pipeline.backends.processes import serve; serve()"
)


class _Worker:
    def __init__(self, init: tuple) -> None:
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOTSTRAP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.outstanding: set[int] = set()
        self.dead: str | None = None
        pickle.dump(sys.path, self.process.stdin)
        pickle.dump(init, self.process.stdin)
        self.process.stdin.flush()

    def send(self, seq: int, pronunciation: Pronunciation) -> None:
        """Write one request (the caller has counted it in `outstanding` already: the reply can come back
        before this returns)."""
        pickle.dump((seq, pronunciation), self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.flush()

    def end_input(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass

    def log_tail(self) -> str:
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no message"


class WorkerPool:
    """A `Backend` of `jobs` workers for one engine; `submit` a sentence, then `result` it by number.

    Sentences wait in one queue, and each worker is handed the next one when it has fewer than
    `PER_WORKER` (one being spoken, one ready to start), by a feeder thread of its own. A worker that is
    done early takes the next sentence instead of idling while another still holds a queue of its own, so
    the last sentences of a book are shared out as evenly as the first."""

    PER_WORKER = 2
    # Six sentences per worker waiting in the queue keep the workers busy while the main process levels and
    # encodes; the pool hands them out as workers come free.
    WINDOW_PER_WORKER = 6

    def __init__(self, engine_module: str, engine: str, settings: VoiceSettings, jobs: int) -> None:
        self.engine = engine
        self._results: dict[int, tuple[Clip | None, EngineError | None]] = {}
        self._changed = threading.Condition()
        self._queue: deque[tuple[int, Pronunciation]] = deque()
        self._next_seq = 0
        self._draining = False
        self._closed = False
        self.window = self.WINDOW_PER_WORKER * jobs
        # the engine keeps its files (the neural voice's rewritten models) where this process does
        init = (engine_module, engine, settings, str(cachelayout.current().root))
        self._workers = [_Worker(init) for _ in range(jobs)]
        self._readers = [threading.Thread(target=self._read, args=(w,), daemon=True) for w in self._workers]
        self._feeders = [threading.Thread(target=self._feed, args=(w,), daemon=True) for w in self._workers]
        for thread in (*self._readers, *self._feeders):
            thread.start()

    def submit(self, pronunciation: Pronunciation) -> int:
        with self._changed:
            if all(w.dead is not None for w in self._workers):
                raise EngineError(f"engine {self.engine!r}: every worker process died ({self._workers[0].dead})")
            seq = self._next_seq
            self._next_seq += 1
            self._queue.append((seq, pronunciation))
            self._changed.notify_all()
        return seq

    def result(self, seq: int) -> Clip:
        """The clip for `seq`, waiting for it; raises the engine's EngineError."""
        with self._changed:
            self._changed.wait_for(lambda: seq in self._results)
            clip, error = self._results.pop(seq)
        if error is not None:
            raise error
        return clip

    def _feed(self, worker: _Worker) -> None:
        """Hand `worker` the next queued sentence whenever it holds fewer than PER_WORKER; once the pool is
        drained and the queue empty, close its input so that it exits after its last answer."""
        while True:
            with self._changed:
                self._changed.wait_for(lambda: worker.dead is not None or self._closed or (
                    self._queue and len(worker.outstanding) < self.PER_WORKER) or (self._draining and not self._queue))
                if worker.dead is not None or self._closed:
                    return
                if not self._queue:
                    break
                seq, pronunciation = self._queue.popleft()
                worker.outstanding.add(seq)
            try:
                worker.send(seq, pronunciation)  # outside the lock: a full pipe must not stop the readers
            except (OSError, ValueError):  # a broken pipe, or one closed by close()
                with self._changed:
                    worker.outstanding.discard(seq)
                    worker.dead = worker.dead or f"worker exited: {worker.log_tail()}"
                    self._results[seq] = (None, self._gone(worker))
                    self._fail_queue_if_all_dead()
                    self._changed.notify_all()
                return
        worker.end_input()

    def _read(self, worker: _Worker) -> None:
        stream = worker.process.stdout
        while True:
            try:
                seq, clip, error = pickle.load(stream)
            except Exception:  # noqa: BLE001 - EOF or a torn message: the worker is gone
                worker.process.wait()
                with self._changed:
                    worker.dead = f"worker process exited with code {worker.process.returncode}: {worker.log_tail()}"
                    for lost in worker.outstanding:
                        self._results.setdefault(lost, (None, self._gone(worker)))
                    worker.outstanding.clear()
                    self._fail_queue_if_all_dead()
                    self._changed.notify_all()
                return
            with self._changed:
                worker.outstanding.discard(seq)
                self._results[seq] = (clip, error)
                self._changed.notify_all()

    def _gone(self, worker: _Worker) -> EngineError:
        return EngineError(f"engine {self.engine!r}: {worker.dead}")

    def _fail_queue_if_all_dead(self) -> None:
        """With every worker gone, the sentences still queued can only fail (called under the lock)."""
        if all(w.dead is not None for w in self._workers):
            while self._queue:
                seq, _ = self._queue.popleft()
                self._results[seq] = (None, self._gone(self._workers[0]))

    def drain(self) -> None:
        """No more sentences will be submitted: each worker answers what it is handed, then exits and frees
        its copy of the voice; `result` still returns every answer."""
        with self._changed:
            self._draining = True
            self._changed.notify_all()

    def close(self, wait: bool = True) -> None:
        """Let the workers finish what they hold (wait=True) or stop them now. Closing again does nothing."""
        with self._changed:
            if self._closed:
                return
            self._closed = True
            self._changed.notify_all()
        if not wait:
            for worker in self._workers:
                worker.process.kill()  # a feeder blocked on a full pipe gets a broken pipe and returns
        for feeder in self._feeders:
            feeder.join(timeout=30)
        for worker in self._workers:
            worker.end_input()
        for worker in self._workers:
            try:
                worker.process.wait(timeout=30 if wait else 5)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        for reader in self._readers:
            reader.join(timeout=5)
        for worker in self._workers:
            worker.process.stdout.close()
            worker.log.close()


def serve() -> None:
    """A worker's main loop: load the engine once, then answer (seq, pronunciation) until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    try:
        # The parent levels and encodes what workers speak; when cores are short it goes first, so that
        # it keeps up and little of its work is left when the last sentence is spoken.
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a library's stray print must not corrupt the replies
    module, engine_name, settings, cache_root = pickle.load(requests)
    with cachelayout.using(cache_root):
        _answer(module, engine_name, settings, requests, replies)


def _answer(module: str, engine_name: str, settings: "VoiceSettings", requests, replies) -> None:
    from ..engines.speaking import speak_with, start_engine

    engine = failure = None
    try:
        engine = start_engine(module, engine_name, settings)
    except EngineError as exc:
        failure = EngineError(f"in a worker process: {exc}")
    while True:
        try:
            seq, pronunciation = pickle.load(requests)
        except EOFError:
            return
        clip = error = None
        if engine is None:
            error = failure
        else:
            try:
                clip = speak_with(engine, pronunciation)
            except EngineError as exc:
                error = exc
        try:
            pickle.dump((seq, clip, error), replies, protocol=pickle.HIGHEST_PROTOCOL)
            replies.flush()
        except BrokenPipeError:
            return
