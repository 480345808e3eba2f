"""tts_pipeline: turn an annotated Chinese article into an audio companion.

The front door for Python users:

    import tts_pipeline
    tokens = tts_pipeline.pronounce("重(chóng)庆的银行")
    manifest = tts_pipeline.build("article.txt", output="audio_out/article")
"""
from __future__ import annotations

__version__ = "0.1.0"


def pronounce(text: str, hints: str = "verify"):
    """Return the tokens of `text` (annotations removed) with their readings."""
    from .pronunciation import pronounce_text

    return pronounce_text(text, hints=hints)


def __getattr__(name: str):
    # `build` is the pipeline's own function, with its real parameters, imported on first use so
    # that `import tts_pipeline` stays light.
    if name == "build":
        from .pipeline import build

        return build
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["__version__", "build", "pronounce"]
