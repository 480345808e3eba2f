"""Everyday Chinese read right: particles, lone polyphones, neutral tones, traditional script."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tts_pipeline.pronunciation import pronounce_line, pronounce_text

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from everyday import load  # noqa: E402


def pinyin(text: str) -> list[str | None]:
    return [t.pinyin for t in pronounce_text(text) if t.pinyin]


def reading_of(tokens, char: str) -> str | None:
    """The reading of the first token that is `char`."""
    return next(t.pinyin for t in tokens if t.text == char)


def test_the_issue_sentences_are_read_right() -> None:
    text = "我妹妹的头发又黑又长。他慢慢地走过来，明天还你。屋里很暖和。"
    assert " ".join(pinyin(text)) == (
        "wo3 mei4 mei5 de5 tou2 fa5 you4 hei1 you4 chang2 "
        "ta1 man4 man4 de5 zou3 guo4 lai2 ming2 tian1 huan2 ni3 "
        "wu1 li3 hen3 nuan3 huo5"
    )


@pytest.mark.parametrize(
    ("text", "char", "expected"),
    [
        ("你说得对。", "得", "de5"),
        ("时间不早了，我得走了。", "得", "dei3"),
        ("明天的会我去不了。", "了", "liao3"),
        ("这件事用不着你操心。", "着", "zhao2"),
        ("他家养了一只小猫。", "只", "zhi1"),
        ("爷爷在院子里种了很多花。", "种", "zhong4"),
        ("奶奶在家看孩子。", "看", "kan1"),
        ("请把音量调小一点儿。", "调", "tiao2"),
        ("这个箱子太重了。", "重", "zhong4"),
        ("你长高了不少。", "长", "zhang3"),
        ("他抽空回了一趟老家。", "空", "kong4"),
        ("请问曾先生在吗？", "曾", "zeng1"),
        ("小明背着书包去上学。", "背", "bei1"),
        ("老师让我们明天背课文。", "背", "bei4"),
        ("你去超市买什么东西？", "西", "xi5"),
        ("这条街东西走向。", "西", "xi1"),
        ("这次改革将扩大地方政府的自主权。", "方", "fang1"),
        ("这个地方风景很美。", "方", "fang5"),
        ("公司下个月要把他调到香港分公司。", "调", "diao4"),
        ("把空调调到二十六度。", "调", "tiao2"),
        ("今年公司的业绩取得了明显增长。", "了", "le5"),
        ("这只鸟只在早上唱歌。", "只", "zhi1"),
        ("老人一辈子没少吃苦。", "少", "shao3"),
        ("她每年都会休年假。", "假", "jia4"),
        ("她每年都会休年假。", "都", "dou1"),
        ("研究表明，长期睡不好觉会影响记忆力。", "觉", "jiao4"),
        ("妈妈做的麻婆豆腐特别好吃。", "腐", "fu5"),
        ("最后一行我看不清楚。", "楚", "chu5"),
        ("最后一行我看不清楚。", "行", "hang2"),
        ("代表团一行人抵达北京。", "行", "xing2"),
        ("曾国藩是清朝晚期的重要人物。", "曾", "zeng1"),
    ],
)
def test_lone_polyphones_read_by_the_words_around_them(text: str, char: str, expected: str) -> None:
    assert reading_of(pronounce_text(text), char) == expected


@pytest.mark.parametrize(
    ("text", "char", "expected"),
    [
        ("雪花一片一片地飘下来。", "地", "de5"),  # after a doubled form
        ("他小心翼翼地打开了盒子。", "地", "de5"),  # after an idiom
        ("小雨断断续续地下了一整天。", "地", "de5"),  # jieba joins 地下
        ("这块地种的是玉米。", "地", "di4"),
        ("爷爷把种子撒在地里。", "撒", "sa3"),  # verbs before a complement
        ("她把床单铺好了。", "铺", "pu1"),
        ("你把钱藏在哪儿了？", "藏", "cang2"),
        ("天冷了，把扣子系上。", "系", "ji4"),
        ("他是中文系的学生。", "系", "xi4"),
        ("她冲我们挥了挥手。", "冲", "chong4"),
        ("我把雨伞落在出租车上了。", "落", "la4"),
        ("她长得很像她妈妈。", "长", "zhang3"),
        ("晾了一晚上，衣服已经干了。", "干", "gan1"),
        ("这活儿太累，我不想干。", "干", "gan4"),
        ("他跑得满头大汗，累得坐在地上。", "累", "lei4"),
        ("这汤咸得要命。", "得", "de5"),
        ("帮我看好行李，我去买票。", "看", "kan1"),
        ("今年的桃树结了不少桃子。", "结", "jie1"),  # not the jié of 结果
        ("我们在门口照了一张相。", "相", "xiang4"),
        ("我想请两天假回家。", "假", "jia4"),
        ("他从来没中过奖。", "中", "zhong4"),
        ("大家都高高兴兴地回家了。", "兴", "xing4"),
        ("这家饭馆的菜太差了。", "差", "cha4"),
        ("她把这里当作自己的家。", "当", "dang4"),
    ],
)
def test_everyday_rules_read_fresh_sentences(text: str, char: str, expected: str) -> None:
    # Sentences written for this test, none of them in the everyday dev or test parts.
    assert reading_of(pronounce_text(text), char) == expected


@pytest.mark.parametrize(
    ("text", "char", "expected"),
    [("我們去銀行", "行", "hang2"), ("長城", "長", "chang2"), ("重慶", "重", "chong2"), ("音樂會", "樂", "yue4"),
     ("他說著話", "著", "zhe5"), ("頭髮", "髮", "fa5")],
)
def test_traditional_script_reads_as_its_simplified_form(text: str, char: str, expected: str) -> None:
    tokens = pronounce_text(text)
    assert "".join(t.text for t in tokens) == text  # the author's characters are kept
    assert reading_of(tokens, char) == expected


def test_hints_on_traditional_characters_are_checked_against_the_simplified_word() -> None:
    pron = pronounce_line("實行(háng)新計劃")
    assert pron.tokens[1].pinyin == "xing2"
    assert [n.code for n in pron.notices] == ["hint-overruled"]
    assert pron.notices[0].text == "行"


def _accuracy(part: str) -> float:
    cases = load(part)
    right = total = 0
    for case in cases:
        read = {t.start: t.pinyin for t in pronounce_text(case.text, hints="off")}
        for position, accepted in case.labels:
            right += read.get(position) in accepted
            total += 1
    return right / total


def test_everyday_dev_set_stays_above_its_measured_accuracy() -> None:
    # benchmarks/polyphones.py measured 99.3% on the ten dev parts (17,175 readings; pypinyin alone: 86.6%);
    # a drop below 99.0% is a regression.
    assert _accuracy("dev") >= 0.99


def test_everyday_held_out_set_stays_above_its_measured_accuracy() -> None:
    # Never tuned on (its misses never read); measured 95.3%, 95.8%, then after rounds of work on new dev
    # parts 97.6%, 97.8% and 98.0% (pypinyin alone 85.1%, the resolver before the everyday layers 84.3%).
    assert _accuracy("test") >= 0.975


def test_simplified_text_is_not_converted_as_if_it_were_traditional() -> None:
    # 閤 is the traditional form of 合 hé, and in simplified text the variant of 阁 gé (北閤, 藏閤).
    from tts_pipeline.hanzi import simplified

    assert simplified("北閤景区则是南閤以北的仙溪流域") == "北閤景区则是南閤以北的仙溪流域"
    assert simplified("我們去銀行") == "我们去银行"


def test_a_traditional_character_keeps_its_reading_when_its_simplified_form_has_none() -> None:
    # OpenCC's tw2s maps 鑀 to 𫓧, an extension character no dictionary reads.
    assert pinyin("鑀") == ["ai4"]


@pytest.mark.parametrize(("text", "readings"), [("你去哪儿", ["ni3", "qu4", "na3", "er5"]),
                                                ("等一会儿", ["deng3", "yi1", "hui4", "er5"]),
                                                ("女儿和儿子", ["nv3", "er2", "he2", "er2", "zi5"]),
                                                ("幼儿园", ["you4", "er2", "yuan2"])])
def test_erhua_is_a_neutral_er_and_a_child_er_a_full_syllable(text: str, readings: list[str]) -> None:
    assert pinyin(text) == readings


def test_erhua_is_shown_as_the_r_of_the_syllable_before_it_in_every_pinyin_line() -> None:
    from tts_pipeline.export.transcripts import pinyin_line as transcript_line
    from tts_pipeline.learn.player import _plain_ruby
    from tts_pipeline.learn.text import pinyin_line as drill_line
    from tts_pipeline.pronunciation.commands import pinyin_line as command_line

    tokens = pronounce_text("你去哪儿了？等一会儿。他的儿子。")
    assert command_line(tokens) == "nǐ qù nǎr le？ děng yī huìr。 tā de ér zi。"
    assert transcript_line(tokens) == "Nǐ qù nǎr le? děng yīhuìr. tā de érzi."
    assert drill_line(tokens) == "nǐ qù nǎr le děng yī huìr tā de ér zi"
    er = next(t for t in tokens if t.text == "儿")
    assert _plain_ruby(er.text, er.pinyin, er.source).endswith("<rt>r</rt></ruby>")
