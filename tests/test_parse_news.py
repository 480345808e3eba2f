"""News-page structure: list markers, photo captions, distinct chapter titles, sentences inside 《》 and brackets."""
import pytest

from tts_pipeline.parse import parse_text
from tts_pipeline.parse.chapters import distinct_titles
from tts_pipeline.parse.news import is_caption


def paragraphs(article):
    return [[s.text for s in p.sentences] for c in article.chapters for p in c.paragraphs]


@pytest.mark.parametrize("marker", list("●■◆▲•○※★"))
@pytest.mark.parametrize("source", ["a.txt", "a.md"])
def test_a_line_start_symbol_marks_a_list_item_and_is_dropped(marker, source):
    text = f"要点如下。\n{marker}要强化统筹调度。\n　　{marker} 要注重激励约束。"
    article = parse_text(text, source=source)
    assert paragraphs(article) == [["要点如下。"], ["要强化统筹调度。"], ["要注重激励约束。"]]
    second = article.chapters[0].paragraphs[1].sentences[0]
    assert second.position.column == 2  # still points into the file, after the marker


def test_a_marker_inside_a_line_or_alone_is_text():
    assert paragraphs(parse_text("甲●乙。\n●")) == [["甲●乙。"], ["●"]]


def test_hints_after_a_marker_keep_their_characters():
    sentence = parse_text("●实行(háng)新计划。").chapters[0].paragraphs[0].sentences[0]
    assert sentence.text == "实行新计划。"
    assert sentence.text[sentence.hints[0].start] == "行"


def test_a_list_item_never_titles_a_chapter_with_its_marker():
    article = parse_text("●要注重激励约束并举。\n●要严防形式主义。", chapters="paragraph")
    assert [c.title for c in article.chapters] == ["要注重激励约束并举", "要严防形式主义"]


@pytest.mark.parametrize(
    "line",
    [
        "7月4日下午，推进会召开。记者 苏思 摄/视觉重庆",
        "图/新华社",
        "摄影：张三",
        "游客在索道站排队（新华社发）",
        "游客在索道站排队。视觉中国",
        "资料图（记者 李四 摄）",
        "受访者供图",
    ],
)
def test_captions_and_credits_are_recognised(line):
    assert is_caption(line)


@pytest.mark.parametrize("line", ["重庆长江索道迎来第一千万名游客", "记者探访摄影展", "如图：三个区域", "市委书记袁家军出席"])
def test_headlines_are_not_captions(line):
    assert not is_caption(line)


def test_the_headline_not_the_photo_caption_titles_the_article():
    lines = ["游客排队乘坐索道。记者 苏思 摄", "重庆长江索道迎来第一千万名游客", "副标题", "正文第一句。正文第二句。"]
    article = parse_text("\n".join(lines))
    assert article.title == "重庆长江索道迎来第一千万名游客"
    assert article.chapters[0].title == "重庆长江索道迎来第一千万名游客"
    # the caption is still spoken, in its place
    assert article.chapters[0].paragraphs[0].sentences[0].text == "游客排队乘坐索道。"


def test_a_headline_block_of_captions_only_falls_back_to_its_first_line():
    article = parse_text("图/新华社\n正文。")
    assert article.title == "图/新华社"


def test_a_body_chapter_repeating_the_headline_takes_its_next_sentence():
    lines = ["改革推进会召开", "改革推进会召开。会议强调要抓落实。"]
    article = parse_text("\n".join(lines))
    assert [c.title for c in article.chapters] == ["改革推进会召开", "会议强调要抓落实"]


def test_repeated_headings_are_numbered():
    article = parse_text("# 练习\n一。\n# 练习\n二。\n# Notes\n三。\n# Notes\n四。")
    assert [c.title for c in article.chapters] == ["练习", "练习（2）", "Notes", "Notes (2)"]


def test_distinct_titles_numbers_when_nothing_else_is_left():
    assert distinct_titles([["甲"], ["甲"], ["甲", "乙"], ["甲"]]) == ["甲", "甲（2）", "乙", "甲（3）"]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("我们明天一起去看《摔跤吧！爸爸》好吗？", ["我们明天一起去看《摔跤吧！爸爸》好吗？"]),
        ("他说（笑！）：“来了。”", ["他说（笑！）：“来了。”"]),
        ("《你好！》是一部电影。后来呢？", ["《你好！》是一部电影。", "后来呢？"]),
        ("见【附件。一】及(注. 二)。完", ["见【附件。一】及(注. 二)。", "完"]),
        ("只有“嗯、哦……”。后来呢？", ["只有“嗯、哦……”。", "后来呢？"]),
        ("他说（没有合上。然后走了。", ["他说（没有合上。", "然后走了。"]),
    ],
)
def test_a_sentence_never_ends_inside_title_marks_or_brackets(line, expected):
    assert paragraphs(parse_text(line)) == [expected]


def test_merged_inputs_with_the_same_title_get_distinct_chapter_titles(tmp_path):
    from tts_pipeline.pipeline import merge_articles

    one, two = parse_text("同一标题\n第一篇。"), parse_text("同一标题\n第二篇。")
    book, _ = merge_articles([one, two], "课程")
    assert [c.title for c in book.chapters] == ["同一标题", "同一标题（2）"]
