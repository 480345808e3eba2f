"""The issue's lesson through a whole build, and the voices a lesson is spoken in (engines/mixed.py)."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from buildkit import decode
from pitch import median_f0
from tts_pipeline import cli, engines
from tts_pipeline.engines import mixed
from tts_pipeline.engines.base import VoiceSettings
from tts_pipeline.parse import read_article
from tts_pipeline.pronunciation import pronounce_article
from tts_pipeline.synthesize import key_with, speak_with

LESSON = Path(__file__).parent / "data" / "lessons" / "bank.md"


def _usable(name: str) -> None:
    availability = engines.engine_class(name).availability()
    if not availability.usable:  # pragma: no cover - depends on the machine
        pytest.skip(f"engine {name} unusable here: {availability.reason}")


@pytest.fixture(scope="module")
def prons():
    return {p.sentence.text: p for p in pronounce_article(read_article(LESSON))}


@pytest.fixture(scope="module", params=["espeak", "neural"])
def engine(request):
    _usable(request.param)
    _usable("espeak")  # the Latin voice
    return engines.create(request.param, VoiceSettings(threads=1))


def test_english_is_the_latin_voice_at_its_own_length(engine, prons):
    """A Whisper-free check that the English voice said `bank`: the clip is the Chinese piece, the pause and
    espeak-ng's English `bank` at the lesson pace, end to end."""
    from tts_pipeline.engines.espeak import SAMPLE_RATE, speak_language

    pron = prons["银行 yínháng n. bank"]
    clip = speak_with(engine, pron)
    ((_, chinese), (_, english)) = mixed.pieces(pron)
    alone = engine.synthesize(mixed._part(pron, chinese))
    bank = speak_language("bank", "en", mixed.LATIN_RATE)
    expected = alone.duration + mixed.PIECE_PAUSE + len(bank) / SAMPLE_RATE
    assert clip.duration == pytest.approx(expected, rel=0.02)
    assert [t.text for t in english if t.source == "english"] == ["bank"]
    # levelled to the Chinese voice: the louder half of both within 3 dB
    rate = clip.sample_rate
    tail = clip.samples[-int(len(bank) / SAMPLE_RATE * rate):]
    assert abs(20 * np.log10(mixed._rms(tail) / mixed._rms(alone.samples))) < 3


def test_speakers_have_different_median_pitch(engine, prons):
    pron = prons["我想换钱。"]
    pitches, lengths = [], []
    for number in range(3):
        turn = replace(pron, sentence=replace(pron.sentence, speaker="X", speaker_number=number))
        clip = speak_with(engine, turn)
        pitches.append(median_f0(clip.samples, clip.sample_rate))
        lengths.append(clip.duration)
    for number in (1, 2):
        assert pitches[number] / pitches[0] == pytest.approx(mixed.REGISTERS[number], rel=0.06)
        assert lengths[number] == pytest.approx(lengths[0], rel=0.12)  # the pace is the speaker's own


def test_speaker_option_sets_a_register_and_the_cache_key_follows(engine, prons):
    pron = prons["B：好的，您换多少？"]
    assert mixed.register_of(pron, engine.settings) == mixed.REGISTERS[1]
    other = engines.create(engine.name, replace(engine.settings, speakers=(("B", 1.3),)))
    assert mixed.register_of(pron, other.settings) == 1.3
    assert key_with(other, pron) != key_with(engine, pron)
    plain = prons["课文"]
    assert key_with(engine, plain) == engine.cache_key(plain)  # what is not a lesson keeps its key


def test_the_issue_lesson_builds(tmp_path):
    _usable(engines.DEFAULT_ENGINE)
    _usable("espeak")
    source = tmp_path / "bank.md"
    shutil.copy(LESSON, source)
    out = tmp_path / "out"
    code = cli.main(["build", str(source), "-o", str(out), "--no-cache", "--quiet", "--format", "wav", "--jobs", "1"])
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sentences = {s["text"]: s for s in manifest["sentences"]}
    bank = sentences["银行 yínháng n. bank"]
    assert bank["engine"] == "neural"
    assert [(t["text"], t["source"], t.get("engine")) for t in bank["tokens"] if t["text"].strip()] == [
        ("银", "hint", None), ("行", "hint", None), ("yínháng", "silent", None), ("n.", "silent", None),
        ("bank", "english", "espeak:en")]  # a token names its engine only when it is not the sentence's
    assert bank["vocabulary"] == {"word": "银行", "pinyin": "yínháng", "syllables": "yin2 hang2", "pos": "n.",
                                  "gloss": "bank"}
    money = sentences["换钱 huàn qián v. to exchange money"]
    assert [t["engine"] for t in money["tokens"] if t["source"] == "english"] == ["espeak:en"]
    assert manifest["warnings"] == []
    assert [s["speaker"] for s in manifest["sentences"]][-3:] == ["A", "A", "B"]
    a, b = (decode(out / sentences[text]["file"]) for text in ("A：你好！", "B：好的，您换多少？"))
    assert median_f0(*b) < 0.9 * median_f0(*a)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-speaker="B"' in page and '<span class="en" lang="en">bank</span>' in page


def test_an_engines_word_times_are_placed_in_the_whole_sentence(prons):
    """Word times (edge gives them) of a Chinese piece keep pointing at its tokens and its audio."""
    _usable("espeak")
    from tts_pipeline.engines.base import Engine
    from tts_pipeline.model import Clip, WordTime

    class Timed(Engine):
        name = "timed-test"
        sample_rate = 24000

        def synthesize(self, pronunciation):
            speed = self.settings.speed  # a second at the voice's own pace, as a real voice would
            return Clip(np.full(round(24000 / speed), 0.1, np.float32), 24000, self.name, (),
                        (WordTime("hi", 0.25 / speed, 0.5 / speed, 0, len(pronunciation.tokens) - 1),))

        def cache_key(self, pronunciation):
            return "timed"

    pron = prons["换钱 huàn qián v. to exchange money"]
    clip = mixed.speak(Timed(), pron)
    (word,) = clip.words
    assert (word.start, word.end, word.first_token) == (0.25, 0.5, 0)
    turn = replace(pron, sentence=replace(pron.sentence, speaker="B", speaker_number=1))
    (word,) = mixed.speak(Timed(), turn).words
    assert word.start == pytest.approx(0.25, abs=0.001) and word.first_token == 0  # the register keeps times
    dialogue = replace(prons["我想换钱。"], sentence=replace(prons["我想换钱。"].sentence, speaker="B", speaker_number=1))
    assert mixed.speak(Timed(), dialogue).duration == pytest.approx(1.0, abs=0.01)  # the register keeps the length


def test_pitch_lowers_the_neural_voice_by_its_ratio_and_keeps_its_length(prons):
    # issue 22: --pitch 0.8 lowers the median F0 by 20 % (±5 %); the neural voice takes it as a register
    _usable("neural")
    pron = prons["我想换钱。"]
    plain = speak_with(engines.create("neural", VoiceSettings(threads=1)), pron)
    lower = speak_with(engines.create("neural", VoiceSettings(threads=1, pitch=0.8)), pron)
    higher = speak_with(engines.create("neural", VoiceSettings(threads=1, pitch=1.2)), pron)
    base = median_f0(plain.samples, plain.sample_rate)
    assert median_f0(lower.samples, lower.sample_rate) / base == pytest.approx(0.8, abs=0.05 * 0.8)
    assert median_f0(higher.samples, higher.sample_rate) / base == pytest.approx(1.2, abs=0.05 * 1.2)
    assert lower.duration == pytest.approx(plain.duration, rel=0.12) and higher.duration == pytest.approx(plain.duration, rel=0.12)
    assert lower.timing is not None and len(lower.timing) == len(plain.timing)
