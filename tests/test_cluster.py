"""`build --cluster` against a real Ray instance: the same files as a local build, and the faults a cluster has.

Every test here starts Ray itself (a `ray start --head` on 127.0.0.1, or `ray.cluster_utils.Cluster` with two
nodes on this machine) with the environment of tests/raykit.py, and stops it by its own handle.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import tone_engine  # noqa: F401 - the test engines, registered in this process too: some tests build in it
from raykit import free_port, ray_children, ray_environment, ray_head, short_folder, still_running
from tts_pipeline import build

# Ray is imported only once the fixture below has set its environment: Ray reads some of it at import time.
pytestmark = [pytest.mark.cluster, pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                                      reason="needs Ray: the [ray] extra, which `make test` installs")]

# Two inputs; the second has a sentence test-picky cannot say (坏) and one test-crash-once dies on once (崩).
FIRST = """# 第一章 春天

今天我们学习中文。老师和朋友去了公园。

早上我们走了第一圈。晚上我们走了第二圈。

# 第二章 秋天

城市里很热闹。我们走了第三圈。
"""
SECOND = """# 第三章 冬天

天气很冷。这个坏消息让我们不高兴。

朋友说雪崩了。我们在家里学习。明天再去公园。
"""
RECORD = ".tts-pipeline-keys.json"  # when and how the folder was built: the one file allowed to differ


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != RECORD}


@pytest.fixture(scope="module")
def cluster_env():
    """The Ray test environment, set in this process (the driver) too."""
    with short_folder() as folder, pytest.MonkeyPatch.context() as patch:
        env = ray_environment(folder, TTS_TEST_CRASH_MARK=str(folder / "crashed"))
        for name, value in env.items():
            patch.setenv(name, value)
        yield env


@pytest.fixture(scope="module")
def client_port():
    """Where the head's Ray client server listens, for ray://127.0.0.1:PORT."""
    return free_port()


@pytest.fixture(scope="module")
def head(cluster_env, client_port):
    with ray_head(cluster_env, client_port=client_port) as address:
        yield address


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "first.md").write_text(FIRST, encoding="utf-8")
    (tmp_path / "second.md").write_text(SECOND, encoding="utf-8")
    return tmp_path / "first.md", tmp_path / "second.md"


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tts_pipeline", "build", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=240)


def test_a_cluster_build_of_two_inputs_gives_the_files_of_a_local_build(head, inputs, tmp_path):
    common = ["--engine", "test-picky", "--fallback", "test-tone"]
    local = cli(*inputs, "-o", tmp_path / "local", "--jobs", "1", "--cache-dir", tmp_path / "c1", "--quiet", *common,
                cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    remote = cli(*inputs, "-o", tmp_path / "remote", "--cluster", head, "--cache-dir", tmp_path / "c2", *common,
                 cwd=tmp_path)
    assert remote.returncode == 0, remote.stderr
    # one set of actors for both inputs, and the progress says what they do
    assert remote.stderr.count(f"synthesising on the Ray cluster at {head}: 2 actors on 1 node") == 1
    assert "actors busy" in remote.stderr and "s of audio a second" in remote.stderr
    for name in ("first", "second"):
        made, expected = files(tmp_path / "remote" / name), files(tmp_path / "local" / name)
        assert sorted(made) == sorted(expected)
        assert any(n.startswith("sentences/") for n in made) and "book.mp3" in made
        for relative in expected:
            assert made[relative] == expected[relative], relative  # the manifest too
    # the sentence with 坏 fell back on the cluster as it does here, and says so
    assert b"engine-fallback" in files(tmp_path / "remote" / "second")["manifest.json"]
    # clips spoken on the cluster are in this machine's cache: a local rebuild speaks none
    again = cli(*inputs, "-o", tmp_path / "again", "--jobs", "1", "--cache-dir", tmp_path / "c2", *common, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "0 synthesised" in again.stderr


def test_auto_finds_the_cluster_by_ray_address_or_by_this_machine_and_ray_client_reaches_it(
        head, cluster_env, client_port, inputs, tmp_path, monkeypatch):
    """The addresses Ray users type besides HOST:PORT, each against the running head: `auto` with $RAY_ADDRESS,
    `auto` alone (the cluster this machine belongs to: the one `ray start` recorded in Ray's temporary folder,
    here the test's $RAY_TMPDIR), and the Ray client at ray://HOST:PORT."""
    import ray

    recorded = Path(cluster_env["RAY_TMPDIR"]) / "ray" / "ray_current_cluster"
    assert recorded.read_text().strip() == head, "ray start --head should have recorded its address"
    expected = files_of(build(inputs[0], output=tmp_path / "local", engine="test-tone", jobs=1), tmp_path / "local")
    monkeypatch.setenv("RAY_ADDRESS", head)
    by_variable = build(inputs[0], output=tmp_path / "variable", engine="test-tone", cluster="auto")
    monkeypatch.delenv("RAY_ADDRESS")
    by_machine = build(inputs[0], output=tmp_path / "machine", engine="test-tone", cluster="auto")
    client = f"ray://127.0.0.1:{client_port}"
    by_client = _through_the_client(lambda address: build(inputs[0], output=tmp_path / "client", engine="test-tone",
                                                          cluster=address), client, cluster_env)
    for manifest, name in ((by_variable, "variable"), (by_machine, "machine"), (by_client, "client")):
        assert files_of(manifest, tmp_path / name) == expected, name
    assert not ray.is_initialized()  # each build ended the connection it made, the client's too


def _through_the_client(run, address: str, cluster_env: dict):
    """`run(address)`; if the head's Ray client server could not start the server process it starts for each
    ray:// driver (Ray's own start-up: that process dies at once, now and then, in full-suite runs on this busy
    two-core machine, never with this module alone), its log is printed and `run` is tried once more against a
    head started for it. A second failure fails the test."""
    from tts_pipeline.errors import ClusterError

    try:
        return run(address)
    except ClusterError as error:
        if "Initialization failure from server" not in str(error):
            raise
        print(f"ray:// failed once: {error}")
        for log in sorted(Path(cluster_env["RAY_TMPDIR"]).rglob("ray_client_server*.err")):
            print(f"{log}:\n{log.read_text(errors='replace')[-3000:]}")
    port = free_port()
    with ray_head(cluster_env, client_port=port):
        return run(f"ray://127.0.0.1:{port}")


def files_of(manifest, root: Path) -> dict[str, bytes]:
    assert manifest.sentences, root
    return files(root)


def test_auto_with_ray_address_that_does_not_answer_is_one_line_naming_it(cluster_env, inputs, tmp_path):
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    failed = subprocess.run([sys.executable, "-m", "tts_pipeline", "build", str(inputs[0]), "-o", str(tmp_path / "out"),
                             "--engine", "test-tone", "--cluster", "auto"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "RAY_ADDRESS": address})
    assert failed.returncode == 3
    assert failed.stderr.strip().splitlines() == [
        f"tts-pipeline: error: cannot connect to the Ray cluster at auto ($RAY_ADDRESS={address}): Connection refused"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("format", ["mp3", "wav"])
def test_the_actors_level_and_encode_what_they_speak_and_the_driver_only_writes_it(head, inputs, tmp_path, monkeypatch,
                                                                                   format):
    """MP3 chapters are joined from sentence files the actors encoded; other formats are assembled from PCM the
    actors levelled. Either way the driver levels nothing, is sent no clip's samples, and leaves measuring the book
    for the profile check to an actor; and the files are the local build's, the check's figures included."""
    from tts_pipeline import stitch
    from tts_pipeline.backends import cluster
    from tts_pipeline.export import check

    local = build(inputs[0], output=tmp_path / "local", engine="test-tone", jobs=1, format=format)

    def not_on_the_driver(*args, **kwargs):
        raise AssertionError("the driver did work an actor does")

    received = []
    result = cluster.RayActors.result

    def result_received(self, ticket):
        clip = result(self, ticket)
        received.append((len(clip.samples), clip.length))
        return clip

    monkeypatch.setattr(stitch, "levelled_sentence", not_on_the_driver)
    monkeypatch.setattr(check, "measure", not_on_the_driver)
    monkeypatch.setattr(cluster.RayActors, "result", result_received)
    remote = build(inputs[0], output=tmp_path / "remote", engine="test-tone", cluster=head, format=format)
    assert received and all(count == 0 and length > 0 for count, length in received)
    assert remote.publishing["measured"] and remote.publishing == local.publishing
    assert remote == local
    made, expected = files(tmp_path / "remote"), files(tmp_path / "local")
    assert sorted(made) == sorted(expected)
    assert any(n.startswith("sentences/") and n.endswith(f".{format}") for n in made)
    for relative in expected:
        assert made[relative] == expected[relative], relative


def test_an_actor_whose_process_dies_is_restarted_and_the_build_completes(head, cluster_env, inputs, tmp_path):
    mark = Path(cluster_env["TTS_TEST_CRASH_MARK"])
    remote = build(inputs[1], output=tmp_path / "remote", engine="test-crash-once", cluster=head)
    assert mark.exists(), "an actor should have died on the sentence with 崩"
    local = build(inputs[1], output=tmp_path / "local", engine="test-crash-once", jobs=1)
    assert remote == local
    assert files(tmp_path / "remote") == files(tmp_path / "local")
    import ray

    assert not ray.is_initialized()  # the build ended the connection it made


def test_an_unreachable_cluster_is_one_line_exit_3_and_leaves_the_output_as_it_was(cluster_env, inputs, tmp_path):
    out = tmp_path / "out"
    assert cli(inputs[0], "-o", out, "--engine", "test-tone", "--jobs", "1", "--quiet", cwd=tmp_path).returncode == 0
    before = files(out)
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    failed = cli(inputs[0], "-o", out, "--engine", "test-tone", "--speed", "0.9", "--cluster", address, cwd=tmp_path)
    assert failed.returncode == 3
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"tts-pipeline: error: cannot connect to the Ray cluster at {address}")
    assert files(out) == before


def test_a_driver_without_the_token_is_one_line_saying_where_it_goes_exit_3(head, inputs, tmp_path):
    """The guide's promise: a driver with RAY_AUTH_MODE=token but no token stops at once, in one line that says
    where the token goes (Ray's own text is a paragraph), and writes nothing. HOME is the test's, so no
    ~/.ray/auth_token is found either."""
    env = {name: value for name, value in os.environ.items() if name not in ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")}
    failed = subprocess.run([sys.executable, "-m", "tts_pipeline", "build", str(inputs[0]), "-o", str(tmp_path / "out"),
                             "--engine", "test-tone", "--cluster", head], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**env, "HOME": str(tmp_path)})
    assert failed.returncode == 3
    assert failed.stderr.strip().splitlines() == [
        f"tts-pipeline: error: cannot connect to the Ray cluster at {head}: the cluster asks for a token and this "
        "machine has none; put it in $RAY_AUTH_TOKEN, the file $RAY_AUTH_TOKEN_PATH names, or ~/.ray/auth_token "
        "(`ray get-auth-token` on the head prints it)"]
    assert not (tmp_path / "out").exists()


def test_a_failed_connection_says_what_token_authentication_needs_on_the_driver(cluster_env, monkeypatch):
    """A driver that sends no token (RAY_AUTH_MODE unset) or a wrong one hears from Ray only "Failed to connect",
    after its retries (some 20 s, so not run against a head here): the line adds what the driver needs."""
    from tts_pipeline.backends.cluster import _connect_failure

    refused = ConnectionError("Failed to connect to Ray cluster at 127.0.0.1:6379")
    monkeypatch.delenv("RAY_AUTH_MODE")
    assert _connect_failure("127.0.0.1:6379", refused).startswith(
        "Failed to connect to Ray cluster at 127.0.0.1:6379; a cluster with token authentication needs "
        "RAY_AUTH_MODE=token here too, and its token in $RAY_AUTH_TOKEN")
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    assert "is the token here the cluster's?" in _connect_failure("127.0.0.1:6379", refused)
    assert _connect_failure("local", refused) == "Failed to connect to Ray cluster at 127.0.0.1:6379"
    # a failure with another cause is not blamed on the token
    other = ConnectionError("Initialization failure from server:\nRuntimeError: Starting Ray client server failed.")
    assert _connect_failure("ray://127.0.0.1:10001", other) == (
        "Initialization failure from server: RuntimeError: Starting Ray client server failed.")


def test_a_node_that_leaves_mid_build_has_its_sentences_spoken_elsewhere(cluster_env, inputs, tmp_path):
    from ray.cluster_utils import Cluster

    log = tmp_path / "spoken.log"
    others = set(ray_children())  # another test's `ray start --head`, still running for the module
    os.environ.update(TTS_TEST_TONE_LOG=str(log), TTS_TEST_TONE_LOG_PARENT="1", TTS_TEST_TONE_DELAY="0.4")
    try:
        # a node is declared dead after 3 missed health checks half a second apart, not Ray's default 30 s
        cluster = Cluster(initialize_head=True, head_node_args={
            "num_cpus": 2, "_system_config": {"health_check_period_ms": 500, "health_check_failure_threshold": 3}})
        try:
            leaving = cluster.add_node(num_cpus=2)
            cluster.wait_for_nodes()
            leaving_raylet = leaving.all_processes["raylet"][0].process.pid
            outcome: dict = {}
            builder = threading.Thread(target=lambda: outcome.update(manifest=build(
                inputs[0], output=tmp_path / "remote", engine="test-tone", cluster=cluster.address, actors=2)))
            builder.start()
            deadline = time.monotonic() + 120
            while not any(line.endswith(f" {leaving_raylet}") for line in _lines(log)):
                assert builder.is_alive() and time.monotonic() < deadline, "no sentence was spoken on the second node"
                time.sleep(0.1)
            cluster.remove_node(leaving)
            builder.join(timeout=180)
            assert not builder.is_alive()
        finally:
            cluster.shutdown()
        left = still_running(lambda: [pid for pid in ray_children() if pid not in others])
        assert not left, f"Cluster.shutdown() left Ray processes behind: {left}"
    finally:
        for name in ("TTS_TEST_TONE_LOG", "TTS_TEST_TONE_LOG_PARENT", "TTS_TEST_TONE_DELAY"):
            os.environ.pop(name, None)
    assert "manifest" in outcome
    spoken_after = [line for line in _lines(log) if not line.endswith(f" {leaving_raylet}")]
    assert spoken_after, "the head node should have spoken sentences"
    build(inputs[0], output=tmp_path / "local", engine="test-tone", jobs=1)
    assert files(tmp_path / "remote") == files(tmp_path / "local")


def _settled(log: Path, quiet: float = 2.0) -> int:
    """The number of sentences in `log` once none has been added for `quiet` seconds (a sentence takes 0.3)."""
    count, since = len(_lines(log)), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.1)
        if len(_lines(log)) != count:
            count, since = len(_lines(log)), time.monotonic()
    return count


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_a_killed_driver_leaves_its_clips_in_the_cache_and_the_same_command_resumes(cluster_env, tmp_path):
    from test_resume import TOTAL, article, command, environment, lines

    from tts_pipeline.backends.cluster import BATCH_MOST
    from tts_pipeline.cache import ClipCache

    source, out, cache = tmp_path / "lesson.txt", tmp_path / "out", tmp_path / "cache"
    article(source)
    log = tmp_path / "spoken.log"
    # the actors' environment is the head's: a slow voice that logs what it speaks
    with ray_head({**cluster_env, **environment(log, 0.3)}) as address:
        argv = [*command(source, out, cache, 1), "--cluster", address]
        driver = subprocess.Popen(argv, cwd=tmp_path, env=environment(log, 0), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(lines(log)) < 16:  # two batches per actor: the first two are back and stored by then
            assert driver.poll() is None, driver.stderr.read().decode()
            assert time.monotonic() < deadline, "the cluster spoke fewer than 16 sentences in 120 s"
            time.sleep(0.05)
        driver.kill()
        driver.communicate()
        stored = ClipCache(cache).info().clips
        assert BATCH_MOST <= stored < TOTAL
        assert not (out / "manifest.json").exists()
        first = _settled(log)  # the killed driver's actors may finish the sentence they are speaking
        rerun = subprocess.run(argv, cwd=tmp_path, env=environment(log, 0), capture_output=True, text=True,
                               timeout=240)
        assert rerun.returncode == 0, rerun.stderr
    assert f"{stored} clips from the cache" in rerun.stderr
    assert len(lines(log)) - first == TOTAL - stored  # only what the cache did not hold is spoken again
    assert len(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sentences"]) == TOTAL


def test_the_next_inputs_sentences_are_spoken_while_the_one_before_is_finished(head, inputs, tmp_path, monkeypatch):
    """Once a book's audio is made, the first sentences of the next input go to the actors before this process
    finishes the book (transcripts, manifest, the profile check the actors make): when the first book is
    checked, the second's sentences are in flight, and the second build takes those very tickets."""
    from tts_pipeline.backends.cluster import RayActors
    from tts_pipeline.cache import ClipCache

    at_check: list[tuple[int, int]] = []  # (sentences in flight or queued, sentences sent ahead and not taken)
    measure = RayActors.measure_files

    def measuring(self, root, names):
        at_check.append((self._in_flight + len(self._queue), len(self._ahead)))
        return measure(self, root, names)

    monkeypatch.setattr(RayActors, "measure_files", measuring)
    made = build(*inputs, output=tmp_path / "remote", engine="test-tone", cache=ClipCache(tmp_path / "c1"),
                 cluster=head)
    assert len(at_check) == 2
    assert at_check[0][0] > 0 and at_check[0][1] > 0  # the second input's sentences, out while the first is checked
    assert at_check[1] == (0, 0)  # every one taken by the second build: none spoken twice, none left behind
    build(*inputs, output=tmp_path / "local", engine="test-tone", cache=ClipCache(tmp_path / "c2"), jobs=1)
    for manifest, name in zip(made, ("first", "second")):
        assert files(tmp_path / "remote" / name) == files(tmp_path / "local" / name)
        assert len(manifest.sentences) > 2
