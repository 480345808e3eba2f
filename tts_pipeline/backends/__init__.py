"""Where sentences are spoken: the execution backends of the synthesis loop, side by side.

The loop (`synthesize.synthesize_all`) owns the cache and the order of the
clips; a backend only turns pronounced sentences into clips. Each one offers
the same small interface, `Backend`:

- `inprocess.InProcess`: the engine in this process (`--jobs 1`);
- `processes.WorkerPool`: worker processes on this machine, each loading the
  voice once (`--jobs N`);
- `cluster.RayActors`: Ray actors on a cluster, each loading the voice once
  (`--cluster ADDRESS`; needs the `[ray]` extra, imported only then).

Importing this package imports none of them.
"""
from __future__ import annotations

import contextlib
import importlib.util
import sys
from typing import TYPE_CHECKING, Iterator, Protocol

from ..errors import MissingPackageError

if TYPE_CHECKING:
    from ..engines.base import Engine, VoiceSettings
    from ..export.sentencefile import Finishing
    from ..model import Clip, Pronunciation


class Backend(Protocol):
    """What the synthesis loop asks of a backend.

    `window` is how many sentences the loop hands over before it waits for
    the first of them: enough to keep every worker busy, few enough that the
    clips waiting to be collected stay small."""

    window: int

    def submit(self, pronunciation: Pronunciation) -> int:
        """Hand over one sentence; return the number to collect its clip with."""

    def result(self, ticket: int) -> Clip:
        """The clip for `ticket`, waiting for it; an EngineError when the engine could not speak it."""

    def drain(self) -> None:
        """No more sentences will come from this loop: a backend may free what it no longer needs."""

    def close(self, wait: bool = True) -> None:
        """Finish what is held (wait=True) or stop now; closing again does nothing."""


def start(engine: str, settings: VoiceSettings, jobs: int, speaker: Engine | None = None) -> Backend:
    """The backend of this machine for `jobs`: the engine in this process for 1 (`speaker`, when the caller has
    made it already), worker processes above."""
    from .. import engines

    if jobs == 1:
        from .inprocess import InProcess

        return InProcess(speaker or engines.create(engine, settings))
    from .processes import WorkerPool

    return WorkerPool(engines.engine_class(engine).__module__, engine, settings, jobs)


def ray_missing() -> str:
    """The line for `--cluster` without Ray: the `[ray]` extra's requirement as this install declares it (not
    `pip install 'tts-pipeline[ray]'`, which needs the package on PyPI), or the extra from a clone."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        wanted = [r.split(";")[0].strip() for r in requires("tts-pipeline") or () if 'extra == "ray"' in r]
    except PackageNotFoundError:
        wanted = []
    return (f"--cluster needs Ray, which is not installed: pip install '{wanted[0] if wanted else 'ray[client]'}' "
            "(or, in a clone of tts-pipeline, pip install -e '.[ray]')")


@contextlib.contextmanager
def cluster_backend(address: str, engine: str, settings: VoiceSettings, actors: int | None = None,
                    quiet: bool = True, finishing: Finishing | None = None) -> Iterator[Backend]:
    """Ray actors on the cluster at `address` for the whole block (`cluster.RayActors`), stopped after it; with
    `finishing`, each actor also levels (and encodes) every sentence it speaks."""
    if importlib.util.find_spec("ray") is None:
        raise MissingPackageError(ray_missing())
    from .cluster import RayActors

    backend = RayActors(address, engine, settings, actors, finishing)
    if not quiet:
        print(f"synthesising on the Ray cluster at {address}: {backend.describe()}", file=sys.stderr, flush=True)
    try:
        yield backend
    finally:
        backend.close()
