"""Stored pronunciations are found by what a sentence says, and come back placed where it stands."""
from __future__ import annotations

from pathlib import Path

from tts_pipeline.parse import read_article
from tts_pipeline.pronounce import PronunciationCache, pronounce_sentence

SAMPLE = Path(__file__).parent / "data" / "sample_article.txt"


def _stored(cache: PronunciationCache) -> set[Path]:
    return set(cache.folder.rglob("*.pickle"))


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
