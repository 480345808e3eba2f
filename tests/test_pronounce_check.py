"""`tts-pipeline check` and `tts-pipeline pinyin` on the sample article and on short lines.

The sample's 292 annotated characters were read one by one. These are wrong:

- line 10, 总体要(yào)求: 要求 is yāoqiú;
- line 11, 新兴(xìng)产业: 新兴 is xīnxīng;
- line 13, 政企分(fèn)离: 分离 is fēnlí;
- line 14, 实行(háng): 实行 is shíxíng;
- line 19, 切(qiē)实维护: 切实 is qièshí;
- line 9, 为(wéi)夺取改革突破全年胜利奠定了坚实基础: 为 is the preposition
  "for", wèi. 为 is a word of its own, where a hint decides unless a
  grammatical rule contradicts it: here 为 heads a phrase completed by 奠定.

Everything else is right, including the ones that look odd: 袁家军(jun1) and
胡衡华(huá) are names, 战略(luè) is lüè spelled the common way, 势头(tóu) and
起来(lái) differ from the dictionary only by the neutral tone, 行为(wéi) and
重(chóng)组 are the dictionary readings. The sample's other 为 are read by
hand too: the unannotated ones on lines 6 (为…注入) and 19 (为…营造) are the
preposition wèi, and 行为(wéi) on line 18 is the copula's reading in a word.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from tts_pipeline.cli import main
from tts_pipeline.parse import extract_annotations, read_article
from tts_pipeline.pronunciation import pronounce_article
from tts_pipeline.pronunciation.commands import pinyin_line, run_check, run_pinyin

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample_article.txt"
LINES = SAMPLE.read_text(encoding="utf-8").splitlines()

# (line, character, hint as written, reading used)
WRONG = {
    (10, "要", "yao4", "yao1"),
    (11, "兴", "xing4", "xing1"),
    (13, "分", "fen4", "fen1"),
    (14, "行", "hang2", "xing2"),
    (19, "切", "qie1", "qie4"),
    (9, "为", "wei2", "wei4"),
}


@pytest.fixture(scope="module")
def notices():
    article = read_article(SAMPLE)
    return [n for p in pronounce_article(article) for n in p.notices]


def test_check_flags_exactly_the_wrong_annotations(notices) -> None:
    found = {(n.position.line, n.text, n.hint, n.used) for n in notices}
    assert found == WRONG
    assert all(n.code == "hint-overruled" for n in notices)


def test_every_flag_points_at_its_annotation(notices) -> None:
    for notice in notices:
        line = LINES[notice.position.line - 1]
        column = notice.position.column - 1
        assert line[column] in "(（"
        assert line[column - 1] == notice.text
        written = line[column + 1 :].split(")", 1)[0].split("）", 1)[0]
        assert extract_annotations(f"字({written})")[1][0].syllables == (notice.hint,)


def test_check_flags_the_wrong_wei_by_the_preposition_rule(notices) -> None:
    (wei,) = [n for n in notices if n.text == "为"]
    assert (wei.position.line, wei.hint, wei.used) == (9, "wei2", "wei4")
    assert wei.message == "为: hint wéi, used wèi (为 before …奠定 is the preposition wèi)"


def test_every_wei_of_the_sample_reads_as_read_by_hand() -> None:
    article = read_article(SAMPLE)
    found = [
        (p.sentence.position.line, t.pinyin)
        for p in pronounce_article(article)
        for t in p.tokens
        if t.text == "为"
    ]
    # 6: 为…注入, 9: 为…奠定, 19: 为…营造 are wèi; the two 行为 of line 18 are wéi
    assert found == [(6, "wei4"), (9, "wei4"), (18, "wei2"), (18, "wei2"), (19, "wei4")]


def test_check_command_prints_one_line_per_rejection_and_exits_1(capsys) -> None:
    assert main(["check", str(SAMPLE)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{SAMPLE}:14:41: 行: hint háng, used xíng (实行 is always shíxíng)" in out
    assert len(out) == len(WRONG) + 1
    assert out[-1] == f"{SAMPLE}: 6 of 292 annotated characters not read as written"


def test_check_exits_0_when_every_hint_is_used(tmp_path, capsys) -> None:
    article = tmp_path / "good.txt"
    article.write_text("他在银行(yín háng)工作，重(chóng)庆很美。\n", encoding="utf-8")
    assert main(["check", str(article)]) == 0
    assert capsys.readouterr().out == f"{article}: 0 of 3 annotated characters not read as written\n"


def test_check_under_force_and_off(tmp_path) -> None:
    article = tmp_path / "forced.txt"
    article.write_text("我们实行(háng)新计划，银行(zhòng)。\n", encoding="utf-8")
    out = io.StringIO()
    assert run_check(Namespace(file=str(article), hints="force"), stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("行: hint zhòng, used zhòng (zhòng is not a reading dictionaries list for 行; used as forced)")
    assert lines[-1].endswith("0 of 2 annotated characters not read as written")
    out = io.StringIO()
    assert run_check(Namespace(file=str(article), hints="off"), stdout=out) == 0
    assert out.getvalue().splitlines() == [f"{article}: hints are off: 2 annotated characters not checked"]


def test_check_of_a_missing_file_is_a_one_line_error(tmp_path, capsys) -> None:
    assert main(["check", str(tmp_path / "absent.txt")]) != 0
    err = capsys.readouterr().err
    assert "absent.txt" in err and "Traceback" not in err


# --- pinyin ------------------------------------------------------------------------

def _pinyin(*argv: str, stdin: str = "") -> str:
    args = Namespace(text=None, json=False, hints="verify")
    for flag in argv:
        if flag == "--json":
            args.json = True
        elif flag.startswith("--hints="):
            args.hints = flag.split("=", 1)[1]
        else:
            args.text = flag
    out = io.StringIO()
    assert run_pinyin(args, stdin=io.StringIO(stdin), stdout=out) == 0
    return out.getvalue()


def test_pinyin_json_one_array_per_line_with_every_token() -> None:
    lines = _pinyin("--json", stdin="重(chóng)庆的银行。\n2024年，AI\n").splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first == [
        {"text": "重", "pinyin": "chong2", "source": "hint"},
        {"text": "庆", "pinyin": "qing4", "source": "default"},
        {"text": "的", "pinyin": "de5", "source": "default"},
        {"text": "银", "pinyin": "yin2", "source": "default"},
        {"text": "行", "pinyin": "hang2", "source": "lexicon"},
        {"text": "。", "pinyin": None, "source": "none"},
    ]
    assert "".join(t["text"] for t in second) == "2024年，AI"
    assert {"text": "2024", "pinyin": "er4 ling2 er4 si4", "source": "normalized"} in second


def test_pinyin_text_argument_prints_text_and_marked_pinyin() -> None:
    assert _pinyin("重(chóng)庆的银行，很好！") == "重庆的银行，很好！\nchóng qìng de yín háng， hěn hǎo！\n"


def test_pinyin_hint_policy_option() -> None:
    assert json.loads(_pinyin("实行(háng)", "--json", "--hints=force"))[1]["pinyin"] == "hang2"
    assert json.loads(_pinyin("实行(háng)", "--json", "--hints=verify"))[1]["pinyin"] == "xing2"
    assert json.loads(_pinyin("都(dū)是", "--json", "--hints=off"))[0]["pinyin"] == "dou1"


def test_pinyin_line_keeps_punctuation_tight() -> None:
    from tts_pipeline.pronunciation import pronounce_text

    assert pinyin_line(pronounce_text("“好”，他说。")) == "“hǎo”， tā shuō。"


def test_pinyin_command_end_to_end_is_quiet_on_stderr() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tts_pipeline", "pinyin", "--json"],
        input="实行(háng)计划\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)[1] == {"text": "行", "pinyin": "xing2", "source": "lexicon"}
    # the one line on stderr is the overruled hint; jieba's loading chatter is gone
    assert done.stderr.splitlines() == ["tts-pipeline: <text>:1:3: 行: hint háng, used xíng (实行 is always shíxíng)"]
