"""Ray actors on a cluster that each load the voice once and speak the sentences sent to them (`--cluster`).

The driver (this process) keeps parsing, pronouncing, the clip cache and the
output folder; an actor is handed pronounced sentences and returns each
clip's figures without its samples (`Clip.spoken_only`), with the sentence
already finished (`export.sentencefile`: levelled, and for an MP3 build
encoded into its sentence file) and with the file the driver's clip cache
keeps for it, so that the work which grows with the audio is done on the
actors and the driver writes bytes, joins frames and keeps the record. At the
end the actors also measure the book (or its chapters) for the profile check
(`measure_files`), so that decoding it does not fall on the driver either.
Sentences go to the actors in tasks of up to `BATCH_CHARS` characters (a
news sentence alone, short lines a few together, since each task costs the
driver Ray's submission and reply); each actor holds at most `PER_ACTOR` tasks
at a time and the synthesis loop collects clips in order within the backend's
`window`, so a book of any length never sits in Ray's object store at once.

Faults are Ray's to mend where Ray can: an actor whose process or node dies
is started again (`max_restarts`) and the tasks it held are sent to it
again (`max_task_retries`); past those bounds the build stops with a
ClusterError, and the sentences already spoken are in the cache for the next
run. This module imports Ray; nothing imports it unless `--cluster` is given.
"""
from __future__ import annotations

import dataclasses
import os
import socket
import time
import warnings
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from urllib.parse import urlsplit

import ray
from ray.exceptions import GetTimeoutError, RayError

from .. import __version__, engines
from ..errors import ClusterError, EngineError

if TYPE_CHECKING:
    from ..engines.base import VoiceSettings
    from ..export.check import Measurement
    from ..export.sentencefile import Finishing
    from ..model import Clip, Pronunciation

PER_ACTOR = 2  # tasks: one being spoken, one waiting, so that an actor never waits for a round trip
# A task carries sentences until they hold this many characters (about 10 s of speech), at most BATCH_MOST of
# them: a news sentence goes alone, the short lines of a dialogue or a lesson three or four to a task, since a
# task's submission and reply cost the driver about 0.9 ms of CPU (0.3 ms a sentence in tasks of four). A
# batch is answered whole, so a driver killed mid-build loses at most PER_ACTOR batches per actor.
BATCH_CHARS = 80
BATCH_MOST = 4
MAX_RESTARTS = 3  # per actor: its process, or the node it runs on, may die this often in one run
TASK_RETRIES = 3  # per task held by an actor that died
START_SECONDS = 300  # for every actor to load its voice; longer means the cluster has no room for them
REACH_SECONDS = 10  # for the head's port to answer at all


class Speaker:
    """One actor: the engine loaded once on its node. Returns errors as values, so that an EngineError on a
    sentence reaches the driver as itself (and `--fallback` applies) rather than as a task failure to retry."""

    def __init__(self, module: str, engine: str, settings: VoiceSettings, finishing: Finishing | None = None) -> None:
        from ..engines.speaking import start_engine

        self.node = ray.util.get_node_ip_address()
        self.finishing = finishing
        self.engine = self.failure = None
        try:
            self.engine = start_engine(module, engine, settings)
        except EngineError as exc:
            self.failure = EngineError(f"on node {self.node}: {exc}")

    def identity(self, probe: Pronunciation) -> tuple[str, str, str | None]:
        """This node, the tts-pipeline version here and the engine's cache key for `probe` (None when the
        engine did not start): the driver compares them with its own."""
        from ..engines.speaking import key_with

        key = None
        if self.engine is not None:
            try:
                key = key_with(self.engine, probe)
            except EngineError:
                pass
        return self.node, __version__, key

    def speak(self, pronunciation: Pronunciation) -> tuple[Clip | None, EngineError | None]:
        """The sentence's clip, finished as the driver asked, with the file the driver's clip cache keeps for it
        (`Clip.finished`) and without its samples (`Clip.spoken_only`), or the engine's error; a clip this node
        could not finish comes with its samples."""
        from ..cache import clip_file
        from ..engines.speaking import key_with, speak_with
        from ..export.sentencefile import finish

        if self.engine is None:
            return None, self.failure
        try:
            clip = speak_with(self.engine, pronunciation)
        except EngineError as exc:
            return None, exc
        if self.finishing is None:
            return clip, None
        try:
            key = key_with(self.engine, pronunciation)
            finished = dataclasses.replace(finish(clip, self.finishing), stored=(key, clip_file(key, clip)))
            # the driver writes the files it is handed and needs of the samples only their number
            return dataclasses.replace(clip, finished=finished).spoken_only(), None
        except Exception:  # noqa: BLE001 - e.g. no ffmpeg on this node: the driver finishes the clip itself
            return clip, None

    def speak_batch(self, pronunciations: list[Pronunciation]) -> list[tuple[Clip | None, EngineError | None]]:
        """`speak` for each sentence of one task, in order."""
        return [self.speak(pronunciation) for pronunciation in pronunciations]

    def measure(self, data: bytes, name: str) -> Measurement:
        """The profile check's figures for one of the driver's files, handed over as its bytes (`check.measure`)."""
        from ..export.check import measure_data

        return measure_data(data, name)


class RayActors:
    """A `Backend` of Ray actors on the cluster at `address`: `actors` of them (default: one per CPU the
    cluster has), spread over its nodes, one CPU each."""

    def __init__(self, address: str, engine: str, settings: VoiceSettings, actors: int | None = None,
                 finishing: Finishing | None = None) -> None:
        self.address = address
        self.engine = engine
        self.settings = settings
        self.owns_connection = _connect(address)
        try:
            count = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
            remote = ray.remote(Speaker).options(
                num_cpus=1, max_restarts=MAX_RESTARTS, max_task_retries=TASK_RETRIES, scheduling_strategy="SPREAD")
            module = engines.engine_class(engine).__module__
            self.actors = [remote.remote(module, engine, settings, finishing) for _ in range(count)]
        except BaseException:
            self._disconnect()
            raise
        self._load = [0] * count  # tasks in flight per actor
        self._queue: deque[tuple[int, Pronunciation]] = deque()
        self._running: dict[ray.ObjectRef, tuple[list[int], int]] = {}  # reference -> (tickets, actor)
        self._ready: dict[int, tuple[ray.ObjectRef, int]] = {}  # ticket -> (its task's reference, place in it)
        self._answers: dict[ray.ObjectRef, list] = {}  # a task's answers fetched, until each is taken
        self._chars = self._submitted = 0
        self._ahead: dict[Pronunciation, int] = {}  # sentences of the next input sent ahead -> their tickets
        self._keyer = None  # this machine's engine (once the actors are checked), for the keys of sentences sent ahead
        self._next = 0
        self._checked = False
        self._closed = False
        self._started: float | None = None
        self.spoken = 0
        self.audio = 0.0  # seconds spoken by the actors

    @property
    def window(self) -> int:
        """Sentences the synthesis loop may hand over ahead: enough for PER_ACTOR full tasks per actor and one
        more, by the length of the sentences seen so far."""
        return len(self.actors) * (PER_ACTOR + 1) * self._batch_size()

    @property
    def _in_flight(self) -> int:
        """Sentences sent and not yet answered."""
        return sum(len(tickets) for tickets, _ in self._running.values())

    def _batch_size(self) -> int:
        if not self._submitted:
            return 1
        return max(1, min(BATCH_MOST, -(-BATCH_CHARS * self._submitted // max(1, self._chars))))

    def describe(self) -> str:
        nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
        return f"{len(self.actors)} actor{'s' * (len(self.actors) != 1)} on {nodes} node{'s' * (nodes != 1)}"

    def status(self) -> str:
        """For the progress display: actors busy, sentences in flight and spoken, the cluster's audio rate."""
        busy = sum(1 for load in self._load if load)
        elapsed = time.monotonic() - self._started if self._started is not None else 0.0
        rate = f", {self.audio / elapsed:.1f} s of audio a second" if elapsed > 0 else ""
        return (f"ray: {busy}/{len(self.actors)} actors busy, {self._in_flight + len(self._queue)} in flight, "
                f"{self.spoken} spoken{rate}")

    def send_ahead(self, pronunciations: Iterable[Pronunciation], cache) -> None:
        """Send the first sentences of the next input that `cache` does not hold, up to the window, while this
        process finishes the input before it (joins its last chapter, writes its transcripts and manifest,
        checks its files), so that the actors are not idle meanwhile. The next input's synthesis loop, handing
        over the same sentences, gets their tickets (`submit`)."""
        from ..engines.speaking import key_with

        self._ahead.clear()  # sent ahead for an input that needed no synthesis after all: never asked for
        if self._keyer is None:
            return  # nothing spoken yet (the next input starts the actors), or no keys here: send nothing ahead
        for pronunciation in pronunciations:
            if len(self._ahead) >= self.window:
                break
            if not pronunciation.speaks:
                continue
            try:
                if cache is not None and key_with(self._keyer, pronunciation) in cache:
                    continue
            except EngineError:
                continue  # the synthesis loop says what is wrong with it, in its place
            self._ahead[pronunciation] = self.submit(pronunciation)
        self._dispatch(flush=True)

    def submit(self, pronunciation: Pronunciation) -> int:
        if self._ahead:
            ahead = self._ahead.pop(pronunciation, None)
            if ahead is not None:
                return ahead
        if not self._checked:
            self._check(pronunciation)
            self._started = time.monotonic()
        ticket, self._next = self._next, self._next + 1
        self._queue.append((ticket, pronunciation))
        self._chars += len(pronunciation.sentence.text)
        self._submitted += 1
        self._dispatch()
        return ticket

    def result(self, ticket: int) -> Clip:
        while ticket not in self._ready:
            self._dispatch(flush=True)  # the loop hands over nothing more until this returns: no actor waits
            self._collect()
        reference, place = self._ready.pop(ticket)
        try:
            if reference not in self._answers:
                self._answers[reference] = ray.get(reference)
        except RayError as exc:
            raise ClusterError(f"the Ray cluster at {self.address} lost a sentence for good: {_first_line(exc)}; "
                               "run the build again to resume from the cache") from None
        answers = self._answers[reference]
        clip, error = answers[place]
        answers[place] = None
        if not any(answers):
            del self._answers[reference]
        if error is not None:
            raise error
        self.spoken += 1
        self.audio += clip.duration
        return received(clip)

    def measure_files(self, root: Path, names: list[str]) -> list[Measurement]:
        """The profile check's measurements of the files `names` under `root` (the book, or each chapter), made on
        the actors, one file per actor at a time, so that decoding the whole book does not cost the driver; a file
        no actor could measure is measured here (`check.measure_all`: the same function either way)."""
        from ..export.check import measure_all

        measured: dict[int, Measurement] = {}
        waiting = deque(enumerate(names))
        running: dict[ray.ObjectRef, int] = {}
        while waiting or running:
            while waiting and len(running) < len(self.actors):
                index, name = waiting.popleft()
                actor = self.actors[index % len(self.actors)]
                running[actor.measure.remote((root / name).read_bytes(), name)] = index
            done, _ = ray.wait(list(running), num_returns=1)
            for reference in done:
                index = running.pop(reference)
                try:
                    measured[index] = ray.get(reference)
                except Exception:  # noqa: BLE001 - e.g. no ffmpeg on that node, or the node left: measure it here
                    measured[index] = measure_all(root, [names[index]])[0]
        return [measured[index] for index in range(len(names))]

    def drain(self) -> None:
        """No more sentences of this input: send what is queued, even in tasks shorter than a batch (the actors
        stay for the next input of the run; close() ends them)."""
        self._dispatch(flush=True)

    def close(self, wait: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            for actor in self.actors:
                ray.kill(actor, no_restart=True)
        except RayError:
            pass  # the cluster is gone already
        finally:
            self._disconnect()

    def _dispatch(self, flush: bool = False) -> None:
        """Hand queued sentences, a batch to a task, to the least-loaded actors while one holds fewer than
        PER_ACTOR tasks. A batch shorter than BATCH_CHARS waits for more sentences unless `flush` (the loop is
        about to wait for a clip, or the input has ended)."""
        while self._queue:
            actor = min(range(len(self.actors)), key=self._load.__getitem__)
            if self._load[actor] >= PER_ACTOR:
                return
            batch = self._batch(flush)
            if batch is None:
                return
            tickets = [ticket for ticket, _ in batch]
            pronunciations = [pronunciation for _, pronunciation in batch]
            self._running[self.actors[actor].speak_batch.remote(pronunciations)] = (tickets, actor)
            self._load[actor] += 1

    def _batch(self, flush: bool) -> list[tuple[int, Pronunciation]] | None:
        """The queue's first sentences once they hold BATCH_CHARS characters or are BATCH_MOST; before that, all
        of them when `flush`, else None."""
        chars = count = 0
        for count, (_, pronunciation) in enumerate(self._queue, 1):
            chars += len(pronunciation.sentence.text)
            if chars >= BATCH_CHARS or count == BATCH_MOST:
                break
        else:
            if not flush:
                return None
        return [self._queue.popleft() for _ in range(count)]

    def _collect(self) -> None:
        """Wait until at least one task in flight is answered (or has failed for good)."""
        done, _ = ray.wait(list(self._running), num_returns=1)
        for reference in done:
            tickets, actor = self._running.pop(reference)
            self._load[actor] -= 1
            for place, ticket in enumerate(tickets):
                self._ready[ticket] = (reference, place)

    def _check(self, probe: Pronunciation) -> None:
        """Every actor has started, runs this tts-pipeline version, and its voice gives the clips this
        machine's would (the same cache key for the first sentence); otherwise one line naming the node."""
        from ..engines.speaking import key_with

        self._checked = True
        try:
            self._keyer = engines.create(self.engine, self.settings)
            ours = key_with(self._keyer, probe)
        except EngineError:
            self._keyer = ours = None  # this machine cannot run the engine: only the nodes need to
        try:
            answers = ray.get([actor.identity.remote(probe) for actor in self.actors], timeout=START_SECONDS)
        except GetTimeoutError:
            raise ClusterError(f"the Ray cluster at {self.address} did not start {len(self.actors)} actors within "
                               f"{START_SECONDS} s; does it have a free CPU for each?") from None
        except RayError as exc:
            raise ClusterError(f"an actor could not start on the Ray cluster at {self.address}: "
                               f"{_first_line(exc)}") from None
        for node, version, key in answers:
            if version != __version__:
                raise ClusterError(f"node {node} runs tts-pipeline {version} and this machine {__version__}; "
                                   "install the same version on every node")
            if key is not None and ours is not None and key != ours:
                raise ClusterError(f"node {node}'s {self.engine!r} voice differs from this machine's (another "
                                   "voice or engine version); install the same voice files on every node")

    def _disconnect(self) -> None:
        if self.owns_connection and ray.is_initialized():
            ray.shutdown()


def received(clip: Clip) -> Clip:
    """A clip from an actor, its arrays copied, so that it does not pin Ray's shared memory while the driver
    stitches."""
    import numpy as np

    finished = clip.finished
    if finished is not None:
        finished = dataclasses.replace(finished, levelled=dataclasses.replace(
            finished.levelled, pcm=np.array(finished.levelled.pcm)))
    return dataclasses.replace(clip, samples=np.array(clip.samples), finished=finished)


def _connect(address: str) -> bool:
    """Connect this process to the cluster; True when this call made the connection (and so ends it). A
    caller that has called ray.init() itself keeps its connection."""
    if ray.is_initialized():
        return False
    _reachable(address)
    options = {"log_to_driver": False, "logging_level": "WARNING"}
    if address == "local":
        options["include_dashboard"] = False
    try:
        with warnings.catch_warnings():  # the Ray client warns before it raises: the error is the one line
            warnings.simplefilter("ignore")
            ray.init(address=address, **options)
    except Exception as exc:  # noqa: BLE001 - ray.init raises many kinds; each becomes one line
        _forget_failed_connection()
        raise ClusterError(f"cannot connect to the Ray cluster at {address}: {_connect_failure(address, exc)}") from None
    return True


def _forget_failed_connection() -> None:
    """A ray.init that failed half way (the Ray client's server did not start, say) can leave Ray's state set in
    this process, and every later ray.init here fails an assertion: a program that builds again in the same
    process (or the test suite) needs it cleared."""
    try:
        ray.shutdown()
    except Exception:  # noqa: BLE001 - nothing was connected: nothing to clear
        pass


TOKEN_PLACES = ("$RAY_AUTH_TOKEN, the file $RAY_AUTH_TOKEN_PATH names, or ~/.ray/auth_token "
                "(`ray get-auth-token` on the head prints it)")


def _connect_failure(address: str, exc: BaseException) -> str:
    """Why ray.init failed, saying what to do. Ray's own text for a missing token is a paragraph, and a driver
    that sends no token (RAY_AUTH_MODE unset) or a wrong one hears only "Failed to connect", after some 20 s of
    Ray's retries: both are told where the token goes."""
    message = _first_line(exc)
    if "token" in message.lower():
        return f"the cluster asks for a token and this machine has none; put it in {TOKEN_PLACES}"
    if address == "local" or not message.startswith("Failed to connect to Ray cluster"):
        return message  # another cause (the Ray client's server, a Ray of another version...): Ray's words say it
    if os.environ.get("RAY_AUTH_MODE", "").lower() != "token":
        return (f"{message}; a cluster with token authentication needs RAY_AUTH_MODE=token here too, and its token "
                f"in {TOKEN_PLACES}")
    return f"{message}; is the token here the cluster's? It is read from {TOKEN_PLACES}"


def _reachable(address: str) -> None:
    """A HOST:PORT or ray://HOST:PORT (or `auto` with $RAY_ADDRESS naming one) whose port does not answer fails
    now, in one line, rather than after Ray's own minute of retries."""
    if address == "local":
        return
    if address == "auto":
        named = os.environ.get("RAY_ADDRESS")
        if named and named not in ("auto", "local"):
            _answers(named, f"{address} ($RAY_ADDRESS={named})")
        return  # otherwise Ray looks for the cluster this machine belongs to
    _answers(address, address)


def _answers(address: str, label: str) -> None:
    parts = urlsplit(address if "://" in address else f"//{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise ClusterError(f"cannot connect to the Ray cluster at {label}: give auto, local, HOST:PORT or "
                           "ray://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=REACH_SECONDS).close()
    except OSError as exc:
        raise ClusterError(f"cannot connect to the Ray cluster at {label}: {exc.strerror or exc}") from None


def _first_line(exc: BaseException) -> str:
    """The exception's first line; when that only introduces what follows (the Ray client's "Initialization
    failure from server:" and the server's traceback), with the last line, which says what failed."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    return f"{lines[0]} {lines[-1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]
