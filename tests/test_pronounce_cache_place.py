"""Stored pronunciations are found by what a sentence says, and come back placed where it stands."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from tts_pipeline.parse import read_article
from tts_pipeline.pronunciation import PronunciationCache, pronounce_sentence

SAMPLE = Path(__file__).parent / "data" / "sample_article.txt"


def _stored(cache: PronunciationCache) -> set[Path]:
    return set(cache.folder.rglob("*.json"))


def test_a_moved_and_copied_article_is_read_from_the_store_as_if_read_afresh(tmp_path):
    cache = PronunciationCache(tmp_path / "cache")
    first = list(read_article(SAMPLE).sentences())
    for sentence in first:
        assert cache.pronounce(sentence, "verify") == pronounce_sentence(sentence, "verify")
    stored = _stored(cache)
    assert len({s.text for s in first}) < len(stored) <= len(first)  # one text twice, hinted differently

    # Two lines above it and another file: every line, file name and hint position differs.
    moved = tmp_path / "moved.txt"
    moved.write_text("\n\n" + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    second = list(read_article(moved).sentences())
    assert [s.text for s in second] == [s.text for s in first]
    notices = 0
    for old, sentence in zip(first, second):
        assert sentence.position != old.position
        found = cache.pronounce(sentence, "verify")
        assert found == pronounce_sentence(sentence, "verify")
        notices += len(found.notices)
        assert all(n.position.path == str(moved) or n.position.path == sentence.position.path for n in found.notices)
    assert notices > 0
    assert _stored(cache) == stored  # every one a hit


def test_the_same_words_at_another_index_and_under_another_policy(tmp_path):
    cache = PronunciationCache(tmp_path / "cache")
    article = tmp_path / "a.txt"
    article.write_text("索道公司实行(xíng)了网上预约。\n\n我们走吧。索道公司实行(xíng)了网上预约。\n", encoding="utf-8")
    sentences = list(read_article(article).sentences())
    assert sentences[0].text == sentences[2].text and sentences[0].index != sentences[2].index
    for policy in ("verify", "force", "verify"):
        for sentence in sentences:
            found = cache.pronounce(sentence, policy)
            assert found == pronounce_sentence(sentence, policy)
            assert all(n.sentence == sentence.index for n in found.notices)
    assert len(_stored(cache)) == 4  # two sentences, two policies


HINTED = "索道公司实行(háng)了网上预约。\n"  # overruled: a notice to store


def _one_sentence(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(HINTED, encoding="utf-8")
    return next(read_article(article).sentences())


def test_a_pronunciation_is_stored_as_json(tmp_path):
    cache = PronunciationCache(tmp_path / "cache")
    sentence = _one_sentence(tmp_path)
    pron = cache.pronounce(sentence, "verify")
    (stored,) = _stored(cache)
    data = json.loads(stored.read_text(encoding="utf-8"))
    assert data["sentence"]["text"] == sentence.text and len(data["tokens"]) == len(pron.tokens)
    assert data["notices"] and data["notices"][0]["code"] == pron.notices[0].code


class _Planted:
    """Unpickling this creates a file: what a pickle planted in a shared cache folder could do."""

    def __init__(self, witness: Path) -> None:
        self.witness = witness

    def __reduce__(self):
        return (Path.touch, (self.witness,))


def test_a_planted_pickle_is_never_run_and_a_damaged_file_is_read_again(tmp_path):
    cache = PronunciationCache(tmp_path / "cache")
    sentence = _one_sentence(tmp_path)
    key = cache.key(sentence, "verify")
    witness = tmp_path / "ran"
    for suffix in (".pickle", ".json"):
        path = cache.folder / key[:2] / f"{key}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(_Planted(witness)))
    assert cache.pronounce(sentence, "verify") == pronounce_sentence(sentence, "verify")
    assert not witness.exists()
    (stored,) = _stored(cache)
    stored.write_bytes(stored.read_bytes()[:40])  # truncated
    assert cache.pronounce(sentence, "verify") == pronounce_sentence(sentence, "verify")
    assert json.loads(stored.read_bytes())["sentence"]["text"] == sentence.text  # replaced


def test_a_store_that_cannot_be_read_is_an_error_not_a_silent_miss(tmp_path):
    cache = PronunciationCache(tmp_path / "cache")
    sentence = _one_sentence(tmp_path)
    key = cache.key(sentence, "verify")
    (cache.folder / key[:2] / f"{key}.json").mkdir(parents=True)  # where the file should be
    with pytest.raises(IsADirectoryError):
        cache.pronounce(sentence, "verify")
