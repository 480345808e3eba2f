"""The grammatical rule for 为: the preposition wèi before a verb of benefit, the copula wéi otherwise.

Readings checked by hand against 现代汉语词典 (为 wèi "for, on behalf of";
为 wéi "be, act as, become"; 为…所… the passive).
"""
from __future__ import annotations

import pytest

from tts_pipeline.pronunciation import pronounce_line
from tts_pipeline.pronunciation.grammar import rule_readings
from tts_pipeline.pronunciation.hints import OVERRULED, judge
from tts_pipeline.pronunciation.polyphones import resolve
from tts_pipeline.pronunciation.segment import words


def _wei(sentence: str, nth: int = 0) -> str:
    position = [i for i, c in enumerate(sentence) if c == "为"][nth]
    return resolve(sentence)[position].pinyin


@pytest.mark.parametrize(
    "sentence",
    [
        "我们要为人民服务。",
        "为全会胜利召开营造良好氛围。",
        "为夺取全年胜利奠定了坚实基础。",
        "父母总是为孩子操心。",
        "他为这件事感到高兴。",  # 感到高兴 is one jieba word
        "我们为和平而奋斗。",
        "大家都为中国队加油！",
        "主任为大家服务。",  # 主任 is a noun, not a verb that 为 completes
    ],
)
def test_preposition_before_a_verb_of_benefit_is_wei4(sentence: str) -> None:
    assert _wei(sentence) == "wei4"


@pytest.mark.parametrize(
    ("sentence", "nth"),
    [
        ("坚持以人民为中心。", 0),  # 以…为…
        ("以实际行动为人民服务。", 0),  # 以 earlier in the clause keeps the frame
        ("这首歌为人民所喜爱。", 0),  # 为…所… passive
        ("韩信被贬为淮阴侯，为汉朝效力多年。", 0),  # 贬为: the verb 为 completes
        ("该法案旨在为他继任为王夯实基础。", 1),  # 继任为王, though 夯实 follows
        ("其职责为提供服务。", 0),  # the copula before a verb phrase
        ("此地原为精神医院。", 0),  # no verb of benefit in the clause
        ("地面为车站站厅，他为大家服务。", 0),  # the verb is in another clause
    ],
)
def test_copula_frames_keep_wei2(sentence: str, nth: int) -> None:
    assert _wei(sentence, nth) == "wei2"


def test_second_wei_of_a_sentence_is_judged_in_its_own_clause() -> None:
    assert _wei("韩信被贬为淮阴侯，为汉朝效力多年。", 1) == "wei4"


@pytest.mark.parametrize(
    ("sentence", "word", "expected"),
    [
        ("为了学好中文，他去了北京。", "为了", "wei4 le5"),
        ("他成为老师，作为代表发言。", "成为", "cheng2 wei2"),
        ("他成为老师，作为代表发言。", "作为", "zuo4 wei2"),
        ("会议为期三天。", "为期", "wei2 qi1"),
        ("到今天为止，一切顺利。", "为止", "wei2 zhi3"),
    ],
)
def test_words_holding_wei_keep_their_dictionary_reading(sentence: str, word: str, expected: str) -> None:
    start = sentence.index(word)
    resolved = resolve(sentence)
    assert " ".join(resolved[start + i].pinyin for i in range(len(word))) == expected
    assert not rule_readings(sentence, words(sentence))


def test_rule_names_the_verb_in_its_reason() -> None:
    text = "我们要为人民服务。"
    (found,) = rule_readings(text, words(text)).values()
    assert (found.pinyin, found.rule) == ("wei4", "preposition-wei")
    assert found.reason == "为 before …服务 is the preposition wèi"


def test_verify_overrules_a_hint_against_the_rule_and_says_why() -> None:
    pron = pronounce_line("我们要为(wéi)人民服务。")
    (notice,) = pron.notices
    assert notice.code == OVERRULED
    assert notice.message == "为: hint wéi, used wèi (为 before …服务 is the preposition wèi)"
    wei = next(t for t in pron.tokens if t.text == "为")
    assert (wei.pinyin, wei.source) == ("wei4", "model")


def test_verify_takes_a_hint_that_agrees_with_the_rule_silently() -> None:
    pron = pronounce_line("我们要为(wèi)人民服务。")
    assert pron.notices == ()
    assert next(t for t in pron.tokens if t.text == "为").source == "hint"


def test_a_hint_where_no_rule_applies_still_decides() -> None:
    pron = pronounce_line("坚持以人民为(wèi)中心。")
    assert pron.notices == ()
    assert next(t for t in pron.tokens if t.text == "为").pinyin == "wei4"


def test_force_and_off_ignore_the_rule_for_hints() -> None:
    forced = pronounce_line("我们要为(wéi)人民服务。", "force")
    assert forced.notices == () and next(t for t in forced.tokens if t.text == "为").pinyin == "wei2"
    off = pronounce_line("我们要为(wéi)人民服务。", "off")
    assert next(t for t in off.tokens if t.text == "为").pinyin == "wei4"


def test_judge_without_a_rule_lets_a_one_character_hint_win() -> None:
    rule = rule_readings("我们要为人民服务。", words("我们要为人民服务。"))[3]
    assert judge("为", "wei2", "为", 0).used == "wei2"
    assert judge("为", "wei2", "为", 0, rule=rule).used == "wei4"
    assert judge("为", "wei2", "为", 0, "force", rule).used == "wei2"
