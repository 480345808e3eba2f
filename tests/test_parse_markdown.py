"""Markdown: markup is dropped, positions still point into the source."""
from tts_pipeline.parse import parse_text


def sentences(text, source="a.md"):
    return list(parse_text(text, source=source).sentences())


def test_emphasis_code_and_links_lose_their_markup():
    line = "这是**重(zhòng)要**的，看[链接](http://x.com/a)和`代码`。"
    (sentence,) = sentences(line)
    assert sentence.text == "这是重要的，看链接和代码。"
    assert sentence.clause_ends == (6,)
    (hint,) = sentence.hints
    assert sentence.text[hint.start] == "重" and hint.syllables == ("zhong4",)
    assert hint.position.column == line.index("(") + 1


def test_images_are_not_read():
    assert [s.text for s in sentences("看图![一张图](a.png)。")] == ["看图。"]


def test_positions_after_dropped_markup_point_at_the_source():
    line = "**好**。[重(chóng)庆](u)很美。"
    first, second = sentences(line)
    assert (first.text, second.text) == ("好。", "重庆很美。")
    assert line[second.position.column - 1] == "重"
    assert line[second.hints[0].position.column - 1] == "("


def test_code_blocks_are_skipped():
    text = "前。\n```\nprint('x')\n# 不是标题\n```\n后。"
    assert [s.text for s in sentences(text)] == ["前。", "后。"]


def test_plain_text_keeps_what_looks_like_markup():
    text = "这是**重要**的。\n```"
    assert [s.text for s in sentences(text, source="a.txt")] == ["这是**重要**的。", "```"]


def test_underscores_in_words_stay():
    assert sentences("文件名是 my_file_name 。")[0].text == "文件名是 my_file_name 。"
