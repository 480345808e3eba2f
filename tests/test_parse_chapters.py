"""Chapter rules: headings, the news headline chapter, length targets, titles."""
import pytest

from tts_pipeline.errors import InputError
from tts_pipeline.parse import CHARS_PER_MINUTE, parse_text
from tts_pipeline.parse.chapters import AUTO_CHAPTER_MINUTES, TITLE_LENGTH, shorten


def paragraph(n_chars, seed="改革"):
    """One line of about n_chars Han characters, ending in 。."""
    body = (seed * n_chars)[: n_chars - 1]
    return body + "。"


def layout(article):
    """Chapters as lists of the first source line of each paragraph."""
    return [[p.sentences[0].position.line for p in c.paragraphs] for c in article.chapters]


def test_markdown_headings_start_chapters_and_title_them():
    text = "# 第一课 银行\n\n我在银行工作。\n\n## 第二课\n\n重新开始。\n"
    article = parse_text(text, source="lesson.md")
    assert [c.title for c in article.chapters] == ["第一课 银行", "第二课"]
    assert layout(article) == [[1, 3], [5, 7]]
    assert article.title == "第一课 银行"


def test_text_before_the_first_heading_is_its_own_chapter():
    article = parse_text("前言在这里。\n# 正文\n内容。", chapters="heading")
    assert [c.title for c in article.chapters] == ["前言在这里", "正文"]


def test_news_article_gets_a_headline_chapter():
    lines = ["重庆长江索道迎来第一千万名游客", "副标题 记者 苏思", paragraph(60), paragraph(80)]
    article = parse_text("\n".join(lines))
    assert layout(article)[0] == [1, 2]
    assert article.chapters[0].title == "重庆长江索道迎来第一千万名游客"
    assert article.title == "重庆长江索道迎来第一千万名游客"


def test_no_headline_chapter_when_the_first_line_is_a_sentence():
    article = parse_text("\n".join([paragraph(30), paragraph(30)]))
    assert layout(article) == [[1, 2]]


def test_a_list_without_punctuation_is_not_all_headline():
    lines = [f"第{i}项" for i in range(12)]
    article = parse_text("\n".join(lines))
    assert layout(article)[0] == [1]


def test_auto_groups_body_paragraphs_near_the_target_and_never_splits_one():
    target = int(AUTO_CHAPTER_MINUTES * CHARS_PER_MINUTE)
    lines = ["标题"] + [paragraph(target // 3) for _ in range(9)]
    article = parse_text("\n".join(lines))
    assert layout(article) == [[1], [2, 3, 4], [5, 6, 7], [8, 9, 10]]
    assert sum(len(c.paragraphs) for c in article.chapters) == 10


def test_short_tail_joins_the_chapter_before():
    target = int(AUTO_CHAPTER_MINUTES * CHARS_PER_MINUTE)
    lines = ["标题", paragraph(target), paragraph(target // 10)]
    assert layout(parse_text("\n".join(lines))) == [[1], [2, 3]]


def test_minutes_target():
    lines = [paragraph(CHARS_PER_MINUTE) for _ in range(6)]
    assert layout(parse_text("\n".join(lines), chapters="minutes:2")) == [[1, 2], [3, 4], [5, 6]]
    assert layout(parse_text("\n".join(lines), chapters="minutes:0.5")) == [[i] for i in range(1, 7)]


def test_minutes_still_breaks_at_headings():
    text = "# 甲\n" + paragraph(20) + "\n# 乙\n" + paragraph(20)
    article = parse_text(text, chapters="minutes:10")
    assert [c.title for c in article.chapters] == ["甲", "乙"]


def test_paragraph_mode_and_heading_joins_its_first_paragraph():
    article = parse_text("# 甲\n一。\n二。\n三。", chapters="paragraph")
    assert layout(article) == [[1, 2], [3], [4]]
    assert [c.title for c in article.chapters] == ["甲", "二", "三"]


def test_heading_mode_on_plain_text_is_one_chapter():
    article = parse_text("标题\n" + paragraph(2000) + "\n" + paragraph(2000), chapters="heading")
    assert len(article.chapters) == 1


def test_chapter_indexes_count_from_one():
    article = parse_text("\n".join(["标题"] + [paragraph(900) for _ in range(4)]))
    assert [c.index for c in article.chapters] == list(range(1, len(article.chapters) + 1))


def test_very_long_text_keeps_to_two_digit_chapter_numbers():
    lines = [paragraph(500) for _ in range(600)]
    assert len(parse_text("\n".join(lines)).chapters) <= 99


@pytest.mark.parametrize("mode", ["minutes", "minutes:", "minutes:-1", "minutes:0", "pages:3", "Auto", ""])
def test_invalid_chapter_rules(mode):
    with pytest.raises(InputError, match="auto, heading, paragraph or minutes:N"):
        parse_text("好。", chapters=mode)


def test_titles_are_shortened_readably():
    assert shorten("我们今天去重庆。") == "我们今天去重庆"
    long = "袁家军在全市三攻坚一盘活改革突破工作推进会上强调，要保持攻坚势头。"
    title = shorten(long)
    assert title.endswith("…") and len(title) <= TITLE_LENGTH + 1
    assert long.startswith(title[:-1])
    assert shorten("这是一个很长的标题，后面还有更多更多更多的很多文字内容") == "这是一个很长的标题…"


def test_markdown_paragraphs_and_markup():
    text = "# 课文\n第一行。\n第二行。\n\n- 列表一。\n- 列表二。\n> 引用。\n\n---\n最后。"
    article = parse_text(text, source="a.md")
    paragraphs = [[s.text for s in p.sentences] for c in article.chapters for p in c.paragraphs]
    assert paragraphs == [["课文"], ["第一行。", "第二行。"], ["列表一。"], ["列表二。", "引用。"], ["最后。"]]


def test_plain_text_drops_list_markers_and_splits_every_line():
    article = parse_text("- 列表一。\n第二行。\n* 列表二。\n* * *\n-5℃。")
    paragraphs = [[s.text for s in p.sentences] for c in article.chapters for p in c.paragraphs]
    assert paragraphs == [["列表一。"], ["第二行。"], ["列表二。"], ["* * *"], ["-5℃。"]]
