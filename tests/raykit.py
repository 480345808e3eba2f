"""A real Ray instance for the cluster tests, kept on loopback and out of the user's folders.

Ray's token authentication is on, with a token of the test's own in a file
named by RAY_AUTH_TOKEN_PATH (nothing is written to ~/.ray); RAY_TMPDIR puts
Ray's sockets and logs in a short temporary folder of the test's (a socket's
path must stay under about 100 bytes); RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
keeps every Ray address on 127.0.0.1. Processes are stopped by their own
handle, never with `ray stop`, which would end every Ray process on the
machine.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

from proctable import processes

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def ray_environment(folder: Path, **extra: str) -> dict[str, str]:
    """What a driver, a head and its workers need in their environment for a test cluster in `folder`."""
    token = folder / "auth_token"
    if not token.exists():
        token.write_text(secrets.token_hex(32))
    env = {
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN_PATH": str(token),
        "RAY_TMPDIR": str(folder),
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
        # the head's Ray client server waits this long for the process it starts for each ray:// driver (30 s
        # by default, which a loaded two-core test machine can exceed)
        "RAY_CLIENT_SERVER_CHECK_CHANNEL_TIMEOUT_S": "120",
        # tests/plugin: the test engines' entry point, as an installed engine plugin's
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), str(TESTS / "plugin"), str(ROOT),
                                                    os.environ.get("PYTHONPATH")])),
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def short_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_processes(session: int) -> list[int]:
    """Processes (other than zombies) whose session is `session`: what a `ray start` begun in a new session made."""
    return [p.pid for p in processes() if p.session == session and p.state != "Z"]


@contextlib.contextmanager
def ray_head(env: dict[str, str], cpus: int = 2, client_port: int | None = None) -> Iterator[str]:
    """`ray start --head --block` on 127.0.0.1 in a session of its own; yields its HOST:PORT. Stopped by
    SIGTERM to that process (it stops its own GCS, raylet and workers); the test fails if any process of its
    session is left after that. The head's Ray client server listens on `client_port` (for
    ray://127.0.0.1:PORT), or on a free port rather than Ray's shared default 10001, where another test's head
    may listen too; the head is up once both ports answer."""
    port = free_port()
    client_port = client_port or free_port()
    command = [sys.executable, "-c", "import sys; from ray.scripts.scripts import main; sys.argv[0] = 'ray'; main()",
               "start", "--head", "--block", "--port", str(port), "--node-ip-address", "127.0.0.1",
               f"--num-cpus={cpus}", "--include-dashboard=false", "--disable-usage-stats"]
    command.append(f"--ray-client-server-port={client_port}")
    log = open(Path(env["RAY_TMPDIR"]) / "head.log", "wb")
    head = subprocess.Popen(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        for listening in (port, client_port):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", listening), timeout=1).close()
                    break
                except OSError:
                    if head.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"ray start --head did not come up: {Path(log.name).read_text()[-2000:]}")
                    time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
        log.close()
        left = still_running(lambda: session_processes(head.pid))
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not left, f"ray start --head left processes behind: {left}"


def still_running(find, seconds: float = 20) -> list[int]:
    """What `find()` lists once it lists nothing, or after `seconds`: processes being stopped take a moment."""
    deadline = time.monotonic() + seconds
    while (found := find()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def ray_children() -> list[int]:
    """This process's child processes that are Ray's (a Cluster's GCS, raylets, workers), zombies left out."""
    return [p.pid for p in processes() if p.parent == os.getpid() and p.state != "Z" and b"ray" in p.command]
