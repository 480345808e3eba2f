"""Tokens: one per Han character, per normalised run, per Latin word, per mark; text joins back."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tts_pipeline.model import SOURCES, Article, Chapter, Paragraph, Sentence, SourcePosition
from tts_pipeline.parse import extract_annotations
from tts_pipeline.pronunciation import pronounce_article, pronounce_sentence, pronounce_text


def plain(text: str, index: int = 0) -> Sentence:
    return Sentence(index, text, (), (), SourcePosition("<test>", 1, 1))


def test_one_token_per_han_character_and_per_mark() -> None:
    tokens = pronounce_text("我们在银行。")
    assert [t.text for t in tokens] == ["我", "们", "在", "银", "行", "。"]
    assert [t.start for t in tokens] == [0, 1, 2, 3, 4, 5]
    assert tokens[-1].pinyin is None and tokens[-1].source == "none"
    assert all(t.spoken == t.text for t in tokens)


def test_numbers_and_latin_are_normalized_tokens() -> None:
    tokens = pronounce_text("2024年GDP增长5.2%")
    by_text = {t.text: t for t in tokens}
    assert by_text["2024"].pinyin == "er4 ling2 er4 si4"
    assert by_text["2024"].spoken == "二零二四"
    assert by_text["GDP"].pinyin == "ji4 di4 pi1"
    assert by_text["5.2%"].spoken == "百分之五点二"
    assert by_text["5.2%"].pinyin == "bai3 fen1 zhi1 wu3 dian3 er4"
    assert {by_text[k].source for k in ("2024", "GDP", "5.2%")} == {"normalized"}
    assert by_text["年"].source == "default"


def test_readings_are_tone_numbers_with_v_and_neutral_5() -> None:
    tokens = pronounce_text("绿色的女人")
    assert [t.pinyin for t in tokens] == ["lv4", "se4", "de5", "nv3", "ren2"]


def test_yi_and_bu_keep_their_citation_tones() -> None:
    tokens = pronounce_text("一个人不是一定不去")
    readings = {(t.start, t.text): t.pinyin for t in tokens}
    assert [readings[k] for k in sorted(readings) if k[1] in "一不"] == ["yi1", "bu4", "yi1", "bu4"]


def test_word_starts_follow_the_segmentation() -> None:
    tokens = pronounce_text("我们喜欢银行")
    assert [t.word_start for t in tokens] == [True, False, True, False, True, False]


def test_unreadable_characters_are_kept_unspoken() -> None:
    tokens = pronounce_text("好😀〄")
    assert "".join(t.text for t in tokens) == "好😀〄"
    assert [t.source for t in tokens][1:] == ["none", "none"]


def test_hints_past_the_text_or_on_non_han_are_ignored() -> None:
    from tts_pipeline.model import Hint

    where = SourcePosition("<test>", 1, 1)
    sentence = Sentence(0, "a好", (Hint(0, ("hao3",), "hao3", where), Hint(5, ("hao3",), "hao3", where)), (), where)
    pron = pronounce_sentence(sentence)
    assert [t.text for t in pron.tokens] == ["a", "好"]
    assert pron.notices == ()


def test_pronounce_article_streams_every_sentence_in_order() -> None:
    sentences = (plain("银行。", 0), plain("重庆。", 1), plain("快乐。", 2))
    article = Article("t", "t.txt", (Chapter(1, "t", (Paragraph(sentences[:2]), Paragraph(sentences[2:]))),))
    prons = pronounce_article(article)
    assert next(prons).sentence.index == 0
    assert [p.sentence.index for p in prons] == [1, 2]


def test_unknown_policy_is_an_error() -> None:
    with pytest.raises(ValueError):
        pronounce_sentence(plain("好"), "maybe")


def test_tts_pipeline_pronounce_front_door() -> None:
    import tts_pipeline

    tokens = tts_pipeline.pronounce("重(chóng)庆")
    assert [(t.text, t.pinyin, t.source) for t in tokens] == [("重", "chong2", "hint"), ("庆", "qing4", "default")]


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PINYINISH = st.sampled_from(["(chóng)", "(hang2)", "（xíng）", "(yín háng)", "(lue4)", "(AI)", "(记者)", "(", ")"])
TEXT = st.lists(
    st.one_of(HAN, HAN, PINYINISH, st.text(max_size=3), st.sampled_from(["2024年", "5.2%", "GDP", "，", "。", " "])),
    max_size=25,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["verify", "force", "off"]))
def test_pronounce_text_never_raises_and_joins_back(text: str, policy: str) -> None:
    clean, _ = extract_annotations(text)
    tokens = pronounce_text(text, hints=policy)
    assert "".join(t.text for t in tokens) == clean
    position = 0
    for token in tokens:
        assert token.start == position and token.text
        position += len(token.text)
        assert token.source in SOURCES
        if token.pinyin is not None:
            assert all(s[-1] in "12345" and s[:-1].isalpha() for s in token.pinyin.split())
        if len(token.text) == 1 and "\u4e00" <= token.text <= "\u9fa5":
            assert token.pinyin is not None


@pytest.mark.parametrize("text, shown", [
    ("一点点亮起来", "Yīdiǎndiǎn liàng qǐlai"),  # jieba cuts 一点/点亮
    ("天空一点点亮了", "Tiānkōng yīdiǎndiǎn liàng le"),
    ("一遍遍地读", "Yībiànbiàn de dú"),  # jieba cuts 一遍/遍地, which also misread 地 as dì
    ("一同同学", "Yītóng tóngxué"),  # 一同 is no numeral and measure word: jieba's cut stays
])
def test_pinyin_words_keep_a_doubled_measure_word_together(text: str, shown: str) -> None:
    from tts_pipeline.export.transcripts import pinyin_line

    assert pinyin_line(pronounce_text(text)) == shown
