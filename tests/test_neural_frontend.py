"""The neural voice's frontend: pinyin to Baker symbols, prosody marks, sandhi, splitting."""
from __future__ import annotations

import dataclasses

import pytest

from neural_pron import pron
from neural_voice import installed_voice
from tts_pipeline.engines.neural import frontend as frontend_module
from tts_pipeline.model import Token

MAPPER = installed_voice().mapper


@pytest.fixture(scope="module")
def frontend():
    return frontend_module.Frontend.from_mapper(MAPPER)


def script(frontend, text, **kwargs):
    return frontend.script(pron(text, **kwargs))


def test_a_sentence_is_initials_and_toned_finals_between_sil_marks(frontend):
    s = script(frontend, "中国")
    assert s.pieces == (("sil", "zh", "ong1", "#0", "g", "uo2", "sil"),)


def test_words_are_joined_by_1_and_clause_punctuation_by_3(frontend):
    s = script(frontend, "我们喜欢音乐，也喜欢电影。")
    symbols = " ".join(s.symbols)
    assert "m en5 #1 x i3 #0 h uan1 #1 ^ in1 #0 ^ ve4 #3 ^ ie2 #1 x i3" in symbols
    assert symbols.endswith("d ian4 #0 ^ ing3 sil")
    assert "#3 sil" not in symbols


def test_enumeration_comma_is_a_2(frontend):
    assert "#2" in script(frontend, "苹果、香蕉").symbols


def test_zero_initial_syllables_use_the_caret(frontend):
    symbols = script(frontend, "我要月饼").symbols
    assert symbols[1:3] == ("^", "uo3") and ("^", "ve4") == symbols[symbols.index("ve4") - 1:symbols.index("ve4") + 1]


def test_a_hinted_polyphone_changes_the_symbols(frontend):
    chong = script(frontend, "重新", readings={0: "chong2"})
    zhong = script(frontend, "重新", readings={0: "zhong4"})
    assert chong.symbols[1:3] == ("ch", "ong2")
    assert zhong.symbols[1:3] == ("zh", "ong4")


@pytest.mark.parametrize(
    "text, surface",
    [
        ("你好", "ni2 hao3"),  # third tone before third tone rises
        ("展览馆", "zhan2 lan2 guan3"),
        ("一个", "yi2 ge4"),  # 一 before a fourth tone
        ("一起", "yi4 qi3"),
        ("统一", "tong3 yi1"),  # 一 ending a word keeps its tone
        ("第一", "di4 yi1"),
        ("不要", "bu2 yao4"),
        ("不好", "bu4 hao3"),
        ("是不是", "shi4 bu5 shi4"),
    ],
)
def test_citation_tones_become_the_surface_tones_the_corpus_was_labelled_with(frontend, text, surface):
    assert " ".join(script(frontend, text).surface) == surface


def test_erhua_is_the_root_syllable_then_er5_without_a_mark(frontend):
    symbols = " ".join(script(frontend, "你去哪儿").symbols)
    assert "n a3 er5 sil" in symbols


def test_a_child_er_is_a_full_syllable(frontend):
    symbols = " ".join(script(frontend, "她的女儿").symbols)
    assert "n v3 #0 ^ er2" in symbols


def test_interjections_n_and_m_are_spoken_with_the_nearest_syllables(frontend):
    s = script(frontend, "嗯", readings={0: "n4"})
    assert s.symbols == ("sil", "^", "en4", "sil") and not s.notices
    m = script(frontend, "呣", readings={0: "m2"})
    assert m.symbols == ("sil", "m", "u2", "sil")
    assert [n.code for n in m.notices] == ["approximated"]


def test_numbers_read_out_are_spoken_and_keep_yi1_between_digits(frontend):
    base = pron("年")
    number = Token("2014", "er4 ling2 yi1 si4", "normalized", 0, "二零一四", True)
    hundred = Token("100", "yi1 bai3", "normalized", 0, "一百", True)
    year = dataclasses.replace(base, tokens=(number, dataclasses.replace(base.tokens[0], start=4, word_start=True)))
    assert frontend.script(year).surface == ("er4", "ling2", "yi1", "si4", "nian2")
    assert frontend.script(year).symbols[-4:] == ("#0", "n", "ian2", "sil")  # 2024年 is one prosodic word
    amount = dataclasses.replace(base, tokens=(hundred,))
    assert frontend.script(amount).surface == ("yi4", "bai3")


def test_latin_letters_read_as_syllables_are_spoken(frontend):
    base = pron("好")
    letters = Token("AI", "ei1 ai4", "normalized", 0, "AI", True)
    s = frontend.script(dataclasses.replace(base, tokens=(letters,)))
    assert s.symbols == ("sil", "^", "ei1", "#0", "^", "ai4", "sil")


def test_an_unknown_syllable_or_character_warns_and_the_rest_is_spoken(frontend):
    s = script(frontend, "你好吗", readings={1: "xyz4"})
    assert [n.code for n in s.notices] == ["unspeakable"]
    assert "xyz4" in s.notices[0].message and s.notices[0].text == "好"
    assert s.surface == ("ni3", "ma5")
    unread = script(frontend, "好Q好")
    assert [n.code for n in unread.notices] == ["unspeakable"] and unread.syllables == 2


def test_long_sentences_are_split_at_clause_marks_into_pieces(frontend):
    clause = "我们今天下午去公园散步"  # 11 syllables
    text = "，".join([clause] * 4) + "。"
    whole = frontend_module.Frontend.from_mapper(MAPPER, max_syllables=1000).script(pron(text))
    small = frontend_module.Frontend.from_mapper(MAPPER, max_syllables=25).script(pron(text))
    assert len(whole.pieces) == 1 and len(small.pieces) == 2 and small.joins == (3,)
    assert all(p[0] == "sil" and p[-1] == "sil" for p in small.pieces)
    # the same symbols, with the #3 at the cut replaced by sil ... sil
    assert small.pieces[0][:-1] + ("#3",) + small.pieces[1][1:] == whole.pieces[0]


def test_a_clause_too_long_for_one_piece_is_cut_at_word_boundaries_into_even_parts(frontend):
    text = "我们今天下午去公园散步然后我们晚上在家里看电视还要复习明天考试的内容"
    s = frontend_module.Frontend.from_mapper(MAPPER, max_syllables=15).script(pron(text))
    sizes = [sum(1 for x in p if x[-1:].isdigit() and not x.startswith("#")) for p in s.pieces]
    assert len(s.pieces) == 3 and max(sizes) <= 15 and min(sizes) >= 8
    assert set(s.joins) <= {1, 2}
