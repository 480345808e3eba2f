"""The player page of a whole book in headless Chromium: size, load time, memory, with and without character times.

    .venv/bin/python benchmarks/player_load.py                  # 20,000 and 300,000 characters
    .venv/bin/python benchmarks/player_load.py --chars 20000

A made-up book of 33-character sentences (benchmarks/learners.py) is rendered
twice per size, side by side in one run: with a time for every character (as a
neural build writes them) and without. Each page is opened from disk in
Debian's chromium through Playwright; printed per page: its size, the time from
navigation to the player's script being ready (`window.ttsPlayer`), the JS heap
in use (CDP Performance.getMetrics) and the largest renderer process's resident memory (/proc), and the time the
script takes to read one sentence's character times and highlight one.
Targets from issue 15: playable under 3 s, under 500 MB.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from learners import TEXT, manifest  # noqa: E402

from tts_pipeline.learn.player import render_page  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
MARKER = f"--tts-bench={time.time_ns()}"  # finds this run's browser among the machine's processes


def renderer_mb() -> float:
    """The resident memory of this run's largest Chromium renderer process (Linux /proc), in MB."""
    parents, commands, rss = {}, {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[pid] = int(fields[1])
            rss[pid] = int(fields[21]) * 4096
            commands[pid] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
    roots = {pid for pid, command in commands.items() if MARKER in command and "--type=" not in command}

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid in roots:
                return True
            pid = parents.get(pid, 1)
        return False

    # the largest one holds the page (others are Chromium's spare renderers); shared libraries count in full
    return max((rss[pid] for pid, command in commands.items() if "--type=renderer" in command and ours(pid)),
               default=0) / 1e6


def timed(data: dict) -> dict:
    """`data` with every character of every sentence timed across its 4.5 s."""
    for sentence in data["sentences"]:
        spoken = [dict(t) for t in sentence["tokens"]]
        step = 4.5 / max(1, sum(1 for t in spoken if t["pinyin"]))
        k = 0
        for token in spoken:
            if token["pinyin"]:
                token["start"], token["end"] = round(k * step, 3), round((k + 1) * step, 3)
                k += 1
        sentence["tokens"] = spoken
    return data


def measure(browser, page_file: Path, sentence_id: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    started = time.perf_counter()
    page.goto(page_file.as_uri(), wait_until="domcontentloaded")
    page.wait_for_function("!!window.ttsPlayer", timeout=60000)
    ready = time.perf_counter() - started
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    resident = renderer_mb()
    highlight_ms = page.evaluate(f"""() => {{
        const p = window.ttsPlayer, i = p.segments.findIndex(s => s.id === '{sentence_id}');
        const t0 = performance.now();
        p.state.cur = i;
        const token = p.tokenAt(i, p.segments[i].start + 2.0);
        return [performance.now() - t0, token ? 1 : 0];
    }}""")
    context.close()
    return {"ready": ready, "heap": metrics.get("JSHeapUsedSize", 0) / 1e6, "rss": resident,
            "nodes": metrics.get("Nodes", 0), "highlight_ms": highlight_ms[0], "found": highlight_ms[1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, nargs="+", default=[20000, 300000])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", MARKER])
        for chars in args.chars:
            n = max(1, chars // len(TEXT))
            for label, data in (("untimed", manifest(n)), ("timed", timed(manifest(n)))):
                page_file = Path(scratch) / f"{label}-{chars}.html"
                page_file.write_text(render_page(data), encoding="utf-8")
                result = measure(browser, page_file, data["sentences"][n // 2]["id"])
                rows.append((chars, label, page_file.stat().st_size / 1e6, result))
        browser.close()
    print(f"{'chars':>8} {'page':8} {'MB':>6} {'ready s':>8} {'JS heap MB':>10} {'renderer MB':>11} "
          f"{'DOM nodes':>10} {'1st highlight ms':>17}")
    for chars, label, size, r in rows:
        print(f"{chars:8d} {label:8} {size:6.2f} {r['ready']:8.2f} {r['heap']:10.1f} {r['rss']:11.0f} "
              f"{r['nodes']:10.0f} {r['highlight_ms']:17.2f}")
    by = {(c, label): (size, r) for c, label, size, r in rows}
    for chars in args.chars:
        (s0, r0), (s1, r1) = by[(chars, "untimed")], by[(chars, "timed")]
        print(f"{chars} chars: times add {100 * (s1 / s0 - 1):.0f}% to the page, "
              f"{r1['ready'] / r0['ready']:.2f}x load time, {r1['heap'] / max(r0['heap'], 1e-9):.2f}x JS heap")
    return 0


if __name__ == "__main__":
    sys.exit(main())
