"""The stages' objects to JSON and back: one rule for the clip cache, the keys file and the pronunciation cache."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tts_pipeline.model import Hint, Notice, Pronunciation, Sentence, SourcePosition, Token
from tts_pipeline.modeljson import (
    notice_from_json,
    notice_to_json,
    pronunciation_from_json,
    pronunciation_to_json,
)

WHERE = SourcePosition("a.txt", 3, 7)
NOTICE = Notice("hint-overruled", "行: hint háng, used xíng", 0, WHERE, "行", "hang2", "xing2")
PRON = Pronunciation(
    Sentence(0, "实行了。", (Hint(1, ("hang2",), "háng", WHERE),), (), SourcePosition("a.txt", 3, 1)),
    (Token("实", "shi2", "lexicon", 0, "实"), Token("行", "xing2", "lexicon", 1, "行", False),
     Token("了", "le5", "model", 2, "了"), Token("。", None, "none", 3, "。")),
    (NOTICE,),
)


def test_round_trips_through_json_text():
    assert notice_from_json(json.loads(json.dumps(notice_to_json(NOTICE)))) == NOTICE
    assert notice_from_json(notice_to_json(Notice("x", "y"))) == Notice("x", "y")
    assert pronunciation_from_json(json.loads(json.dumps(pronunciation_to_json(PRON)))) == PRON


@pytest.mark.parametrize("data", [None, [], {}, {"code": "x"}, {"code": "x", "message": "m", "colour": 1},
                                  {"code": "x", "message": "m", "position": {"path": "a"}}])
def test_what_was_not_written_by_it_is_a_value_error(data):
    with pytest.raises(ValueError):
        notice_from_json(data)
    with pytest.raises(ValueError):
        pronunciation_from_json(data)


def test_field_by_field_is_what_asdict_gives():
    """pronunciation_to_json and notice_to_json list the fields themselves (for speed): a field added to a
    dataclass must still be stored, as `asdict` would store it."""
    from dataclasses import asdict, replace

    from tts_pipeline.model import VocabularyEntry
    from tts_pipeline.parse import read_article
    from tts_pipeline.pronunciation import pronounce_article

    article = read_article(Path(__file__).parent / "data" / "sample_article.txt")
    pronunciations = list(pronounce_article(article))
    with_entry = replace(PRON, sentence=replace(PRON.sentence, entry=VocabularyEntry("实行", "shíxíng", "v", "carry out"),
                                                speaker="A"))
    for pron in (PRON, with_entry, *pronunciations):
        assert pronunciation_to_json(pron) == asdict(pron)
        assert json.dumps(pronunciation_to_json(pron)) == json.dumps(asdict(pron))
    assert any(p.sentence.hints for p in pronunciations)
    for notice in (NOTICE, Notice("x", "y")):
        assert notice_to_json(notice) == asdict(notice)
