"""The engine in this process: each sentence is spoken when its clip is asked for."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..engines.speaking import speak_with

if TYPE_CHECKING:
    from ..engines.base import Engine
    from ..model import Clip, Pronunciation


class InProcess:
    """A `Backend` that speaks with `engine` here, one sentence at a time, in `result`."""

    window = 1

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._waiting: dict[int, Pronunciation] = {}
        self._next = 0

    def submit(self, pronunciation: Pronunciation) -> int:
        ticket, self._next = self._next, self._next + 1
        self._waiting[ticket] = pronunciation
        return ticket

    def result(self, ticket: int) -> Clip:
        return speak_with(self.engine, self._waiting.pop(ticket))

    def drain(self) -> None:
        pass

    def close(self, wait: bool = True) -> None:
        self._waiting.clear()
