"""Input documents built in code for the reader tests: EPUB 3 (ebooklib), EPUB 2 (by hand, NCX only),
a news page with boilerplate around the article, a .docx (python-docx) with Word's phonetic guide."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

CHAPTER_ONE = """<h1>第一章 回到重庆</h1>
<p>他<ruby>重<rt>chóng</rt></ruby>新回到了<ruby>重庆<rt>chóng qìng</rt></ruby>，心里很高兴。<sup><a href="#fn1" epub:type="noteref">1</a></sup></p>
<p><span epub:type="pagebreak" id="page7" title="7">7</span>街上的<ruby>银行<rp>(</rp><rt>ㄧㄣˊ ㄏㄤˊ</rt><rp>)</rp></ruby>都开门了。</p>
<img src="cover.jpg" alt="封面图片"/>
<aside epub:type="footnote" id="fn1"><p>注释：这是一个脚注。</p></aside>"""

CHAPTER_TWO = """<h1>第二章 长大</h1>
<p>孩子们都<ruby>长<rt>zhǎng</rt></ruby>大了，<ruby>还<rt>huán</rt></ruby>是那么可爱。</p>
<h2 id="part2">小节</h2>
<p>她在银<ruby>行<rt>xíng</rt></ruby>工作了三年。</p>"""


def _xhtml(title: str, body: str, declaration: bool = True) -> str:
    head = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' if declaration else ""
    return (f'{head}<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
            f'<head><title>{title}</title></head><body>{body}</body></html>')


def epub3(path: Path) -> Path:
    """An EPUB 3 written by ebooklib: cover page, two chapters, nav titles that differ from the headings."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("tts-pipeline-test-3")
    book.set_title("重庆故事")
    book.set_language("zh")
    book.add_author("王小明")
    cover = epub.EpubHtml(title="封面", file_name="text/cover.xhtml", lang="zh")
    cover.content = _xhtml("封面", '<div><img src="cover.jpg" alt="cover"/></div>', declaration=False)
    one = epub.EpubHtml(title="回到重庆", file_name="text/ch01.xhtml", lang="zh")
    one.content = _xhtml("一", CHAPTER_ONE, declaration=False)
    two = epub.EpubHtml(title="长大", file_name="text/ch02.xhtml", lang="zh")
    two.content = _xhtml("二", CHAPTER_TWO, declaration=False)
    for item in (cover, one, two):
        book.add_item(item)
    book.toc = [epub.Link("text/ch01.xhtml", "一、回到重庆", "c1"), epub.Link("text/ch02.xhtml", "二、长大", "c2"),
                epub.Link("text/ch02.xhtml#part2", "二（续）", "c3")]
    book.add_item(epub.EpubNav())
    book.spine = [cover, "nav", one, two]
    epub.write_epub(str(path), book)
    return path


_CONTAINER = """<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"""

_OPF2 = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
<dc:title>旧书两章</dc:title><dc:creator opf:role="aut">李老师</dc:creator><dc:language>zh</dc:language>
<dc:identifier id="id">tts-pipeline-test-2</dc:identifier></metadata>
<manifest><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
<item id="a" href="a.html" media-type="application/xhtml+xml"/>
<item id="b" href="b.html" media-type="application/xhtml+xml"/></manifest>
<spine toc="ncx"><itemref idref="a"/><itemref idref="b"/></spine></package>"""

_NCX = """<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head/><docTitle><text>旧书两章</text></docTitle>
<navMap><navPoint id="n1" playOrder="1"><navLabel><text>上篇</text></navLabel><content src="a.html"/></navPoint>
<navPoint id="n2" playOrder="2"><navLabel><text>下篇</text></navLabel><content src="b.html"/></navPoint></navMap></ncx>"""


def epub2(path: Path, extra: dict[str, bytes] | None = None, chapters: tuple[str, str] | None = None) -> Path:
    """An EPUB 2 built file by file: an NCX table of contents and no nav document; `chapters` replaces the
    two chapter bodies, and `extra` adds files."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", _CONTAINER)
        archive.writestr("OEBPS/content.opf", _OPF2)
        archive.writestr("OEBPS/toc.ncx", _NCX if chapters is None else re.sub("<navMap>.*</navMap>", "<navMap/>", _NCX, flags=re.S))
        one, two = chapters or ("<p>今天我们学习<ruby>重<rt>zhòng</rt></ruby>要的生词。</p>", "<p>明天复习。</p><p>后天考试。</p>")
        archive.writestr("OEBPS/a.html", _xhtml("a", one))
        archive.writestr("OEBPS/b.html", _xhtml("b", two))
        for name, data in (extra or {}).items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


NEWS_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}"><title>重庆的银行开始营业_新闻频道_某某网</title>
<meta property="og:title" content="重庆的银行开始营业"><meta name="author" content="记者 张三">
<script>var ad = "不要读这段脚本";</script><style>body {{ color: black }}</style></head>
<body>
<header><div class="logo">某某网</div><nav><ul><li><a href="/">首页</a></li><li><a href="/news">新闻</a></li>
<li><a href="/sports">体育</a></li><li><a href="/money">财经</a></li><li><a href="/login">登录注册</a></li></ul></nav></header>
<div class="ad banner">广告：买房就找我们，优惠多多，欢迎来电咨询！</div>
<main><article>
<h1>重庆的银行开始营业</h1>
<p class="meta">2024年5月1日 来源：某某网</p>
<p>新华社<ruby>重庆<rt>chóng qìng</rt></ruby>电，今天上午，重庆的一家银<ruby>行<rt>háng</rt></ruby>正式开门营业，许多市民排队办理业务。</p>
<h2>市民反应</h2>
<p>许多市民表示，这家银行服务周到，环境舒适，他们都很满意。银行行长说，他们将继续努力，不断提高服务水平。</p>
<p>据了解，这家银行是今年重庆新开的第十家银行，全市的银行网点已经超过两千个，方便了市民的生活。</p>
</article></main>
<aside class="sidebar"><h3>热门推荐</h3><ul><li><a href="/1">明星离婚内幕曝光</a></li><li><a href="/2">十种食物千万不能一起吃</a></li></ul></aside>
<section id="comments" class="comments"><h3>网友评论</h3><div class="comment"><p>网友甲：太好了，支持！</p></div>
<div class="comment"><p>网友乙：我明天也去看看。</p></div></section>
<footer><p>版权所有 © 2024 某某网 京ICP备12345678号 联系我们 广告服务</p></footer>
</body></html>"""

BOILERPLATE = ("首页", "广告", "网友", "版权所有", "热门推荐", "明星离婚", "不要读")


def news_page(charset: str = "utf-8") -> bytes:
    return NEWS_PAGE.format(charset=charset).encode("gb18030" if charset.lower().startswith("gb") else "utf-8")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"


def docx(path: Path) -> Path:
    """A lesson: Title, two Heading 1 sections, a table, a text box, and one phonetic-guide character."""
    import docx as python_docx
    from docx.oxml import parse_xml

    document = python_docx.Document()
    document.core_properties.title = "第三课 银行"
    document.core_properties.author = "李老师"
    document.add_heading("第三课 银行", level=0)
    document.add_heading("课文", level=1)
    paragraph = document.add_paragraph("我去银")
    paragraph._p.append(parse_xml(
        f'<w:r xmlns:w="{W}"><w:ruby><w:rubyPr><w:rubyAlign w:val="center"/></w:rubyPr>'
        f'<w:rt><w:r><w:t>háng</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>行</w:t></w:r></w:rubyBase></w:ruby></w:r>'))
    paragraph.add_run("取钱，银行(háng)的人很多。")
    paragraph._p.append(parse_xml(  # a text box, as Word writes it: a drawing, and a VML copy for old readers
        f'<w:r xmlns:w="{W}" xmlns:mc="{MC}" xmlns:wps="{WPS}" xmlns:v="urn:schemas-microsoft-com:vml">'
        f'<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        f'<w:p><w:r><w:t>提示：带好存折。</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>提示：带好存折。</w:t></w:r></w:p>'
        f'</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'))
    document.add_heading("生词", level=1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "银行"
    table.cell(0, 1).text = "一个存钱的地方。"
    table.cell(1, 0).text = "重(zhòng)要"
    table.cell(1, 1).text = "非常要紧。"
    document.add_paragraph("下课了。")
    document.save(str(path))
    return path
