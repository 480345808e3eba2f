"""Loading the pronouncer fast: packed tables on disk, checked before they are trusted."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tts_pipeline.pronunciation import packed, pronounce_line
from tts_pipeline.pronunciation.once import stored_table, table_stamp
from tts_pipeline.pronunciation.readings import _readings_from_dictionaries, char_readings, marked
from tts_pipeline.pronunciation.segment import tokenizer

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample_article.txt"

SENTENCES = [
    "校长为(wèi)大家服务了三十年，银行行长说这个重(zhòng)要。",
    "实行(háng)资产盘活“一本账”管理。",
    "2024年GDP增长5.2%，他还是去了重庆。",
    "行人请走人行道，孩子们都长大了。",
    "𠀀😀 Hello, 世界！",
]


def token_rows(pron) -> list:
    rows = [[t.text, t.pinyin, t.source, t.start, t.spoken, t.word_start] for t in pron.tokens]
    return rows + [[n.code, n.message] for n in pron.notices]


# --- the packed format -------------------------------------------------------------

def test_a_packed_table_reads_back_what_was_packed(tmp_path) -> None:
    words = {"银行": "yin2 hang2/3", "重庆": "chong2 qing4/2", "a": "", "𠀀字": "x/1"}
    path = tmp_path / "t.packed"
    packed.write_table(path, packed.pack(words, "s1", "str", {"note": "hi"}))
    table = packed.open_table(path, "s1", "str")
    assert table == words and len(table) == 4 and table.meta == {"note": "hi"}
    assert table.get("银行") == "yin2 hang2/3" and table["a"] == "" and "重庆" in table
    assert table.get("银") is None and "行" not in table and table.get("\ud800") is None
    with pytest.raises(KeyError):
        table["没有"]

    counts = {f"w{i}": i * 7 for i in range(1000)}
    packed.write_table(path, packed.pack(counts, "s2", "int"))
    numbers = packed.open_table(path, "s2", "int")
    assert dict(numbers) == counts and numbers.get("w999") == 6993 and numbers.get("w1000", 0) == 0


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],  # one bit flipped in the values
        lambda data: data[:40] + bytes([data[40] ^ 0x20]) + data[41:],  # one bit flipped in the header
        lambda data: b"",
    ],
    ids=["truncated", "value-bit", "header-bit", "empty"],
)
def test_a_damaged_table_is_rebuilt_not_trusted(tmp_path, damage) -> None:
    built = []

    def build():
        built.append(1)
        return {"银行": "yin2 hang2/3", "行长": "hang2 zhang3/3"}, {"total": 6}

    path = tmp_path / "t.packed"
    first = packed.load_or_build(path, "stamp", "str", build)
    assert isinstance(first, packed.PackedTable) and built == [1]
    path.write_bytes(damage(path.read_bytes()))
    assert packed.open_table(path, "stamp", "str") is None
    again = packed.load_or_build(path, "stamp", "str", build)
    assert built == [1, 1]
    assert dict(again) == {"银行": "yin2 hang2/3", "行长": "hang2 zhang3/3"} and again.meta == {"total": 6}
    assert packed.open_table(path, "stamp", "str") is not None


def test_a_stale_table_is_rebuilt_and_removed(tmp_path, monkeypatch) -> None:
    built = []

    def build():
        built.append(1)
        return {"k": len(built)}, {}

    first = stored_table("demo", "int", ("jieba",), build, tmp_path)
    assert first["k"] == 1 and built == [1]
    assert stored_table("demo", "int", ("jieba",), build, tmp_path)["k"] == 1 and built == [1]
    (old,) = tmp_path.glob("demo-*.packed")
    # a new version of a package the table comes from
    monkeypatch.setattr("tts_pipeline.pronunciation.once.version", lambda name: "99.0")
    assert table_stamp("demo", ("jieba",)) != packed.read_header(old.read_bytes())["stamp"]
    assert stored_table("demo", "int", ("jieba",), build, tmp_path)["k"] == 2 and built == [1, 1]
    (new,) = set(tmp_path.glob("demo-*.packed")) - {old}
    # the old file was used a moment ago (by another installation, say), so it is kept ...
    assert old.exists()
    # ... until it has not been used for a while
    os.utime(old, (0, 0))
    new.unlink()
    assert stored_table("demo", "int", ("jieba",), build, tmp_path)["k"] == 3 and built == [1, 1, 1]
    assert list(tmp_path.glob("demo-*.packed")) == [new]


def test_an_unwritable_folder_still_gives_the_table(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    table = stored_table("demo", "str", (), lambda: ({"x": "y"}, {"total": 1}), blocker / "sub")
    assert table == {"x": "y"} and table.meta == {"total": 1}


# --- the tables reproduce their sources ---------------------------------------------

def test_the_prefix_table_segments_like_jieba_with_its_own_dictionary(tmp_path) -> None:
    import jieba

    plain = jieba.Tokenizer()
    plain.tmp_dir = str(tmp_path)
    plain.initialize()
    ours = tokenizer()
    assert isinstance(ours.FREQ, packed.PackedTable) or type(ours.FREQ) is not dict
    assert ours.total == plain.total and len(ours.FREQ) == len(plain.FREQ)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines() + SENTENCES
    for line in lines:
        assert list(ours.tokenize(line)) == list(plain.tokenize(line)), line
        for start in range(0, len(line), 3):
            piece = line[start : start + 2]
            assert ours.FREQ.get(piece) == plain.FREQ.get(piece), piece


def test_stored_char_readings_and_marks_match_the_dictionaries() -> None:
    from pypinyin.contrib.tone_convert import to_tone
    from pypinyin.pinyin_dict import pinyin_dict

    from tts_pipeline.pronunciation.context_model import context_model

    cedict = context_model().all_readings
    chars = set(SAMPLE.read_text(encoding="utf-8")) | set("行重长为了还都乐着觉得地和")
    chars |= {chr(code) for code in list(pinyin_dict)[::97]} | set(list(cedict)[::53])
    for char in chars:
        expected = _readings_from_dictionaries(char, pinyin_dict.get(ord(char)), cedict.get(char, ()))
        assert char_readings(char) == expected, char
        for syllable in expected:
            assert marked(syllable) == to_tone(syllable)
            neutral = syllable[:-1] + "5"
            assert marked(neutral) == to_tone(neutral)
    assert marked("lve4") == "lüè" and marked("de5") == "de" and marked("ge5") == "ge"


# --- a fresh process ------------------------------------------------------------------

_CHILD = """
import json, sys
from tts_pipeline.pronunciation import lexicon, readings, segment, pronounce_line
def refuse():
    raise AssertionError("a table was built instead of read")
if sys.argv[2] == "check":
    segment._build_prefix_table = lexicon.build_lexicon = readings._build_char_table = readings._build_marks = refuse
rows = []
for index, line in enumerate(json.loads(sys.argv[1])):
    pron = pronounce_line(line, "verify", index=index)
    rows.append([[t.text, t.pinyin, t.source, t.start, t.spoken, t.word_start] for t in pron.tokens]
                + [[n.code, n.message] for n in pron.notices])
from pathlib import Path
from tts_pipeline.pronunciation.commands import pinyin_line
marked = sum(len(pinyin_line(pronounce_line(line).tokens)) for line in Path(sys.argv[3]).read_text("utf-8").splitlines())
print(json.dumps({"rows": rows, "freq": type(segment.tokenizer().FREQ).__name__,
                  "lexicon": type(lexicon.lexicon()).__name__, "marked": marked,
                  "pypinyin imported": "pypinyin" in sys.modules}, ensure_ascii=False))
"""


def run_child(step: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(SENTENCES), step, str(SAMPLE)],
        capture_output=True, text=True, encoding="utf-8", env=dict(os.environ), timeout=300, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_fresh_process_with_prepared_tables_reads_as_this_one_does() -> None:
    here = [token_rows(pronounce_line(line, "verify", index=i)) for i, line in enumerate(SENTENCES)]
    run_child("prepare")  # opens the tables in the cache folder, or builds them there (importing pypinyin)
    child = run_child("check")  # may not build any
    assert child["freq"] == "PackedTable" and child["lexicon"] == "PackedTable"
    assert child["rows"] == here
    # the sample article read and tone-marked without pypinyin's 0.2-0.3 s import
    assert child["marked"] > 5000 and not child["pypinyin imported"]


def test_the_stored_context_model_guesses_exactly_as_the_one_computed_from_g2pm() -> None:
    from tts_pipeline.pronunciation.context_model import ContextModel, _package_folder, context_model

    computed = ContextModel(_package_folder())
    stored = context_model()
    dev = (ROOT / "benchmarks" / "data" / "cpp-dev" / "dev.sent").read_text(encoding="utf-8").splitlines()
    lines = [line.replace("\u2581", "") for line in dev[::60]] + SENTENCES
    assert sum(len(computed.guess(line)) for line in lines) > 500
    for line in lines:
        assert stored.guess(line) == computed.guess(line), line  # probabilities bit for bit


def test_pypinyins_character_dictionary_is_read_without_importing_pypinyin() -> None:
    from pypinyin.pinyin_dict import pinyin_dict

    from tts_pipeline.pronunciation.readings import pypinyin_char_dict

    assert pypinyin_char_dict() == pinyin_dict
    code = (
        "import sys; from tts_pipeline.pronunciation.readings import pypinyin_char_dict as d; "
        "from tts_pipeline.parse import parse_text; "
        "n = len(d()); parse_text('重(chóng)庆'); print(n, 'pypinyin' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(len(pinyin_dict)), "False"]
