"""The player in a real browser: Debian's chromium, headless, driven by Playwright, page opened from disk."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from test_player import ARTICLE, make_book
from test_shadowing import FakeSynth, pronounce
from tts_pipeline.learn.player import write_player
from tts_pipeline.learn.shadowing import ShadowingOptions, render_shadowing

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is missing (make test installs Debian's chromium as root)"),
]

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extras")
    profile = tempfile.mkdtemp(prefix="tts-chromium-")
    with sync_api.sync_playwright() as p:
        # Chromium writes crash-report settings and dconf files under $HOME: keep them in the profile folder
        home = {name: os.path.join(profile, "home") for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1100, "height": 900}, device_scale_factor=1, env={**os.environ, **home},
        )
        # each test starts from the page's defaults, not what the last test saved
        context.add_init_script("try { localStorage.clear(); } catch (e) {}")
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    manifest = make_book(folder)
    prons = [pronounce(i, text) for i, (_, _, text) in enumerate(ARTICLE)]
    manifest["shadowing"] = render_shadowing(
        folder, prons, manifest, engine="tone", options=ShadowingOptions(repeat=2, gap=1.0), synthesize=FakeSynth()
    )
    write_player(folder, manifest)
    return folder, manifest


def _opened(browser, folder):
    """The folder's page, loaded and muted, that fails the test on a script error or any request off the disk."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"request {r.url}") if not r.url.startswith("file://") else None)
    page.goto((folder / "index.html").as_uri())
    page.wait_for_function("document.getElementById('audio').readyState >= 1", timeout=10000)
    page.evaluate("document.getElementById('audio').muted = true")
    yield page
    page.close()
    assert errors == [], errors


@pytest.fixture
def page(browser, book):
    yield from _opened(browser, book[0])


def _time(page) -> float:
    return page.evaluate("document.getElementById('audio').currentTime")


def _current(page) -> list[str]:
    return page.eval_on_selector_all(".s.current", "els => els.map(e => e.id)")


def test_click_jumps_to_the_sentence(page, book):
    _, manifest = book
    target = manifest["sentences"][3]
    page.click(f"#{target['id']}")
    page.wait_for_function("!document.getElementById('audio').paused", timeout=5000)
    assert _time(page) == pytest.approx(target["book_start"], abs=0.35)
    assert _current(page) == [target["id"]]
    page.keyboard.press("Space")
    assert page.evaluate("document.getElementById('audio').paused")


def test_highlight_follows_playback(page, book):
    _, manifest = book
    first, second = manifest["sentences"][0], manifest["sentences"][1]
    page.click(f"#{first['id']}")
    assert _current(page) == [first["id"]]
    # play on through the pause into the next sentence; the highlight must move by itself
    page.wait_for_function(
        f"document.getElementById('audio').currentTime > {second['book_start'] + 0.1}", timeout=10000
    )
    page.wait_for_function(f"document.querySelector('.s.current').id === '{second['id']}'", timeout=2000)
    # seeking elsewhere moves it too
    last = manifest["sentences"][-1]
    page.evaluate(f"document.getElementById('audio').currentTime = {last['book_start'] + 0.2}")
    page.wait_for_function(f"document.querySelector('.s.current').id === '{last['id']}'", timeout=3000)


def test_keys_move_between_sentences(page, book):
    _, manifest = book
    ids = [s["id"] for s in manifest["sentences"]]
    page.click(f"#{ids[1]}")
    page.keyboard.press("Space")  # pause; arrows still move
    page.keyboard.press("ArrowRight")
    assert _current(page) == [ids[2]]
    assert _time(page) == pytest.approx(manifest["sentences"][2]["book_start"], abs=0.05)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert _current(page) == [ids[0]]
    page.keyboard.press("r")
    assert page.get_attribute("#loop", "aria-pressed") == "true"
    page.keyboard.press("[")
    assert page.evaluate("document.getElementById('audio').playbackRate") == 0.9
    page.select_option("#rate", "0.75")
    assert page.evaluate("document.getElementById('audio').playbackRate") == 0.75
    page.keyboard.press("p")
    assert page.evaluate("getComputedStyle(document.querySelector('rt')).visibility") == "hidden"


def test_repeat_loops_one_sentence(page, book):
    _, manifest = book
    s = manifest["sentences"][0]
    page.keyboard.press("r")
    page.click(f"#{s['id']}")
    # after the sentence's end the position must come back to its start, not go on
    seen_late = page.evaluate(
        f"""() => new Promise(resolve => {{
            const a = document.getElementById('audio');
            let late = false;
            const t0 = performance.now();
            (function poll() {{
                if (a.currentTime > {s['book_end'] - 0.3}) late = true;
                if (late && a.currentTime < {s['book_start'] + 0.4}) return resolve(true);
                if (performance.now() - t0 > 6000) return resolve(false);
                requestAnimationFrame(poll);
            }})();
        }})"""
    )
    assert seen_late, "repeat did not jump back to the sentence's start"
    assert _current(page) == [s["id"]]


def test_shadowing_pause_waits_then_goes_on(page, book):
    _, manifest = book
    s, nxt = manifest["sentences"][0], manifest["sentences"][1]
    page.select_option("#gap", "2")
    page.keyboard.press("s")
    page.evaluate("""() => {
        const a = document.getElementById('audio');
        window.__events = [];
        a.addEventListener('pause', () => __events.push(['pause', performance.now()]));
        a.addEventListener('play', () => __events.push(['play', performance.now()]));
    }""")
    page.click(f"#{s['id']}")
    page.wait_for_selector(".s.your-turn", timeout=6000)
    assert page.evaluate("document.getElementById('audio').paused")
    assert _time(page) < nxt["book_start"]  # stopped before the next sentence
    page.wait_for_function(f"document.querySelector('.s.current').id === '{nxt['id']}'", timeout=8000)
    assert page.query_selector(".s.your-turn") is None
    assert not page.evaluate("document.getElementById('audio').paused")
    events = page.evaluate("window.__events")
    paused = next(t for kind, t in events if kind == "pause")
    resumed = next(t for kind, t in events if kind == "play" and t > paused)
    expected = 2 * (s["book_end"] - s["book_start"])
    assert (resumed - paused) / 1000 == pytest.approx(expected, abs=0.3)


def test_drill_track_shows_the_unit_and_the_turn(page, book):
    _, manifest = book
    chapter = manifest["shadowing"]["chapters"][1]
    unit = chapter["units"][1]
    track = f"audio.drill[data-chapter='{chapter['index']}']"
    page.wait_for_selector(track)
    page.eval_on_selector(track, f"a => {{ a.preload = 'auto'; a.muted = true; a.currentTime = {unit['start'] + 0.2}; }}")
    box = f"#drills li:nth-child(2) .drill-now"
    page.wait_for_function(f"document.querySelector('{box}').textContent.includes('{unit['text']}')", timeout=5000)
    assert "2 / 2" in page.text_content(box)
    page.eval_on_selector(track, f"a => {{ a.currentTime = {(unit['end'] + unit['gap_end']) / 2}; }}")
    page.wait_for_function(f"document.querySelector('{box}').textContent.includes('your turn')", timeout=5000)


# A short lesson of our own with one hint the dictionary overrules (实行 is always shíxíng).
LESSON = """# 第一课 坐索道

重(chóng)庆的长江索道很有名。索道公司实行(háng)了网上预约，游客不用排(pái)队太久。

# 第二课 看夜景

傍晚的时候，江面上的灯光一点点亮起来，整座城市像一幅会动的画。
"""


def test_screenshot_of_a_lesson_with_an_overruled_hint(browser, tmp_path):
    import json

    import tone_engine  # noqa: F401 - registers the test-tone engine
    from tts_pipeline.pipeline import build

    source = tmp_path / "lesson.md"
    source.write_text(LESSON, encoding="utf-8")
    out = tmp_path / "lesson"
    build(source, output=out, engine="test-tone", shadowing=ShadowingOptions(repeat=2, slow_pass=0.75))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "hint-overruled" for w in manifest["warnings"])
    page = browser.new_page()
    page.set_viewport_size({"width": 1100, "height": 760})
    page.goto((out / "index.html").as_uri())
    page.wait_for_function("document.getElementById('audio').readyState >= 1", timeout=10000)
    page.evaluate("document.getElementById('audio').muted = true")
    marked = page.eval_on_selector_all("ruby.overruled", "els => els.map(e => e.firstChild.textContent)")
    assert marked == ["行"]
    assert page.text_content("ruby.overruled rt") == "xíng"
    second = manifest["sentences"][1]
    page.click(f"#{second['id']}")
    page.wait_for_function("!document.getElementById('audio').paused", timeout=5000)
    page.keyboard.press("Space")
    assert _current(page) == [second["id"]]
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    shot = tmp_path / "player.png"  # kept with pytest's temporary folders of the last runs, to look at
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.close()


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chongqing-news.txt"


def test_page_of_a_real_build_of_the_example(browser, tmp_path):
    import json

    import tone_engine  # noqa: F401 - registers the test-tone engine
    from tts_pipeline.pipeline import build

    out = tmp_path / "news"
    build(EXAMPLE, output=out, engine="test-tone", shadowing=ShadowingOptions(repeat=1))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"request {r.url}") if not r.url.startswith("file://") else None)
    page.goto((out / "index.html").as_uri())
    page.wait_for_function("document.getElementById('audio').readyState >= 1", timeout=10000)
    page.evaluate("document.getElementById('audio').muted = true")
    target = manifest["sentences"][min(3, len(manifest["sentences"]) - 1)]
    page.click(f"#{target['id']}")
    page.wait_for_function("!document.getElementById('audio').paused", timeout=5000)
    assert _time(page) == pytest.approx(target["book_start"], abs=0.35)
    assert _current(page) == [target["id"]]
    page.keyboard.press("Space")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "player-example.png"))
    page.close()
    assert errors == []


def test_without_a_book_the_page_plays_sentence_files(browser, tmp_path):
    import numpy as np
    import soundfile as sf

    manifest = make_book(tmp_path, with_audio=False)
    manifest["files"]["book"] = None
    (tmp_path / "sentences").mkdir()
    for s in manifest["sentences"]:
        s["file"] = f"sentences/{s['id']}.wav"
        n = int(round((s["end"] - s["start"]) * 8000))
        sf.write(tmp_path / s["file"], 0.3 * np.sin(np.arange(n) * 0.3), 8000)
    write_player(tmp_path, manifest)
    page = browser.new_page()
    page.goto((tmp_path / "index.html").as_uri())
    page.evaluate("document.getElementById('audio').muted = true")
    first, second = manifest["sentences"][1], manifest["sentences"][2]
    page.click(f"#{first['id']}")
    page.wait_for_function("!document.getElementById('audio').paused", timeout=5000)
    assert page.evaluate("document.getElementById('audio').getAttribute('src')") == first["file"]
    # at the end of its file the next sentence's file plays
    page.wait_for_function(
        f"document.getElementById('audio').getAttribute('src') === '{second['file']}'", timeout=8000
    )
    assert _current(page) == [second["id"]]
    page.close()


# --- following along character by character -----------------------------------------------------

@pytest.fixture(scope="module")
def timed_book(tmp_path_factory):
    """The small book with times for every character: each sentence's length shared out evenly."""
    folder = tmp_path_factory.mktemp("timed")
    manifest = make_book(folder)
    for s in manifest["sentences"]:
        spoken = [t for t in s["tokens"] if t["pinyin"]]
        step = (s["end"] - s["start"]) / len(spoken)
        for k, token in enumerate(spoken):
            token["start"], token["end"] = round(k * step, 3), round((k + 1) * step, 3)
            token["book_start"], token["book_end"] = round(s["book_start"] + k * step, 3), round(s["book_start"] + (k + 1) * step, 3)
    write_player(folder, manifest)
    return folder, manifest


@pytest.fixture
def timed_page(browser, timed_book):
    yield from _opened(browser, timed_book[0])


def _spoken(page) -> str | None:
    """The character highlighted as being spoken (its text without the pinyin), or None."""
    return page.evaluate("(() => { const r = document.querySelector('.s ruby.now'); return r ? r.firstChild.textContent : null; })()")


def _seek(page, seconds: float) -> None:
    page.evaluate(f"""() => new Promise(resolve => {{
        const a = document.getElementById('audio');
        a.addEventListener('seeked', () => resolve(), {{once: true}});
        a.currentTime = {seconds};
    }})""")


def test_the_character_being_spoken_is_highlighted_at_each_time(timed_page, timed_book):
    _, manifest = timed_book
    sentence = manifest["sentences"][2]
    timed_page.click(f"#{sentence['id']}")
    timed_page.keyboard.press("Space")  # pause: the highlight must follow seeking alone
    spoken = [t for t in sentence["tokens"] if t["pinyin"]]
    for token in (spoken[0], spoken[len(spoken) // 2], spoken[-1]):
        _seek(timed_page, (token["book_start"] + token["book_end"]) / 2)
        timed_page.wait_for_function(f"document.querySelector('.s ruby.now') && "
                                     f"document.querySelector('.s ruby.now').firstChild.textContent === '{token['text']}'",
                                     timeout=2000)
        assert _spoken(timed_page) == token["text"]
    # in the pause after the sentence no character is highlighted
    _seek(timed_page, sentence["book_end"] + 0.1)
    timed_page.wait_for_function("!document.querySelector('.s ruby.now')", timeout=2000)


def test_clicking_a_character_plays_from_it(timed_page, timed_book):
    _, manifest = timed_book
    sentence = manifest["sentences"][1]
    spoken = [t for t in sentence["tokens"] if t["pinyin"]]
    target = spoken[3]
    # where the click sent the audio, read at its seek (a loaded machine may play on before the test looks)
    timed_page.evaluate("""() => { const a = document.getElementById('audio'); window.__seeks = [];
        a.addEventListener('seeked', () => __seeks.push(a.currentTime)); }""")
    timed_page.click(f"#{sentence['id']} ruby >> nth=3")
    timed_page.wait_for_function("!document.getElementById('audio').paused && window.__seeks.length", timeout=5000)
    assert timed_page.evaluate("window.__seeks[0]") == pytest.approx(target["book_start"], abs=0.03)


def test_highlight_moves_through_every_character_at_double_speed(timed_page, timed_book):
    _, manifest = timed_book
    sentence = manifest["sentences"][0]
    count = sum(1 for t in sentence["tokens"] if t["pinyin"])
    timed_page.select_option("#rate", "2")
    timed_page.click(f"#{sentence['id']}")
    seen = timed_page.evaluate(f"""() => new Promise(resolve => {{
        const a = document.getElementById('audio'), seen = [];
        const rubies = Array.from(document.querySelectorAll('#{sentence['id']} ruby'));
        function frame() {{
            const k = rubies.indexOf(document.querySelector('.s ruby.now'));
            if (k >= 0 && seen[seen.length - 1] !== k) seen.push(k);
            if (a.currentTime < {sentence['book_end']}) requestAnimationFrame(frame); else resolve(seen);
        }}
        requestAnimationFrame(frame);
    }})""")
    # character after character, never back; nearly all of them (characters here last ~40 ms at x2, and a
    # frame can come late on a loaded machine)
    assert seen == sorted(set(seen)) and len(seen) >= 0.8 * count, (seen, count)


def test_a_selected_phrase_loops_exactly(timed_page, timed_book):
    _, manifest = timed_book
    sentence = manifest["sentences"][3]
    spoken = [t for t in sentence["tokens"] if t["pinyin"]]
    start, end = spoken[2]["book_start"], spoken[4]["book_end"]
    timed_page.evaluate(f"""() => {{
        const rubies = document.querySelectorAll('#{sentence['id']} ruby');
        const range = document.createRange();
        range.setStartBefore(rubies[2]); range.setEndAfter(rubies[4]);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    }}""")
    timed_page.keyboard.press("r")
    times = timed_page.evaluate("""() => new Promise(resolve => {
        const a = document.getElementById('audio'), times = [], began = performance.now();
        function frame() {
            times.push(a.currentTime);
            if (performance.now() - began < 1500) requestAnimationFrame(frame); else resolve(times);
        }
        requestAnimationFrame(frame);
    })""")
    playing = [t for t in times if t > 0]
    assert min(playing) >= start - 0.05 and max(playing) <= end + 0.1
    assert any(b < a - 0.1 for a, b in zip(playing, playing[1:]))  # it went back to the phrase's start
