"""parse: article text -> Article (Chapter > Paragraph > Sentence, with Hints)."""
from .annotations import extract_annotations, is_han
from .article import parse_text
from .chapters import CHARS_PER_MINUTE, check_mode
from .decode import decode
from .inputs import read_article
from .syllables import normalize_syllable

__all__ = [
    "CHARS_PER_MINUTE",
    "check_mode",
    "decode",
    "extract_annotations",
    "is_han",
    "normalize_syllable",
    "parse_text",
    "read_article",
]
