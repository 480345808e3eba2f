"""The annotation grammar: which parentheticals are hints, and what they say."""
import pytest

from tts_pipeline.parse import extract_annotations, normalize_syllable
from tts_pipeline.parse.syllables import valid_syllables


@pytest.mark.parametrize(
    "written, expected",
    [
        ("chóng", "chong2"),
        ("zhòng", "zhong4"),
        ("zhong4", "zhong4"),
        ("ā", "a1"),
        ("hǎo", "hao3"),
        # neutral tone: 0, 5 or nothing
        ("de", "de5"),
        ("de0", "de5"),
        ("de5", "de5"),
        # ü written every way
        ("lǜ", "lv4"),
        ("lǘ", "lv2"),
        ("lǖ", "lv1"),
        ("nǚ", "nv3"),
        ("lü4", "lv4"),
        ("lv4", "lv4"),
        ("lu:4", "lv4"),
        ("lüè", "lve4"),
        # the lue/nue misspellings
        ("luè", "lve4"),
        ("lue4", "lve4"),
        ("nüè", "nve4"),
        ("nue4", "nve4"),
        # case
        ("CHÓNG", "chong2"),
        ("Chóng", "chong2"),
        ("LUÈ", "lve4"),
        ("Zhong4", "zhong4"),
        # a mark and a number that agree
        ("shàng4", "shang4"),
        # combining marks typed separately
        ("cho\u0301ng", "chong2"),
    ],
)
def test_normalize_syllable_accepts_every_spelling(written, expected):
    assert normalize_syllable(written) == expected


@pytest.mark.parametrize(
    "written",
    ["", "x", "zhongg", "chong6", "chóng4", "chóngqìng", "a1b", "hello", "记", "2024", "ch-ong", "xiāǎ"],
)
def test_normalize_syllable_rejects_what_is_not_one_syllable(written):
    assert normalize_syllable(written) is None


def test_valid_syllables_come_from_the_dictionary():
    syllables = valid_syllables()
    assert {"zhuang", "lve", "nv", "er", "ju", "a"} <= syllables
    assert "lue" not in syllables and "zhongg" not in syllables
    assert 380 < len(syllables) < 500


def hint_view(line):
    clean, hints = extract_annotations(line)
    return clean, [(h.start, h.syllables, h.written, h.position.column) for h in hints]


def test_one_character_annotation():
    assert hint_view("重(chóng)庆") == ("重庆", [(0, ("chong2",), "chóng", 2)])


@pytest.mark.parametrize("annotation", ["chóngqìng", "chong2 qing4", "chóng qìng", "chong2qing4", "CHÓNGQÌNG", "chóng'qìng"])
def test_multi_character_annotation_covers_the_characters_before_it(annotation):
    clean, hints = hint_view(f"在重庆({annotation})工作")
    assert clean == "在重庆工作"
    assert hints == [(1, ("chong2", "qing4"), annotation, 4)]


def test_full_width_parentheses():
    assert hint_view("银行（háng）")[1] == [(1, ("hang2",), "háng", 3)]
    assert hint_view("银行（yín háng）")[1] == [(0, ("yin2", "hang2"), "yín háng", 3)]


def test_unseparated_run_prefers_the_split_that_fits_the_characters():
    # xian is one syllable (先) or two (西安); the characters decide.
    assert hint_view("西安(xian)")[1] == [(0, ("xi5", "an5"), "xian", 3)]
    assert hint_view("首先(xiān)")[1] == [(1, ("xian1",), "xiān", 3)]
    assert hint_view("西安(xī'ān)")[1] == [(0, ("xi1", "an1"), "xī'ān", 3)]
    assert hint_view("天安门(tiān'ānmén)")[1][0][1] == ("tian1", "an1", "men2")


def test_long_unseparated_annotation():
    _, hints = hint_view("中华人民共和国(zhōnghuárénmíngònghéguó)")
    assert hints[0][1] == ("zhong1", "hua2", "ren2", "min2", "gong4", "he2", "guo2")
    assert hints[0][0] == 0


def test_consecutive_annotations_each_cover_their_own_character():
    clean, hints = hint_view("三(sān)攻(gōng)坚")
    assert clean == "三攻坚"
    assert hints == [(0, ("san1",), "sān", 2), (1, ("gong1",), "gōng", 8)]


def test_sample_spellings():
    assert hint_view("战略(luè)性")[1] == [(1, ("lve4",), "luè", 3)]
    assert hint_view("袁家军(jun1)强调")[1] == [(2, ("jun1",), "jun1", 4)]
    assert hint_view("的(de)")[1] == [(0, ("de5",), "de", 2)]


@pytest.mark.parametrize(
    "line",
    [
        "7月4日(记者 苏思)",
        "今年(2024年)",
        "新华社（新华社）电",
        "人工智能(AI)",
        "爱(AI)",  # capitals without tones: an acronym
        "重庆(Chongqing)",  # a romanised name, not neutral-tone hints
        "重(chóngqìng)",  # more syllables than characters
        "Hello(hǎo)",  # no Han character before it
        "好 (hǎo)",  # a space between
        "好()",
        "好( )",
        "好(hǎo!)",
        "好(6)",
        "先(xyz)",
        "重(chóng)庆(chóngqìng)",  # 重 is already annotated, so only 庆 is free
        "快(man)",  # toneless and not a reading of 快
    ],
)
def test_parentheticals_that_are_not_hints_stay_untouched(line):
    clean, hints = extract_annotations(line)
    if line.startswith("重(chóng)"):
        assert clean == "重庆(chóngqìng)" and len(hints) == 1
    else:
        assert (clean, hints) == (line, ())


def test_toneless_lowercase_hint_is_neutral_when_it_fits():
    assert hint_view("我的(de)书")[1] == [(1, ("de5",), "de", 3)]


def test_nested_parentheses_only_inner_is_considered():
    clean, hints = extract_annotations("文(注(zhù)释)")
    assert clean == "文(注释)"
    assert hints[0].syllables == ("zhu4",)


def test_position_counts_characters_not_bytes():
    _, hints = extract_annotations("——《重庆日报》重(chóng)")
    assert hints[0].position.column == 10
    assert hints[0].position.line == 1


@pytest.mark.parametrize("annotation", ["wánr", "wanr2", "WÁNR", "wan2 er5"])
def test_erhua_spelling_covers_the_er(annotation):
    clean, hints = hint_view(f"去玩儿({annotation})")
    assert clean == "去玩儿"
    assert hints[0][:2] == (1, ("wan2", "er5"))


def test_erhua_in_a_longer_word_and_only_before_er():
    assert hint_view("一点儿(yìdiǎnr)")[1][0][1] == ("yi4", "dian3", "er5")
    assert extract_annotations("那(nàr)") == ("那(nàr)", ())
