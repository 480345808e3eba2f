"""Each verdict of the hint policy (verify, force, off), on hand-built sentences."""
from __future__ import annotations

import pytest

from tts_pipeline.model import Hint, Sentence, SourcePosition
from tts_pipeline.pronunciation import pronounce_sentence, pronounce_text
from tts_pipeline.pronunciation.hints import NOT_A_READING, OVERRULED, UNLISTED, check_policy, judge

WHERE = SourcePosition("lesson.txt", 3, 7)


def sentence(text: str, *hints: tuple[int, tuple[str, ...]]) -> Sentence:
    return Sentence(
        index=4,
        text=text,
        hints=tuple(Hint(start, syllables, " ".join(syllables), WHERE) for start, syllables in hints),
        clause_ends=(),
        position=SourcePosition("lesson.txt", 3, 1),
    )


def reading(pron, char_index: int) -> tuple[str, str]:
    token = next(t for t in pron.tokens if t.start == char_index)
    return token.pinyin, token.source


# --- judge(): the verdict on one hinted syllable ---------------------------------

def test_hint_against_an_unambiguous_word_is_overruled() -> None:
    verdict = judge("行", "hang2", "实行", 1)
    assert verdict.used == "xing2"
    assert verdict.code == OVERRULED
    assert verdict.reason == "实行 is always shíxíng"


def test_hint_agreeing_with_the_word_is_used_silently() -> None:
    verdict = judge("行", "hang2", "银行", 1)
    assert (verdict.used, verdict.code) == ("hang2", None)


def test_neutral_tone_difference_is_accepted_silently() -> None:
    # dictionaries read 势头 shìtou; an author writing tóu is not wrong
    assert judge("头", "tou2", "势头", 1) == judge("头", "tou2", "势头", 1)
    verdict = judge("头", "tou2", "势头", 1)
    assert (verdict.used, verdict.code) == ("tou2", None)


def test_hint_on_a_word_a_dictionary_reads_two_ways_wins() -> None:
    # most dictionaries read 大都 dàdū (the metropolis); CC-CEDICT also allows dàdōu (mostly)
    verdict = judge("都", "dou1", "大都", 1)
    assert (verdict.used, verdict.code) == ("dou1", None)
    assert judge("都", "du1", "大都", 1).code is None


def test_hint_that_is_no_reading_of_the_character_is_set_aside() -> None:
    verdict = judge("行", "zhong4", "银行", 1)
    assert verdict.used is None
    assert verdict.code == NOT_A_READING
    assert "zhòng is not a reading of 行" in verdict.reason


def test_hint_on_a_single_character_word_wins() -> None:
    verdict = judge("都", "du1", "都", 0)
    assert (verdict.used, verdict.code) == ("du1", None)


def test_hint_on_a_word_no_dictionary_lists_wins() -> None:
    # 胡衡华 is a name: whatever jieba makes of it, no phrase dictionary reads it
    verdict = judge("华", "hua4", "胡衡华", 2)
    assert (verdict.used, verdict.code) == ("hua4", None)


def test_force_uses_every_hint_and_reports_an_unlisted_one() -> None:
    assert judge("行", "hang2", "实行", 1, "force").used == "hang2"
    assert judge("行", "hang2", "实行", 1, "force").code is None
    unlisted = judge("行", "zhong4", "银行", 1, "force")
    assert (unlisted.used, unlisted.code) == ("zhong4", UNLISTED)


def test_off_ignores_hints() -> None:
    assert judge("行", "hang2", "实行", 1, "off").used is None
    assert judge("行", "hang2", "实行", 1, "off").code is None


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="verify, force, off"):
        check_policy("strict")


# --- the policies inside pronounce_sentence ---------------------------------------

def test_verify_overrules_and_names_sentence_character_hint_and_reading() -> None:
    pron = pronounce_sentence(sentence("我们实行新计划", (3, ("hang2",))))
    assert reading(pron, 3) == ("xing2", "lexicon")
    (notice,) = pron.notices
    assert notice.code == OVERRULED
    assert (notice.sentence, notice.text, notice.hint, notice.used) == (4, "行", "hang2", "xing2")
    assert notice.position == WHERE
    assert notice.message == "行: hint háng, used xíng (实行 is always shíxíng)"


def test_verify_sets_aside_a_non_reading_and_reads_in_context() -> None:
    pron = pronounce_sentence(sentence("他去银行取钱", (3, ("zhong4",))))
    assert reading(pron, 3) == ("hang2", "lexicon")
    (notice,) = pron.notices
    assert notice.code == NOT_A_READING and notice.used is None
    assert "read in context" in notice.message


def test_verify_lets_a_hint_decide_a_single_character_polyphone() -> None:
    unhinted = pronounce_sentence(sentence("我们都是学生"))
    assert reading(unhinted, 2)[0] == "dou1"
    pron = pronounce_sentence(sentence("我们都是学生", (2, ("du1",))))
    assert reading(pron, 2) == ("du1", "hint")
    assert pron.notices == ()


def test_force_keeps_the_contradicting_hint() -> None:
    pron = pronounce_sentence(sentence("我们实行新计划", (3, ("hang2",))), "force")
    assert reading(pron, 3) == ("hang2", "hint")
    assert pron.notices == ()


def test_off_reads_as_if_unannotated() -> None:
    pron = pronounce_sentence(sentence("我们都是学生", (2, ("du1",))), "off")
    assert reading(pron, 2) == ("dou1", "rule")
    assert pron.notices == ()


def test_multi_syllable_hint_is_judged_per_character() -> None:
    pron = pronounce_sentence(sentence("实行计划", (0, ("shi2", "hang2"))))
    assert reading(pron, 0) == ("shi2", "hint")
    assert reading(pron, 1) == ("xing2", "lexicon")
    assert [n.text for n in pron.notices] == ["行"]


def test_pronounce_text_reads_annotations_as_hints() -> None:
    tokens = pronounce_text("重(zhòng)要的银行(yín háng)")
    assert [(t.text, t.pinyin, t.source) for t in tokens] == [
        ("重", "zhong4", "hint"),
        ("要", "yao4", "lexicon"),
        ("的", "de5", "default"),
        ("银", "yin2", "hint"),
        ("行", "hang2", "hint"),
    ]


def test_a_wrong_hint_is_caught_where_jieba_joins_the_word_into_a_longer_one() -> None:
    # jieba cuts 切实做好 and 要求进步 as one token, which no pronunciation dictionary lists; the
    # listed word inside it (切实, 要求) decides, for the check as for the reading.
    from tts_pipeline.pronunciation import pronounce_line

    for text, char, right in (("我们切(qiē)实做好了准备。", "切", "qie4"), ("大家要(yào)求进步。", "要", "yao1")):
        pron = pronounce_line(text)
        assert next(t.pinyin for t in pron.tokens if t.text == char) == right
        assert [n.code for n in pron.notices] == ["hint-overruled"]
        right_hint = text.replace("qiē", "qiè").replace("yào", "yāo")
        assert pronounce_line(right_hint).notices == ()


def test_a_wrong_hint_is_caught_where_jieba_cuts_through_the_word() -> None:
    # jieba cuts 休年/假: the listed word 年假 holds 假 across the cut.
    from tts_pipeline.pronunciation import pronounce_line

    pron = pronounce_line("她每年都会休年假(jiǎ)。")
    assert next(t.pinyin for t in pron.tokens if t.text == "假") == "jia4"
    assert [n.code for n in pron.notices] == ["hint-overruled"]
