"""ID3v2 chapter frames (CHAP + CTOC) that podcast players show as chapters."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from mutagen.id3 import CHAP, CTOC, ID3, TALB, TIT2, TSSE, CTOCFlags

# CHAP byte offsets are optional; this value says "not given, use the times".
NO_OFFSET = 0xFFFFFFFF


def write_chapters(path: Path, title: str, chapters: Sequence[tuple[int, int, str]], encoder: str) -> None:
    """Tag an MP3 with its title and chapters given as (start_ms, end_ms, title)."""
    tags = ID3()  # saving replaces whatever tag ffmpeg wrote
    tags.add(TIT2(encoding=3, text=[title]))
    tags.add(TALB(encoding=3, text=[title]))
    tags.add(TSSE(encoding=3, text=[encoder]))
    ids = [f"chp{i}" for i in range(1, len(chapters) + 1)]
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=[title])],
        )
    )
    for element_id, (start, end, name) in zip(ids, chapters):
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=start,
                end_time=end,
                start_offset=NO_OFFSET,
                end_offset=NO_OFFSET,
                sub_frames=[TIT2(encoding=3, text=[name])],
            )
        )
    tags.save(path, v2_version=3)
