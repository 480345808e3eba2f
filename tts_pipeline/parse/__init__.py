"""parse: article text -> Article (Chapter > Paragraph > Sentence, with Hints)."""
from .annotations import extract_annotations, is_han
from .syllables import normalize_syllable

__all__ = ["extract_annotations", "is_han", "normalize_syllable"]
