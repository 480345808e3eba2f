"""The inputs beyond .txt and .md: EPUB 2 and 3, saved pages and addresses, Word .docx, standard input.

Every fixture is built here (tests/inputs_fixtures.py); addresses are served by a local HTTP server on
127.0.0.1 that the tests start. Each bad input must give one line on stderr and exit code 2.
"""
from __future__ import annotations

import http.server
import io
import threading
import time
import zipfile
from pathlib import Path

import pytest

import inputs_fixtures as fx
from tts_pipeline import cli
from tts_pipeline.errors import InputError
from tts_pipeline.parse import read_article
from tts_pipeline.parse import epub as epub_reader
from tts_pipeline.parse import web


def texts(article) -> str:
    return "".join(s.text for s in article.sentences())


def hints(article) -> dict[str, tuple[str, ...]]:
    """The characters each hint covers -> its syllables."""
    return {s.text[h.start:h.end]: h.syllables for s in article.sentences() for h in s.hints}


def one_line_error(capsys, argv: list[str], *expected: str) -> str:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("tts-pipeline: error: ") and "Traceback" not in err, err
    for piece in expected:
        assert piece in err, err
    return err


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("books")
    fx.epub3(folder / "story.epub")
    fx.epub2(folder / "old.epub")
    fx.docx(folder / "lesson.docx")
    return folder


# EPUB


def test_epub3_chapters_are_the_table_of_contents_entries(books):
    article = read_article(books / "story.epub")
    assert [c.title for c in article.chapters] == ["一、回到重庆", "二、长大", "二（续）"]
    assert article.title == "重庆故事" and article.author == "王小明"
    assert [s.text for s in article.chapters[2].sentences()] == ["小节", "她在银行工作了三年。"]


def test_epub_cover_nav_images_notes_and_page_numbers_are_not_read(books):
    text = texts(read_article(books / "story.epub"))
    assert text.startswith("第一章 回到重庆他重新回到了重庆")
    for unread in ("封面", "cover", "注释", "脚注", "一、回到重庆", "7街", "高兴。1"):
        assert unread not in text


def test_epub_ruby_becomes_hints_zhuyin_included(books):
    found = hints(read_article(books / "story.epub"))
    assert found["重庆"] == ("chong2", "qing4")
    assert found["重"] == ("chong2",)
    assert found["银行"] == ("yin2", "hang2")  # <rt>ㄧㄣˊ ㄏㄤˊ</rt> with <rp> fallbacks
    assert found["长"] == ("zhang3",)


def test_epub2_with_an_ncx_only(books):
    article = read_article(books / "old.epub")
    assert [c.title for c in article.chapters] == ["上篇", "下篇"]
    assert (article.title, article.author) == ("旧书两章", "李老师")
    assert hints(article) == {"重": ("zhong4",)}


def test_epub_without_a_table_of_contents_uses_its_headings(tmp_path):
    fx.epub2(tmp_path / "plain.epub", chapters=("<h2>开头</h2><p>第一段。</p><h3>细节</h3><p>第二段。</p>",
                                                "<h4>小标题</h4><p>第三段。</p><h1>结尾</h1><p>第四段。</p>"))
    article = read_article(tmp_path / "plain.epub")
    assert [c.title for c in article.chapters] == ["开头", "细节", "结尾"]


def test_check_points_at_the_chapter_file_and_paragraph_of_a_wrong_ruby(books, capsys):
    assert cli.main(["check", str(books / "story.epub")]) == 1
    out = capsys.readouterr().out
    assert f"{books / 'story.epub'}:text/ch02.xhtml:paragraph 4: " in out  # 银<ruby>行<rt>xíng</rt></ruby>
    assert f"{books / 'story.epub'}:text/ch02.xhtml:paragraph 2: " in out  # <ruby>还<rt>huán</rt></ruby>是
    assert "2 of 8 annotated characters not read as written" in out


def test_truncated_epub_is_one_line(books, tmp_path, capsys):
    data = (books / "story.epub").read_bytes()
    (tmp_path / "cut.epub").write_bytes(data[: len(data) // 2])
    one_line_error(capsys, ["build", str(tmp_path / "cut.epub"), "-o", str(tmp_path / "out")], "cut.epub", "EPUB")
    assert not (tmp_path / "out").exists()


def test_epub_with_encrypted_text_is_called_drm(tmp_path, capsys):
    encryption = b"""<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
      xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
      <enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <enc:CipherData><enc:CipherReference URI="OEBPS/a.html"/></enc:CipherData></enc:EncryptedData></encryption>"""
    fx.epub2(tmp_path / "locked.epub", {"META-INF/encryption.xml": encryption})
    one_line_error(capsys, ["check", str(tmp_path / "locked.epub")], "DRM")


def test_epub_whose_encryption_only_obfuscates_fonts_is_read(tmp_path):
    encryption = b"""<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
      xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
      <enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
      <enc:CipherData><enc:CipherReference URI="OEBPS/font.otf"/></enc:CipherData></enc:EncryptedData></encryption>"""
    fx.epub2(tmp_path / "fonts.epub", {"META-INF/encryption.xml": encryption})
    assert read_article(tmp_path / "fonts.epub").title == "旧书两章"


def test_epub_that_unpacks_too_large_is_refused_before_unpacking(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(epub_reader, "MAX_BOOK_BYTES", 2**20)
    fx.epub2(tmp_path / "bomb.epub", {"OEBPS/zeros.bin": bytes(3 * 2**20)})
    assert (tmp_path / "bomb.epub").stat().st_size < 2**20 / 10
    one_line_error(capsys, ["check", str(tmp_path / "bomb.epub")], "it would unpack to 3 MB")


# Saved pages


def test_saved_page_loses_its_boilerplate(tmp_path):
    (tmp_path / "news.html").write_bytes(fx.news_page())
    article = read_article(tmp_path / "news.html")
    text = texts(article)
    assert article.title == "重庆的银行开始营业"
    assert "正式开门营业" in text and "方便了市民的生活" in text
    for boilerplate in fx.BOILERPLATE:
        assert boilerplate not in text
    assert [c.title for c in article.chapters] == ["重庆的银行开始营业", "市民反应"]
    assert hints(article) == {"重庆": ("chong2", "qing4"), "行": ("hang2",)}


def test_page_positions_are_paragraph_numbers(tmp_path):
    (tmp_path / "news.html").write_bytes(fx.news_page())
    positions = [str(s.position) for s in read_article(tmp_path / "news.html").sentences()]
    assert positions[1] == f"{tmp_path / 'news.html'}:paragraph 2"


def test_page_in_its_declared_gb2312_is_read(tmp_path):
    (tmp_path / "gb.htm").write_bytes(fx.news_page("gb2312"))
    assert "正式开门营业" in texts(read_article(tmp_path / "gb.htm"))


def test_page_whose_declared_charset_is_wrong_is_one_line(tmp_path, capsys):
    (tmp_path / "wrong.html").write_bytes(fx.NEWS_PAGE.format(charset="utf-8").encode("gb18030"))
    one_line_error(capsys, ["check", str(tmp_path / "wrong.html")], "declares charset utf-8 but byte 0x")


def test_page_without_an_article_is_one_line(tmp_path, capsys):
    (tmp_path / "menu.html").write_text(
        '<html><head><meta charset="utf-8"><title>首页</title></head><body><nav><a href="/">首页</a>'
        '<a href="/a">新闻</a></nav><footer>版权所有</footer></body></html>', encoding="utf-8")
    one_line_error(capsys, ["build", str(tmp_path / "menu.html"), "-o", str(tmp_path / "out")], "no article text")
    assert not (tmp_path / "out").exists()


# Addresses, served from 127.0.0.1


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        page = fx.news_page()
        if self.path == "/news":
            self._send(200, "text/html; charset=utf-8", page)
        elif self.path == "/gbk":  # charset only in the header
            self._send(200, "text/html; charset=GBK", fx.NEWS_PAGE.replace('<meta charset="{charset}">', "")
                       .replace("{{", "{").replace("}}", "}").encode("gb18030"))
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/news")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, "text/html", page)
        elif self.path == "/paper.pdf":
            self._send(200, "application/pdf", b"%PDF-1.4")
        elif self.path == "/huge":
            self._send(200, "text/html", page + b" " * 200_000, length=False)
        else:
            self._send(404, "text/html", b"<html><body>not here</body></html>")

    def _send(self, status: int, kind: str, body: bytes, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def test_address_is_fetched_and_extracted(site):
    article = read_article(f"{site}/news")
    assert article.title == "重庆的银行开始营业" and article.source == f"{site}/news"
    assert "网友" not in texts(article) and hints(article)["重庆"] == ("chong2", "qing4")


def test_address_follows_a_redirect(site):
    assert "正式开门营业" in texts(read_article(f"{site}/moved"))


def test_charset_in_the_http_header_is_honoured(site):
    assert "正式开门营业" in texts(read_article(f"{site}/gbk"))


@pytest.mark.parametrize("path, expected", [
    ("/gone", "answered 404"),
    ("/paper.pdf", "is application/pdf, not a web page"),
    ("/loop", "more than 5 redirects"),
])
def test_bad_address_is_one_line(site, capsys, tmp_path, path, expected):
    one_line_error(capsys, ["build", site + path, "-o", str(tmp_path / "out")], site + path, expected)
    assert not (tmp_path / "out").exists()


def test_slow_address_times_out(site, capsys, monkeypatch):
    monkeypatch.setattr(web, "READ_TIMEOUT", 0.3)
    one_line_error(capsys, ["check", f"{site}/slow"], "no answer within 0.3 s")


def test_page_larger_than_the_cap_stops_the_download(site, capsys, monkeypatch):
    monkeypatch.setattr(web, "MAX_PAGE_BYTES", 100_000)
    one_line_error(capsys, ["check", f"{site}/huge"], "larger than")


def test_nothing_listens_is_one_line(capsys):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    one_line_error(capsys, ["check", f"http://127.0.0.1:{port}/x"], "cannot connect")


# Word


def test_docx_headings_tables_text_boxes_and_phonetic_guide(books):
    article = read_article(books / "lesson.docx")
    assert (article.title, article.author) == ("第三课 银行", "李老师")
    assert [c.title for c in article.chapters] == ["第三课 银行", "课文", "生词"]
    assert [s.text for s in article.chapters[1].sentences()] == [
        "课文", "我去银行取钱，银行的人很多。", "提示：带好存折。"]  # the text box once, after its paragraph
    assert [s.text for s in article.chapters[2].sentences()] == [
        "生词", "银行", "一个存钱的地方。", "重要", "非常要紧。", "下课了。"]
    assert [(s.text[h.start], h.syllables) for s in article.chapters[1].sentences() for h in s.hints] == [
        ("行", ("hang2",)), ("行", ("hang2",))]  # Word's ruby, then an inline 行(háng)


@pytest.mark.parametrize("content", [b"just text, not a package", b"PK\x03\x04broken"])
def test_file_that_is_not_a_docx_is_one_line(tmp_path, capsys, content):
    (tmp_path / "fake.docx").write_bytes(content)
    one_line_error(capsys, ["check", str(tmp_path / "fake.docx")], "not a Word .docx document")


def test_zip_that_is_not_a_word_document_is_one_line(tmp_path, capsys):
    with zipfile.ZipFile(tmp_path / "other.docx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    one_line_error(capsys, ["check", str(tmp_path / "other.docx")], "no word/document.xml")


# Standard input


class _Stdin(io.TextIOWrapper):
    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data), encoding="utf-8")


def test_stdin_is_an_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin("今日新闻\n实行(háng)新的规定。\n".encode()))
    assert cli.main(["check", "-"]) == 1
    out = capsys.readouterr().out
    assert "<stdin>:2:" in out and "1 of 1 annotated characters not read as written" in out


def test_binary_stdin_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin(b"\x89PNG\r\n\x1a\n\x00\x00\x00"))
    one_line_error(capsys, ["check", "-"], "<stdin>", "binary")


def test_stdin_title_is_its_first_line(monkeypatch):
    monkeypatch.setattr("sys.stdin", _Stdin("今天的新闻\n\n他去了银行。\n".encode()))
    assert read_article("-").title == "今天的新闻"


def test_unreadable_input_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "missing.epub")


# Whole builds: the book keeps the input's chapters, titles, author and ruby readings


def _tokens(manifest, text: str):
    """The tokens of the first sentence holding `text`."""
    return next(s.tokens for s in manifest.sentences if text in s.text)


def test_epub_builds_into_a_book_with_its_chapters_title_author_and_ruby(books, tmp_path, capsys):
    import tone_engine  # noqa: F401 - registers the test-tone engine
    from mutagen.id3 import ID3

    from tts_pipeline.export.manifest import Manifest

    out = tmp_path / "book"
    assert cli.main(["build", str(books / "story.epub"), "-o", str(out), "--engine", "test-tone", "--quiet",
                     "--no-cache"]) == 0, capsys.readouterr().err
    manifest = Manifest.read(out / "manifest.json")
    assert [c.title for c in manifest.chapters] == ["一、回到重庆", "二、长大", "二（续）"]
    assert (manifest.title, manifest.publishing["author"]) == ("重庆故事", "王小明")
    tags = ID3(out / "book.mp3")
    assert tags["TIT2"].text == ["重庆故事"] and tags["TPE1"].text == ["王小明"]
    assert [tags[f"CHAP:chp{i}"].sub_frames["TIT2"].text[0] for i in (1, 2, 3)] == ["一、回到重庆", "二、长大", "二（续）"]
    chong = [(t.text, t.pinyin, t.source) for t in _tokens(manifest, "他重新回到了重庆") if t.text == "重"]
    assert chong == [("重", "chong2", "hint"), ("重", "chong2", "hint")]
    assert ("行", "hang2", "hint") in [(t.text, t.pinyin, t.source) for t in _tokens(manifest, "街上的银行")]
    warned = {(w.path, w.line) for w in manifest.warnings if w.code.startswith("hint")}
    assert (f"{books / 'story.epub'}:text/ch02.xhtml", 4) in warned  # the wrong 行(xíng), by paragraph


@pytest.mark.parametrize("source", ["docx", "stdin", "address"])
def test_other_inputs_build(source, books, site, tmp_path, monkeypatch, capsys):
    import tone_engine  # noqa: F401 - registers the test-tone engine

    from tts_pipeline.export.manifest import Manifest

    given = {"docx": str(books / "lesson.docx"), "stdin": "-", "address": f"{site}/news"}[source]
    if source == "stdin":
        monkeypatch.setattr("sys.stdin", _Stdin("今天的新闻\n\n他重(chóng)新去了银行。\n".encode()))
    out = tmp_path / "out"
    assert cli.main(["build", given, "-o", str(out), "--engine", "test-tone", "--quiet",
                     "--no-cache"]) == 0, capsys.readouterr().err
    manifest = Manifest.read(out / "manifest.json")
    expected = {"docx": "第三课 银行", "stdin": "今天的新闻", "address": "重庆的银行开始营业"}[source]
    assert manifest.title == expected and manifest.source == {"stdin": "<stdin>"}.get(source, given)
    assert any(t.source == "hint" for s in manifest.sentences for t in s.tokens)


# Ruby in every form, and in Markdown


@pytest.mark.parametrize("zhuyin, pinyin", [
    ("ㄔㄨㄥˊ", "chong2"), ("ㄔㄨㄥˊ ㄑㄧㄥˋ", "chong2 qing4"), ("ㄔㄨㄥˊㄑㄧㄥˋ", "chong2 qing4"),
    ("˙ㄉㄜ", "de5"), ("ㄉㄜ˙", "de5"), ("ㄓㄨㄥ", "zhong1"), ("ㄓㄨㄥˉ", "zhong1"), ("ㄌㄩˋ", "lv4"), ("ㄦˊ", "er2"),
    ("ㄅ˙˙", None),
])
def test_zhuyin_readings_become_pinyin(zhuyin, pinyin):
    from tts_pipeline.parse.ruby import zhuyin_to_pinyin

    assert zhuyin_to_pinyin(zhuyin) == pinyin


@pytest.mark.parametrize("html, text, found", [
    ("<ruby>重<rt>chóng</rt>庆<rt>qìng</rt></ruby>", "重庆", {"重": ("chong2",), "庆": ("qing4",)}),
    ("<ruby><rb>重</rb><rb>庆</rb><rtc><rt>chóng</rt><rt>qìng</rt></rtc></ruby>", "重庆", {"重庆": ("chong2", "qing4")}),
    ("<ruby>重庆<rt>chóng</rt><rt>qìng</rt></ruby>", "重庆", {"重庆": ("chong2", "qing4")}),
    ("<ruby>漢字<rp>（</rp><rt>かんじ</rt><rp>）</rp></ruby>", "漢字", {}),  # Japanese: not pinyin, not read
    ("<ruby>重庆<rt>Chongqing</rt></ruby>", "重庆", {}),  # a romanised name, as for 重庆(Chongqing)
    ("<ruby>AI<rt>ài</rt></ruby>", "AI", {}),  # ruby over Latin letters
])
def test_ruby_forms(html, text, found):
    from tts_pipeline.parse.web import page_article

    article = page_article(f"<html><body><article><p>他说{html}很好，大家都同意这个说法，没有人反对。</p></article></body></html>", "x.html")
    assert texts(article) == f"他说{text}很好，大家都同意这个说法，没有人反对。"
    assert hints(article) == found


def test_markdown_ruby_is_a_hint_placed_where_it_was_written():
    from tts_pipeline.parse import parse_text

    article = parse_text("# 课文\n\n他<ruby>重<rt>chóng</rt></ruby>新去了<ruby>長<rp>(</rp><rt>ㄓㄤˇ</rt><rp>)</rp></ruby>城(chéng)。",
                         source="lesson.md")
    sentence = list(article.sentences())[1]
    assert sentence.text == "他重新去了長城。"
    assert [(sentence.text[h.start], h.syllables, str(h.position)) for h in sentence.hints] == [
        ("重", ("chong2",), "lesson.md:3:2"), ("長", ("zhang3",), "lesson.md:3:33"), ("城", ("cheng2",), "lesson.md:3:80")]


def test_pinyin_reads_any_input(books, capsys):
    assert cli.main(["pinyin", "--input", str(books / "old.epub"), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # one per sentence: 今天我们学习重要的生词。明天复习。后天考试。
    import json

    first = json.loads(lines[0])
    assert {"text": "重", "pinyin": "zhong4", "source": "hint"} in first


def test_pinyin_takes_text_or_input_not_both(books, capsys):
    assert cli.main(["pinyin", "你好", "--input", str(books / "old.epub")]) == 1
    assert "not both" in capsys.readouterr().err


def test_ruby_in_a_page_title_is_not_part_of_the_title(tmp_path):
    from tts_pipeline.parse.web import page_article

    article = page_article("<html><head><title>x</title></head><body><article><h1><ruby>重庆<rt>chóng qìng</rt></ruby>"
                           "新闻</h1><p>今天上午，重庆的一家银行正式开门营业，许多市民排队办理业务。</p></article></body></html>",
                           "t.html")
    assert article.title == "重庆新闻" and article.chapters[0].title == "重庆新闻"


def test_docx_merged_cell_is_read_once(tmp_path):
    import docx as python_docx

    document = python_docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "合并的标题。"
    table.cell(1, 0).text = "左边。"
    table.cell(1, 1).text = "右边。"
    document.save(str(tmp_path / "merged.docx"))
    assert [s.text for s in read_article(tmp_path / "merged.docx").sentences()] == ["合并的标题。", "左边。", "右边。"]


def test_stdin_and_addresses_have_no_build_stamp_and_a_folder_name(tmp_path):
    from tts_pipeline.incremental import build_stamp
    from tts_pipeline.inputnames import input_stem

    (tmp_path / "a.txt").write_text("你好。", encoding="utf-8")
    assert build_stamp([str(tmp_path / "a.txt")], ()) is not None
    assert build_stamp(["-"], ()) is None and build_stamp(["https://example.com/a.html"], ()) is None
    assert [input_stem(n) for n in ("-", "https://example.com/news/2024/story.html?x=1", "https://example.com/",
                                    "book.epub")] == ["stdin", "story", "example.com", "book"]


@pytest.mark.parametrize("encoding", ["utf-8", "gb2312"])
def test_saved_xhtml_page_with_an_xml_declaration(tmp_path, encoding):
    page = f'<?xml version="1.0" encoding="{encoding}"?>\n' + fx.NEWS_PAGE.replace('<meta charset="{charset}">', "")
    (tmp_path / "news.xhtml").write_bytes(page.replace("{{", "{").replace("}}", "}").encode("gb18030" if encoding == "gb2312" else encoding))
    assert read_article(tmp_path / "news.xhtml").title == "重庆的银行开始营业"
