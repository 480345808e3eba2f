"""Reading files: every supported encoding, and one-line errors for everything else."""
import codecs
import re
import subprocess
import sys

import pytest

from tts_pipeline.errors import InputError
from tts_pipeline.parse import read_article

TEXT = "重(chóng)庆的银行(háng)。\n“好！”他说。\n"


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-32"),
        TEXT.encode("gb18030"),
        TEXT.replace("\n", "\r\n").encode("gb18030"),
        TEXT.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "utf16-native", "utf32", "gb18030", "gb18030-crlf", "utf8-cr"],
)
def test_every_encoding_reads_the_same(tmp_path, encoded):
    path = tmp_path / "article.txt"
    path.write_bytes(encoded)
    article = read_article(path)
    assert [s.text for s in article.sentences()] == ["重庆的银行。", "“好！”", "他说。"]
    hint = next(article.sentences()).hints[0]
    assert (hint.position.path, hint.position.line, hint.position.column) == (str(path), 1, 2)


def error_for(tmp_path, data, name="bad.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_article(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert caught.value.exit_code == 2
    return message


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t  ", "\u3000\n".encode("utf-8"), codecs.BOM_UTF8])
def test_empty_input(tmp_path, data):
    assert "empty" in error_for(tmp_path, data)


def test_nul_bytes_mean_binary(tmp_path):
    message = error_for(tmp_path, b"abc\x00\x01\x02")
    assert "binary" in message and "byte offset 3" in message


def test_control_byte_junk_means_binary(tmp_path):
    message = error_for(tmp_path, "重庆".encode("utf-8") + b"\x01\x02\x03")
    assert "binary" in message and "byte offset 6" in message


def test_undecodable_bytes_name_the_offset(tmp_path):
    # valid UTF-8, then a byte that neither UTF-8 nor GB18030 accepts
    message = error_for(tmp_path, "重庆。".encode("utf-8") + b"\xff\xfe\xfd")
    assert re.search(r"byte 0xff at byte offset 9\b", message), message


def test_undecodable_gb18030_reports_where_gb18030_broke(tmp_path):
    message = error_for(tmp_path, "重庆的银行。".encode("gb18030") + b"\x80")
    assert "byte offset 12" in message, message


def test_bad_utf16_reports_an_offset(tmp_path):
    data = codecs.BOM_UTF16_LE + "好".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate
    assert "byte offset 4" in error_for(tmp_path, data)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match=r"no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match=r"is a directory"):
        read_article(tmp_path)


def test_bad_chapter_rule_is_an_input_error(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("好。", encoding="utf-8")
    with pytest.raises(InputError, match=r"minutes:N"):
        read_article(path, chapters="minutes:0")


def test_cli_prints_one_line_and_exits_2(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(b"\x00\x01binary")
    result = subprocess.run(
        [sys.executable, "-m", "tts_pipeline", "check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and "Traceback" not in result.stderr
