"""Lessons as teachers write them: Latin runs classified, pinyin after its word as a hint, vocabulary lists,
dialogue turns (parse/latin.py, parse/lesson.py, pronunciation/lesson.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tts_pipeline.parse import parse_text, read_article
from tts_pipeline.parse.latin import ABBREVIATION, ENGLISH, PINYIN, POS, latin_runs
from tts_pipeline.pronunciation import LessonOptions, pronounce_article, pronounce_line
from tts_pipeline.pronunciation.numbers.letters import LETTER_PINYIN

DATA = Path(__file__).parent / "data" / "lessons"
LETTER_NAMES = {s for pinyin in LETTER_PINYIN.values() for s in pinyin.split()} - {"yi4", "ai1", "ou1", "en1"}


def runs(text):
    return [(text[r.start:r.end], r.kind, " ".join(r.syllables)) for r in latin_runs(text)]


@pytest.mark.parametrize("text, expected", [
    ("银行 yínháng", [("yínháng", PINYIN, "yin2 hang2")]),
    ("银行 yin2hang2", [("yin2hang2", PINYIN, "yin2 hang2")]),
    ("换钱 huàn qián", [("huàn qián", PINYIN, "huan4 qian2")]),
    ("学 ni3 hao3 ma", [("ni3 hao3 ma", PINYIN, "ni3 hao3 ma5")]),  # a toneless word joined to toned pinyin
    ("绿 lǜ", [("lǜ", PINYIN, "lv4")]),
    ("西安 Xī'ān", [("Xī'ān", PINYIN, "xi1 an1")]),
    ("n. bank", [("n.", POS, ""), ("bank", ENGLISH, "")]),
    ("v. to exchange money", [("v.", POS, ""), ("to exchange money", ENGLISH, "")]),
    ("GDP和NBA", [("GDP", ABBREVIATION, ""), ("NBA", ABBREVIATION, "")]),
    ("去过China", [("China", ENGLISH, "")]),  # toneless on its own: English
    ("一张SIM card", [("SIM card", ENGLISH, "")]),
    ("MP3", [("MP", ABBREVIATION, "")]),  # the number stays a number
])
def test_latin_runs_are_classified(text, expected):
    assert runs(text) == expected


def test_a_long_run_of_letters_and_digits_is_classified_in_linear_time():
    import time

    started = time.perf_counter()
    latin_runs("a1" * 20000 + "b")
    assert time.perf_counter() - started < 5


def test_pinyin_after_its_word_is_a_hint_that_stays_in_the_text():
    (sentence,) = list(parse_text("银行 yínháng").sentences())
    (hint,) = sentence.hints
    assert sentence.text == "银行 yínháng"
    assert (hint.start, hint.syllables, hint.written_at) == (0, ("yin2", "hang2"), 3)


@pytest.mark.parametrize("text, annotated", [
    ("我想去银行 yínháng", False),  # five characters, two syllables: not the word's pinyin
    ("银行yínháng", True),  # no space needed
    ("重庆 chongqing", True),  # toneless, each syllable a reading of its character
    ("重庆 Chongqing", False),  # a romanised name, as in brackets
    ("银行 bank", False),
])
def test_only_pinyin_with_one_syllable_per_character_annotates(text, annotated):
    (sentence,) = list(parse_text(text).sentences())
    assert bool(sentence.hints) is annotated


def test_pinyin_after_its_word_is_verified_like_any_hint():
    pron = pronounce_line("银行 yínxíng")
    assert [t.pinyin for t in pron.tokens[:2]] == ["yin2", "hang2"]
    (notice,) = pron.notices
    assert notice.code == "hint-overruled" and notice.text == "行"


@pytest.mark.parametrize("mode, spoken_pinyin, hinted", [
    ("hint", None, True),
    ("speak", "chong2 qing4", True),
    ("skip", None, False),
])
def test_pinyin_words_option(mode, spoken_pinyin, hinted):
    (sentence,) = list(parse_text("重庆 chóngqìng").sentences())
    from tts_pipeline.pronunciation import pronounce_sentence

    pron = pronounce_sentence(sentence, lesson=LessonOptions(pinyin_words=mode))
    written = next(t for t in pron.tokens if t.text == "chóngqìng")
    assert written.pinyin == spoken_pinyin
    assert (pron.tokens[0].source == "hint") is hinted


@pytest.mark.parametrize("mode, source, pinyin", [
    ("voice", "english", None),
    ("skip", "silent", None),
    ("spell", "normalized", "bi4 ei1 en1 kai1"),
])
def test_latin_option(mode, source, pinyin):
    from tts_pipeline.pronunciation import pronounce_sentence

    (sentence,) = list(parse_text("他去bank").sentences())
    pron = pronounce_sentence(sentence, lesson=LessonOptions(latin=mode))
    token = pron.tokens[-1]
    assert (token.text, token.source, token.pinyin) == ("bank", source, pinyin)
    assert [n.code for n in pron.notices] == (["latin-skipped"] if mode == "skip" else [])


def test_an_unknown_option_value_is_refused():
    with pytest.raises(ValueError, match="--latin 'loud'"):
        LessonOptions(latin="loud")


def _pronounced(name, **options):
    return list(pronounce_article(read_article(DATA / name), lesson=LessonOptions(**options)))


def _no_letter_names(prons):
    """No pinyin or English word is read with letter names."""
    for pron in prons:
        for token in pron.tokens:
            if any(r.kind in (PINYIN, ENGLISH) for r in latin_runs(token.text)) and token.pinyin:
                assert not set(token.pinyin.split()) & LETTER_NAMES, token


def test_the_issue_lesson():
    prons = _pronounced("bank.md")
    by_text = {p.sentence.text: p for p in prons}
    bank = by_text["银行 yínháng n. bank"]
    assert [(t.text, t.pinyin, t.source) for t in bank.tokens if t.text.strip()] == [
        ("银", "yin2", "hint"), ("行", "hang2", "hint"), ("yínháng", None, "silent"), ("n.", None, "silent"),
        ("bank", None, "english")]
    money = by_text["换钱 huàn qián v. to exchange money"]
    assert [t.text for t in money.tokens if t.source == "english"] == ["to exchange money"]
    assert money.sentence.entry.gloss == "to exchange money" and money.sentence.entry.pos == "v."
    a, b = by_text["A：你好！"], by_text["B：好的，您换多少？"]
    assert (a.sentence.speaker, b.sentence.speaker) == ("A", "B")
    assert a.tokens[0].text == "A：" and a.tokens[0].source == "silent"
    assert by_text["我想换钱。"].sentence.speaker == "A"  # the rest of A's turn
    assert all(p.notices == () for p in prons)
    _no_letter_names(prons)


def test_speak_labels():
    prons = _pronounced("bank.md", speak_labels=True)
    a = next(p for p in prons if p.sentence.speaker == "A")
    assert a.tokens[0].pinyin == "ei1"


def test_vocabulary_in_a_table_and_with_separators():
    prons = _pronounced("table.md")
    entries = [(p.sentence.text, p.sentence.entry) for p in prons if p.sentence.entry]
    assert [(e.word, e.pinyin, e.pos, e.gloss) for _, e in entries] == [
        ("银行", "yin2hang2", "名", "bank"),
        ("护照", "hu4zhao4", "n.", "passport"),
        ("填", "tián", "v.", "to fill in"),
        ("美元", "měiyuán", "", "US dollar"),
        ("人民币", "rénmínbì", "", "renminbi"),
    ]
    assert entries[0][0] == "银行 yin2hang2 名 bank"  # pipes dropped like other markup
    assert not any("|" in p.sentence.text or "---" in p.sentence.text for p in prons)
    first = next(p for p in prons if p.sentence.entry)
    assert [t.source for t in first.tokens if t.text == "名"] == ["silent"]  # 名 is a label here, not a word
    _no_letter_names(prons)


def test_a_dialogue_of_three_speakers():
    prons = _pronounced("dialogue.txt")
    turns = [(p.sentence.speaker, p.sentence.speaker_number) for p in prons if p.sentence.speaker]
    assert turns == [("甲", 0), ("乙", 1), ("乙", 1), ("丙", 2), ("甲", 0)]
    last = prons[-1]
    assert [(t.text, t.source) for t in last.tokens if t.source in ("english", "normalized")] == [
        ("ATM", "normalized"), ("SIM card", "english")]  # an abbreviation is spelled, an English phrase is not


def test_one_label_is_not_a_dialogue_and_mixed_sentences():
    prons = _pronounced("mixed.txt")
    assert all(p.sentence.speaker is None for p in prons)
    by_text = {p.sentence.text: p for p in prons}
    note = by_text["注意：这不是对话。"]
    assert note.tokens[0].pinyin == "zhu4"  # spoken: not a speaker label
    hello = by_text["他说 hello，然后学了“谢谢” xièxie。"]
    assert [(t.text, t.source) for t in hello.tokens if t.source == "english"] == [("hello", "english")]
    assert next(t for t in hello.tokens if t.text == "xièxie").pinyin == "xie4 xie5"  # pinyin on its own: spoken
    ni = by_text["我们今天学 ni3 hao3 ma 这句话。"]
    assert next(t for t in ni.tokens if t.text == "ni3 hao3 ma").pinyin == "ni3 hao3 ma5"
    _no_letter_names(prons)


def test_pinyin_on_its_own_is_offered_to_text_engines_as_homophones():
    pron = pronounce_line("学 ni3 hao3 ma")
    token = next(t for t in pron.tokens if t.text == "ni3 hao3 ma")
    from tts_pipeline.engines.homophones import homophone
    from tts_pipeline.hanzi import is_han
    from tts_pipeline.pronunciation.readings import is_reading

    assert len(token.spoken) == 3 and all(is_han(c) for c in token.spoken)
    assert all(is_reading(c, s) for c, s in zip(token.spoken, ("ni3", "hao3", "ma5")))
    assert token.spoken[0] == homophone("ni3")  # unambiguous where there is such a character


def test_lesson_options_change_the_pronunciation_cache_key(tmp_path):
    from tts_pipeline.pronunciation import PronunciationCache

    (sentence,) = list(parse_text("他去bank").sentences())
    cache = PronunciationCache(tmp_path)
    assert cache.pronounce(sentence, "verify", LessonOptions(latin="spell")).tokens[-1].source == "normalized"
    assert cache.pronounce(sentence, "verify", LessonOptions()).tokens[-1].source == "english"


def test_stored_pronunciations_keep_speaker_and_vocabulary():
    from tts_pipeline.modeljson import pronunciation_from_json, pronunciation_to_json

    for pron in _pronounced("bank.md"):
        assert pronunciation_from_json(pronunciation_to_json(pron)) == pron
