"""Sentence and clause rules, positions and hint offsets inside sentences."""
import pytest

from tts_pipeline.parse import parse_text


def texts(text, **kwargs):
    return [s.text for s in parse_text(text, **kwargs).sentences()]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("你好。我很好！你呢？", ["你好。", "我很好！", "你呢？"]),
        ("Hello. Fine! You?", ["Hello.", "Fine!", "You?"]),
        ("他走了……我没说话", ["他走了……", "我没说话"]),
        ("他走了…我没说话", ["他走了…", "我没说话"]),
        ("真的吗？！不会吧", ["真的吗？！", "不会吧"]),
        ("增长了35.2%。比去年多", ["增长了35.2%。", "比去年多"]),
        ("第1.5节讲完了.下一节", ["第1.5节讲完了.", "下一节"]),
    ],
)
def test_sentences_end_at_end_marks(line, expected):
    assert texts(line) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("她说：“我很好。”然后走了。", ["她说：“我很好。”", "然后走了。"]),
        ("「真的？」他问", ["「真的？」", "他问"]),
        ("（完。）下一句。", ["（完。）", "下一句。"]),
        ("《书》。【注意！】好", ["《书》。", "【注意！】", "好"]),
        ('He said "ok." Then left.', ['He said "ok."', "Then left."]),
        ("‘好。’『行！』", ["‘好。’", "『行！』"]),
        # an end mark after the closing quote closes the same sentence, not one of its own
        ("只有“嗯、哦、唉、哟……”。后来呢？", ["只有“嗯、哦、唉、哟……”。", "后来呢？"]),
        ("他喊：“快跑！”！然后", ["他喊：“快跑！”！", "然后"]),
        ('He said "ok.". Then left.', ['He said "ok.".', "Then left."]),
    ],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(line, expected):
    assert texts(line) == expected


def test_line_end_ends_a_sentence_and_headings_stand_alone():
    assert texts("保持攻坚势头 加快改革进度\n坚决打赢硬仗") == ["保持攻坚势头 加快改革进度", "坚决打赢硬仗"]
    assert texts("# 第一课 银行\n我在银行工作。") == ["第一课 银行", "我在银行工作。"]


def test_inner_spaces_are_kept_and_outer_whitespace_trimmed():
    assert texts("  召开。记者 苏思 摄/视觉重庆  \t") == ["召开。", "记者 苏思 摄/视觉重庆"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_every_line_end_convention(line_end):
    article = parse_text(line_end.join(["第一行", "第二行。", "", "第三行"]))
    assert [(s.text, s.position.line) for s in article.sentences()] == [("第一行", 1), ("第二行。", 2), ("第三行", 4)]


def test_clause_ends_after_each_clause_mark():
    (sentence,) = parse_text("首先，其次；再次：最后、结束。").sentences()
    assert sentence.clause_ends == (3, 6, 9, 12)
    assert [sentence.text[e - 1] for e in sentence.clause_ends] == list("，；：、")


def test_ascii_clause_marks_but_not_inside_numbers():
    (sentence,) = parse_text("8:30出发,全长1,166米;到了:好").sentences()
    assert [sentence.text[:e] for e in sentence.clause_ends] == ["8:30出发,", "8:30出发,全长1,166米;", "8:30出发,全长1,166米;到了:"]


def test_clause_end_after_a_closing_quote():
    (sentence,) = parse_text("他说“好，”我们走。").sentences()
    assert sentence.clause_ends == (6,)
    assert sentence.text[:6] == "他说“好，”"


def test_index_counts_across_the_article():
    article = parse_text("# 一\n甲。乙。\n\n# 二\n丙。", chapters="heading")
    assert [(s.index, s.id) for s in article.sentences()] == [(i, f"s{i + 1:04d}") for i in range(5)]


def test_hints_move_into_their_sentence():
    line = "去重(chóng)庆。在银行(yín háng)工作"
    (first, second) = parse_text(line).sentences()
    assert first.text == "去重庆。" and [(h.start, h.syllables) for h in first.hints] == [(1, ("chong2",))]
    assert second.text == "在银行工作" and [(h.start, h.syllables) for h in second.hints] == [(1, ("yin2", "hang2"))]
    assert second.hints[0].position.column == line.index("(yín") + 1


def test_sentence_position_is_its_first_character_in_the_source():
    line = "  重(chóng)庆好。银行(háng)呢"
    first, second = parse_text(line, source="a.txt").sentences()
    assert str(first.position) == "a.txt:1:3"
    assert str(second.position) == f"a.txt:1:{line.index('银') + 1}"
    assert first.hints[0].position.column == 4


def test_heading_positions_skip_the_markup():
    sentence = next(parse_text("## 重(chóng)庆", source="x.md").sentences())
    assert sentence.text == "重庆"
    assert (sentence.position.column, sentence.hints[0].position.column) == (4, 5)
