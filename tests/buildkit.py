"""Stand-ins for the build tests: tone-burst engines, so stitching and export can be tested fast and
apart from the neural voice."""
from __future__ import annotations

import subprocess

import numpy as np

from tts_pipeline import engines
from tts_pipeline.engines.base import Engine
from tts_pipeline.errors import EngineError
from tts_pipeline.export.ffmpeg import ffmpeg_exe
from tts_pipeline.model import Clip, Pronunciation


def tone_clip(seconds: float, rate: int, *, amplitude: float = 0.3, frequency: float = 220.0,
              pad: float = 0.1, channels: int = 1, engine: str = "tone") -> Clip:
    """A tone with a syllable-like wobble, `pad` seconds of silence at each end."""
    t = np.arange(int(seconds * rate)) / rate
    voice = amplitude * np.sin(2 * np.pi * frequency * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    silence = np.zeros(int(pad * rate))
    mono = np.concatenate([silence, voice, silence]).astype(np.float32)
    samples = mono if channels == 1 else np.stack([mono] * channels, axis=1)
    return Clip(samples, rate, engine)


class ToneEngine(Engine):
    """Speaks 0.12 s per syllable; loudness varies by sentence to give normalisation work."""

    name = "tone-test"
    sample_rate = 24000

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        n = pronunciation.sentence.index
        syllables = max(1, len(pronunciation.syllables))
        return tone_clip(0.12 * syllables, self.sample_rate, amplitude=(0.05, 0.4, 0.15)[n % 3],
                         frequency=180 + 20 * (n % 5), engine=self.name)

    def cache_key(self, pronunciation: Pronunciation) -> str:
        return f"{self.name}:{pronunciation.sentence.text}:{self.settings}"


class LowRateEngine(ToneEngine):
    """22.05 kHz stereo, like an engine whose format differs from the book's."""

    name = "tone-22k"
    sample_rate = 22050

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        syllables = max(1, len(pronunciation.syllables))
        return tone_clip(0.12 * syllables, self.sample_rate, amplitude=0.5, channels=2, pad=0.0, engine=self.name)


class FailingEngine(ToneEngine):
    """Fails on the fourth sentence, like a voice that breaks half way."""

    name = "tone-fail"

    def synthesize(self, pronunciation: Pronunciation) -> Clip:
        if pronunciation.sentence.index == 3:
            raise EngineError(f"engine 'tone-fail' failed on sentence {pronunciation.sentence.id}: broken on purpose")
        return super().synthesize(pronunciation)


for _engine in (ToneEngine, LowRateEngine, FailingEngine):
    engines.register(_engine)


def decode(path, rate: int | None = None) -> tuple[np.ndarray, int]:
    """Decode an audio file as mono float32, honouring encoder delay and padding.

    libsndfile reads MP3, Ogg, FLAC and WAV sample-exact; ffmpeg does MP4
    (its Vorbis decoder gets the length of very short Ogg files wrong).
    """
    if not str(path).endswith((".m4a", ".m4b")):
        import soundfile

        samples, found = soundfile.read(str(path), dtype="float32", always_2d=True)
        return samples.mean(axis=1), found
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    found = rate or int(probe.split(" Hz")[0].rsplit(" ", 1)[-1])
    pcm = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", str(found), "-"],
        capture_output=True, check=True,
    ).stdout
    return np.frombuffer(pcm, dtype="<f4"), found
