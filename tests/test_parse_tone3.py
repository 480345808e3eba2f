"""syllables.tone3 against pypinyin's to_tone3, which the player used before: same string for every input."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from pypinyin.contrib.tone_convert import to_tone3
from pypinyin.pinyin_dict import pinyin_dict

from freshimports import imported_by
from tts_pipeline.parse import read_article
from tts_pipeline.parse.syllables import tone3
from tts_pipeline.pronunciation import pronounce_sentence
from tts_pipeline.pronunciation.readings import marked

SAMPLE = Path(__file__).parent / "data" / "sample_article.txt"

TRICKY = [
    "", "5", "lüè", "lve4", "lüe4", "lu:e4", "LÜÈ", "Lǚ", "nǚ", "nv3", "nü3", "ü", "v", "yu2",
    "de", "de5", "de0", "ma", "r5", "er2", "ér", "huār", "huar1", "nǚr", "wánr", "yīdiǎnr",
    "Xíng", "XING2", "Zhōng", "Chóngqìng", "m̄", "ḿ", "m̀", "ń", "ňg", "ǹ", "hm", "hng", "ng2",
    "ê̄", "ế", "ê̌", "ề", "ê", "yo", "yō", "2024", "x", "lvè", "xióng", "guǐ", "liù", "kuī", "wēn",
]


def _same(written: str) -> None:
    assert tone3(written) == to_tone3(written, neutral_tone_with_five=True), written


@pytest.mark.parametrize("written", TRICKY)
def test_tricky_syllables(written):
    _same(written)


def test_every_reading_of_pypinyins_dictionary_in_every_form():
    distinct = {reading for readings in pinyin_dict.values() for reading in readings.split(",")}
    assert len(distinct) > 1000
    for reading in distinct:
        numbered = to_tone3(reading, neutral_tone_with_five=True)
        for form in (reading, reading.capitalize(), reading + "r", numbered, numbered[:-1],
                     numbered.replace("v", "ü"), numbered.replace("v", "u:"), numbered.upper()):
            _same(form)


def test_every_syllable_the_sample_article_is_read_with():
    syllables = set()
    for sentence in read_article(SAMPLE).sentences():
        pron = pronounce_sentence(sentence)
        for token in pron.tokens:
            for syllable in (token.pinyin or "").split():
                syllables |= {syllable, marked(syllable)}
        for notice in pron.notices:
            syllables |= set((notice.used or "").split()) | set((notice.hint or "").split())
    assert len(syllables) > 100
    for syllable in syllables:
        _same(syllable)


def test_random_strings_of_pinyin_letters_marks_and_digits():
    alphabet = (list("abcdefghijklmnopqrstuvwxyzAEIOUMNV:0123456789'-üÜêÊ") + list("āáǎàēéěèōóǒòīíǐìūúǔùǖǘǚǜńňǹḿếề")
                + ["\u0304", "\u0300", "\u030c", "\u0301", "\u0308"])
    rng = random.Random(8)
    for _ in range(20000):
        _same("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))))


def test_the_player_does_not_import_pypinyin():
    code = ("from tts_pipeline.learn.player import _shown; "
            "assert _shown('xing2 hang2') == 'xíng háng'")
    assert imported_by(code, ("pypinyin", "jieba", "scipy", "cn2an")) == []


def test_erhua_as_the_pinyin_lines_show_it_is_marked_as_pypinyin_would_without_importing_it():
    from pypinyin.contrib.tone_convert import to_tone

    shown = ("nar3", "huir4", "dianr3", "huor2", "zher4", "nar5", "wanr2")
    expected = [to_tone(s) for s in shown]
    assert expected[:3] == ["nǎr", "huìr", "diǎnr"]
    assert [marked(s) for s in shown] == expected
    code = f"from tts_pipeline.pronunciation.readings import marked; assert [marked(s) for s in {shown!r}] == {expected!r}"
    assert imported_by(code, ("pypinyin",)) == []  # a build's pinyin lines: no 0.2 s import for an erhua word
