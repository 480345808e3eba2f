"""Publishing: tags and covers on every file, the profiles and their check, the podcast feed."""
from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

import buildkit
import tts_pipeline
from tts_pipeline import cli
from tts_pipeline.export import check
from tts_pipeline.profiles import PROFILES


ARTICLE = """# 重庆的索道

长江索道是重庆的名片，每天都有很多游客来坐索道看两江。

今天上午，索道迎来了第一千万名游客，她来自四川成都。

# 城市的变化

这些年来，重庆的交通越来越方便，轻轨穿楼而过，桥梁连接两岸。

很多人说，这座城市每天都在变化。
"""


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    from PIL import Image as image
    folder = tmp_path_factory.mktemp("pictures")
    image.new("RGB", (2000, 1500), (20, 90, 160)).save(folder / "big.jpg")
    image.new("RGB", (600, 600), (200, 30, 30)).save(folder / "small.png")
    image.new("RGB", (50, 50)).save(folder / "anim.gif")
    (folder / "notes.png").write_text("not a picture")
    return folder


def _build(tmp_path: Path, name: str, **options) -> tuple[Path, tts_pipeline.build]:
    source = tmp_path / f"{name}.md"
    if not source.exists():
        source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / name
    manifest = tts_pipeline.build(source, output=out, engine="tone-test", player=False, **options)
    return out, manifest


def test_every_mp3_carries_every_tag(tmp_path, pictures):
    out, manifest = _build(tmp_path, "news", author="记者 苏思", cover=pictures / "big.jpg")
    book = ID3(out / "book.mp3")
    assert book.version[:2] == (2, 4)
    expect = {"TALB": manifest.title, "TPE1": "记者 苏思", "TCON": "Podcast", "TLAN": "zho"}
    for frame, value in {**expect, "TIT2": manifest.title}.items():
        assert str(book[frame]) == value, frame
    assert str(book["TDRC"])[:4].isdigit() and "news.md" in str(book.getall("COMM")[0])
    assert [str(c.sub_frames["TIT2"]) for c in sorted(book.getall("CHAP"), key=lambda c: c.start_time)] == [
        "重庆的索道", "城市的变化"]
    cover = book.getall("APIC")[0]
    assert cover.mime == "image/jpeg" and cover.type == 3
    from PIL import Image
    import io

    assert max(Image.open(io.BytesIO(cover.data)).size) == 1400  # 2000 x 1500 scaled down
    for number, chapter in enumerate(manifest.chapters, 1):
        tags = ID3(out / chapter.file)
        assert str(tags["TIT2"]) == chapter.title and str(tags["TRCK"]) == f"{number}/2"
        for frame, value in expect.items():
            assert str(tags[frame]) == value, (chapter.file, frame)
        assert tags.getall("APIC") and tags.getall("COMM")
    spoken = [s for s in manifest.sentences if s.file]
    for sentence in spoken:
        tags = ID3(out / sentence.file)
        in_chapter = [s.id for s in spoken if s.chapter == sentence.chapter]
        assert str(tags["TIT2"]) == sentence.text
        assert str(tags["TRCK"]) == f"{in_chapter.index(sentence.id) + 1}/{len(in_chapter)}"
        assert str(tags["TCON"]) == "Speech" and str(tags["TPE1"]) == "记者 苏思" and str(tags["TLAN"]) == "zho"
        assert max(Image.open(io.BytesIO(tags.getall("APIC")[0].data)).size) <= 300  # the small cover
    assert manifest.publishing["author"] == "记者 苏思" and manifest.publishing["cover"] == "cover.jpg"
    assert manifest.publishing["profile"] == "podcast" and (out / "cover.jpg").is_file()


def test_the_audiobook_profile_writes_a_branded_m4b_with_author_cover_and_chapters(tmp_path, pictures):
    out, manifest = _build(tmp_path, "book", profile="audiobook", author="作者", cover=pictures / "small.png")
    m4b = out / "book.m4b"
    assert m4b.read_bytes()[4:12] == b"ftypM4B "
    tags = MP4(m4b)
    assert tags["\xa9ART"] == ["作者"] and tags["\xa9alb"] == [manifest.title] and tags["\xa9gen"] == ["Audiobook"]
    assert tags["covr"][0] == (pictures / "small.png").read_bytes()  # small enough to keep as it is
    assert [c.title for c in tags.chapters] == ["重庆的索道", "城市的变化"]
    measured = manifest.publishing["measured"]
    assert [m["file"] for m in measured] == ["book.m4b"]
    assert -19 <= measured[0]["loudness"] <= -17  # -18 LUFS
    assert not [w for w in manifest.warnings if w.code == "profile"]


def test_acx_chapter_files_meet_every_acx_number(tmp_path):
    out, manifest = _build(tmp_path, "acx", profile="acx")
    assert not [w.message for w in manifest.warnings if w.code == "profile"]
    for chapter in manifest.chapters:
        path = out / chapter.file
        m = check.measure(path)
        assert m.sample_rate == 44100 and m.constant_bitrate and round(m.bitrate / 1000) == 192
        # measured again here with numpy alone, from the decoded samples
        samples, rate = buildkit.decode(path)
        assert rate == 44100
        rms = 20 * math.log10(float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))))
        assert -23 <= rms <= -18 and abs(rms - m.rms) < 0.05
        assert 20 * math.log10(float(np.abs(samples).max())) <= -3 and m.peak <= -3
        loud = np.flatnonzero(np.abs(samples) > 10 ** (-50 / 20))
        head, tail = loud[0] / rate, (len(samples) - 1 - loud[-1]) / rate
        assert 0.5 <= head <= 1.0 and 1.0 <= tail <= 5.0
        window = rate // 2
        quietest = min(np.sqrt(np.mean(samples[i : i + window].astype(np.float64) ** 2)) for i in
                       range(0, len(samples) - window, window // 5))
        assert quietest == 0 or 20 * math.log10(quietest) <= -60
        assert len(samples) / rate < 120 * 60
    assert manifest.publishing["profile"] == "acx"


def test_an_explicit_option_overrides_the_profile_and_the_check_names_the_file(tmp_path):
    out, manifest = _build(tmp_path, "loose", profile="acx", bitrate="128k")
    problems = [w.message for w in manifest.warnings if w.code == "profile"]
    assert len(problems) == len(manifest.chapters)
    assert all(p.startswith("chapters/") and "128 kb/s" in p and "192k" in p for p in problems)


def test_the_check_reports_a_file_outside_its_profile():
    quiet = check.Measurement("x.mp3", 44100, 192000, True, 60.0, -30.0, -28.0, -2.0, -1.5, -50.0, 0.2, 7.0)
    found = check.problems(quiet, PROFILES["acx"])
    assert any("RMS -28.00 dB" in p for p in found) and any("peak -2.00" in p for p in found)
    assert any("noise floor -50.00" in p for p in found) and any("head room tone 0.20" in p for p in found)
    assert any("tail room tone 7.00" in p for p in found) and any("true peak -1.50" in p for p in found)
    assert check.problems(quiet, PROFILES["podcast"]) == ["loudness -30.00 LUFS is outside -17 to -15 LUFS"]


@pytest.mark.parametrize(("name", "said"), [("anim.gif", "PNG or JPEG"), ("notes.png", "cannot read"),
                                            ("missing.jpg", "not found")])
def test_a_bad_cover_is_refused_in_one_line_before_any_work(tmp_path, pictures, capsys, name, said):
    source = tmp_path / "a.md"
    source.write_text(ARTICLE, encoding="utf-8")
    code = cli.main(["build", str(source), "-o", str(tmp_path / "out"), "--engine", "tone-test", "--no-cache",
                     "--quiet", "--cover", str(pictures / name)])
    err = capsys.readouterr().err
    assert code != 0 and said in err and name in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_chapters_json_is_podcasting_2_chapters(tmp_path):
    out, manifest = _build(tmp_path, "chapters")
    data = json.loads((out / "chapters.json").read_text(encoding="utf-8"))
    assert data["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in data["chapters"]] == [(c.start, c.title) for c in manifest.chapters]
    assert manifest.files.chapters == "chapters.json"


def test_the_feed_reads_back_with_feedparser(tmp_path, pictures, capsys):
    feedparser = pytest.importorskip("feedparser", reason="feedparser is not installed (make test installs it)")
    first, _ = _build(tmp_path, "day1", author="记者 苏思", cover=pictures / "small.png")
    second, made = _build(tmp_path, "day2", author="记者 苏思")
    os.utime(first / "manifest.json", (1_700_000_000, 1_700_000_000))  # day1 was built earlier
    # day2 a day later, and day3 (built below, now) later still: builds from a warm cache end within one second
    os.utime(second / "manifest.json", (1_700_086_400, 1_700_086_400))
    feed_file = tmp_path / "feed.xml"
    base = "https://example.org/news"
    assert cli.main(["feed", str(first), str(second), "--base-url", base, "-o", str(feed_file)]) == 0
    parsed = feedparser.parse(feed_file.read_text(encoding="utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    channel = parsed.feed
    assert channel.title == made.title and channel.language == "zh-cn" and channel.author == "记者 苏思"
    assert channel.image.href == f"{base}/day1/cover.png"
    entries = parsed.entries
    assert [e.enclosures[0].href for e in entries] == [f"{base}/day2/book.mp3", f"{base}/day1/book.mp3"]  # newest first
    for entry, folder in zip(entries, (second, first)):
        manifest = tts_pipeline.export.manifest.Manifest.read(folder / "manifest.json")
        enclosure = entry.enclosures[0]
        assert int(enclosure.length) == (folder / "book.mp3").stat().st_size and enclosure.type == "audio/mpeg"
        seconds = round(manifest.duration)
        assert entry.itunes_duration == f"00:{seconds // 60:02d}:{seconds % 60:02d}"
        assert entry.title == manifest.title and entry.published_parsed is not None
        assert entry.summary == "长江索道是重庆的名片，每天都有很多游客来坐索道看两江。"
        assert entry.id and entry.author == "记者 苏思"
        assert entry.podcast_chapters["url"] == f"{base}/{folder.name}/chapters.json"
    assert parsed.entries[1].published_parsed[:3] == (2023, 11, 14)
    # feedparser keeps one podcast:transcript of the two: both are checked in the XML itself
    items = ET.parse(feed_file).getroot().find("channel").findall("item")
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    for item, name in zip(items, ("day2", "day1")):
        transcripts = {t.get("type"): t.get("url") for t in item.findall("podcast:transcript", ns)}
        assert transcripts == {"text/vtt": f"{base}/{name}/transcript.vtt",
                               "application/x-subrip": f"{base}/{name}/transcript.srt"}
    guids = [e.id for e in entries]

    third, _ = _build(tmp_path, "day3")
    assert cli.main(["feed", str(third), "--base-url", base, "-o", str(feed_file)]) == 0
    again = feedparser.parse(feed_file.read_text(encoding="utf-8"))
    assert len(again.entries) == 3 and [e.id for e in again.entries][1:] == guids  # kept, GUIDs as they were
    assert again.entries[0].enclosures[0].href == f"{base}/day3/book.mp3"
    assert cli.main(["feed", str(first), str(second), str(third), "--base-url", base, "-o", str(feed_file)]) == 0
    assert [e.id for e in feedparser.parse(feed_file.read_text(encoding="utf-8")).entries][1:] == guids


def test_the_feed_refuses_a_folder_without_a_manifest(tmp_path, capsys):
    code = cli.main(["feed", str(tmp_path), "--base-url", "https://example.org", "-o", str(tmp_path / "f.xml")])
    err = capsys.readouterr().err
    assert code != 0 and "manifest.json" in err and len(err.strip().splitlines()) == 1


GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guides" / "publishing.md"


def test_the_guides_commands_are_ones_the_cli_accepts():
    import re
    import shlex

    text = GUIDE.read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S) for line in block.splitlines()
             if line.startswith("tts-pipeline ")]
    assert len(lines) >= 6
    parser = cli.make_parser()
    for line in lines:
        args = parser.parse_args(shlex.split(line)[1:])  # argparse exits on an unknown option
        assert args.command in ("build", "feed")


def test_the_guides_profile_table_matches_the_profiles():
    rows = {line.split("|")[1].strip().split()[0].strip("`"): line for line in GUIDE.read_text(encoding="utf-8")
            .splitlines() if line.startswith("| `")}
    for name, profile in PROFILES.items():
        assert f"{profile.loudness:g} LUFS" in rows[name] and f"{profile.peak:g} dBTP" in rows[name], name
        assert profile.format.upper() in rows[name].upper() and profile.bitrate.rstrip("k") in rows[name], name
