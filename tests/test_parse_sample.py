"""The real sample article: nothing lost, every annotation consumed, every position right."""
import re
from pathlib import Path

import pytest

from tts_pipeline.parse import extract_annotations, read_article

SAMPLE = Path(__file__).parent / "data" / "sample_article.txt"
# Any parenthetical whose content is Latin letters, tone marks, digits and spaces.
PINYIN_LOOKING = re.compile(r"[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü:' 0-5]+[)）]")


def spoken_line(line):
    """A source line as the article keeps it: annotations and the list item's leading ● gone."""
    return PINYIN_LOOKING.sub("", line).removeprefix("●").strip()


@pytest.fixture(scope="module")
def article():
    return read_article(SAMPLE)


@pytest.fixture(scope="module")
def source_lines():
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def test_every_annotation_is_consumed(article, source_lines):
    annotations = sum(len(PINYIN_LOOKING.findall(line)) for line in source_lines)
    hints = sum(len(s.hints) for s in article.sentences())
    assert annotations > 250
    assert hints == annotations
    for sentence in article.sentences():
        assert not PINYIN_LOOKING.search(sentence.text), sentence.text


def test_joining_sentences_gives_the_source_minus_annotations(article, source_lines):
    expected = "".join(spoken_line(line) for line in source_lines)
    joined = "".join(s.text for s in article.sentences())
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", expected)


def test_inner_text_is_kept_exactly(article, source_lines):
    by_line = {}
    for sentence in article.sentences():
        by_line.setdefault(sentence.position.line, []).append(sentence.text)
    for number, line in enumerate(source_lines, start=1):
        assert "".join(by_line[number]) == spoken_line(line)
    assert "记者 苏思 摄/视觉重庆" in by_line[1]


def test_every_hint_points_at_its_parenthesis(article, source_lines):
    for sentence in article.sentences():
        for hint in sentence.hints:
            line = source_lines[hint.position.line - 1]
            column = hint.position.column - 1
            assert line[column] in "(（"
            assert line[column + 1 : column + 1 + len(hint.written)] == hint.written
            assert line[column + 1 + len(hint.written)] in ")）"


def test_every_hint_sits_on_the_characters_before_its_parenthesis(article, source_lines):
    for sentence in article.sentences():
        for hint in sentence.hints:
            line = source_lines[hint.position.line - 1]
            before, _ = extract_annotations(line[: hint.position.column - 1])
            covered = sentence.text[hint.start : hint.end]
            assert before.endswith(covered), (covered, hint)


def test_sentence_positions_point_at_their_first_character(article, source_lines):
    for sentence in article.sentences():
        line = source_lines[sentence.position.line - 1]
        assert line[sentence.position.column - 1] == sentence.text[0]


def test_known_hints(article):
    hints = {(s.text[h.start : h.end], h.syllables) for s in article.sentences() for h in s.hints}
    assert ("略", ("lve4",)) in hints  # written luè
    assert ("军", ("jun1",)) in hints  # written with a tone number
    assert ("行", ("hang2",)) in hints  # 实行(háng): wrong, but a hint all the same
    assert ("的", ("de5",)) in hints


def test_sample_chapters(article, source_lines):
    first = article.chapters[0]
    assert [p.sentences[0].position.line for p in first.paragraphs] == [1, 2, 3, 4, 5]
    assert len(article.chapters) >= 2
    lines = [p.sentences[0].position.line for c in article.chapters for p in c.paragraphs]
    assert lines == list(range(1, len(source_lines) + 1))
    # the headline, not the photo caption above it (line 1, still spoken in its place)
    assert article.title == "袁家军在全市“三攻坚一盘活”改革突破工作推进会上强调"
    assert first.title.startswith("袁家军在全市")
    titles = [c.title for c in article.chapters]
    assert len(set(titles)) == len(titles)
    assert not any("●" in t for t in titles)
    assert not any("●" in s.text for s in article.sentences())
    assert sum(line.startswith("●") for line in source_lines) >= 5
