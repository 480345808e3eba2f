"""The homophone table that lets a text-only engine say a resolved reading."""
from __future__ import annotations

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from tts_pipeline.engines.homophones import (
    COMMON_CHARACTERS,
    character_frequencies,
    homophone,
    homophone_table,
    reading_count,
)


def test_every_entry_reads_only_its_syllable_and_is_common():
    table = homophone_table()
    frequencies = character_frequencies()
    ranked = [c for c, _ in frequencies.most_common() if "\u4e00" <= c <= "\u9fff"]
    common = set(ranked[:COMMON_CHARACTERS])
    for syllable, character in table.items():
        readings = pinyin(character, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]
        assert readings == [syllable], (syllable, character, readings)
        assert reading_count(character) == 1
        assert character in common


def test_the_most_frequent_candidate_wins():
    assert homophone("hang2") == "航"  # not the rarer 杭 or 绗
    assert homophone("jun1") == "军"
    assert homophone("shi2") == "时"
    assert homophone("chang2") == "常"
    frequencies = character_frequencies()
    assert frequencies["航"] > frequencies["杭"] > 0


def test_a_character_with_another_reading_in_any_phrase_is_not_used():
    # 生 has one reading on its own, but reads sheng5 in 先生 and similar words.
    assert pinyin_dict[ord("生")] == "shēng"
    assert reading_count("生") > 1
    assert homophone("sheng1") != "生"


def test_syllables_without_an_unambiguous_common_character_have_no_entry():
    assert homophone("le4") is None  # 乐 also reads yue4; 鳓 is not common
    assert homophone("de5") is None  # no character reads only a neutral tone
    assert homophone("xyz9") is None


def test_the_table_covers_most_syllables():
    table = homophone_table()
    assert len(table) > 800
    assert all(syllable[-1] in "12345" for syllable in table)
