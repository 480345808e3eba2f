"""The stored syllable table gives what pypinyin's character dictionary gives, and a second process reads it back."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from pypinyin.pinyin_dict import pinyin_dict

from tts_pipeline.parse.syllables import _toneless, normalize_syllable, readings_of, valid_syllables


def test_the_table_holds_pypinyins_readings_for_every_character():
    syllables = set()
    for code, raw in pinyin_dict.items():
        readings = {_toneless(r) for r in raw.split(",")}
        syllables |= {letters for letters, _ in readings}
        assert readings_of(chr(code)) == {f"{letters}{tone}" for letters, tone in readings}, chr(code)
    assert valid_syllables() == syllables
    assert readings_of("行") >= {"xing2", "hang2"}
    assert readings_of("A") == readings_of("") == readings_of("行行") == frozenset()
    assert normalize_syllable("lüè") == "lve4" and normalize_syllable("xyz1") is None


def _in_fresh_process(cache, code):
    env = dict(os.environ, TTS_PIPELINE_CACHE=str(cache))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


ASK = ("import json, sys; from tts_pipeline.parse import syllables as S; {patch}"
       "print(json.dumps([sorted(S.valid_syllables()), sorted(S.readings_of('重')), "
       "'pypinyin.pinyin_dict' in sys.modules]))")


def test_a_second_process_reads_the_stored_table_without_building_it(tmp_path):
    first = json.loads(_in_fresh_process(tmp_path, ASK.format(patch="")))
    assert list((tmp_path / "pronounce").glob("syllables-*.packed"))
    never = "S._build_syllable_table = lambda: 1 / 0; "
    second = json.loads(_in_fresh_process(tmp_path, ASK.format(patch=never)))
    assert second == first
    assert {"chong2", "zhong4"} <= set(first[1]) and not second[2]
