"""Ray actors against local worker processes, and how many actors one driver can feed.

    PYTHONPATH=. .venv/bin/python benchmarks/cluster.py                 # sample article + 20,000 characters
    PYTHONPATH=. .venv/bin/python benchmarks/cluster.py --chars 0       # sample article only

Needs the [ray] extra. Measured side by side in one run, with the neural voice, each build cold (an empty
cache folder of its own) as `python -m tts_pipeline build`:

- `--jobs 1` and `--jobs 2`: the voice in this machine's worker processes;
- `--cluster HOST:PORT --actors 1` and `--actors 2`: Ray actors on a `ray start --head` this script starts on
  127.0.0.1 (two CPUs, token authentication, stopped by its own handle at the end);
- wall time of each as a ratio to `--jobs 1`, and every output compared with `--jobs 1`'s, file by file;
- the driver's CPU: user + system time of the build process and the processes it waited for (its ffmpeg
  encoders), from wait4(); with `--cluster` the voice runs in the actors, so that is what the driver costs.
  Per second of audio, and the marginal cost between the two inputs (the start-up both pay cancels out);
- an actor's CPU per second of audio: the voice alone on one thread, in this process;
- the projection: an actor's CPU per second of audio over the driver's marginal CPU per second of audio is
  how many single-core actors one driver keeps busy. The target is 50 or more.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from pipeline import SAMPLE, long_input, same_output  # noqa: E402
from raykit import ray_environment, ray_head, short_folder  # noqa: E402

from tts_pipeline.engines import VoiceSettings, create  # noqa: E402
from tts_pipeline.parse import read_article  # noqa: E402
from tts_pipeline.pronunciation import pronounce_article  # noqa: E402

TARGET_ACTORS = 50


def run(source: Path, out: Path, cache: Path, extra: list[str], env: dict) -> dict:
    """One cold build: wall seconds, the driver's CPU seconds (it and its ffmpeg children), audio seconds."""
    command = [sys.executable, "-m", "tts_pipeline", "build", str(source), "-o", str(out), "--cache-dir", str(cache),
               "--quiet", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    audio = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["duration"]
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "audio": audio}


def actor_cpu_per_audio_second(path: Path) -> float:
    """The voice alone on one thread: CPU seconds per second of audio (the voice loaded beforehand)."""
    pronunciations = [p for p in pronounce_article(read_article(path)) if p.speaks]
    engine = create("neural", VoiceSettings(threads=1))
    engine.synthesize(pronunciations[0])
    started = time.process_time()
    audio = sum(engine.synthesize(p).duration for p in pronunciations)
    return (time.process_time() - started) / audio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=20000, help="characters of the long input (0 skips it)")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    scratch = Path(tempfile.mkdtemp(prefix="tts-bench-cluster-"))
    inputs = [("sample article", SAMPLE)]
    if args.chars:
        long_input(SAMPLE, scratch / "long.txt", args.chars)
        inputs.append((f"{args.chars:,} characters", scratch / "long.txt"))
    print(f"cores: {cores}; scratch: {scratch}", flush=True)
    try:
        actor = actor_cpu_per_audio_second(SAMPLE)
        print(f"an actor (the voice on one thread): {actor:.4f} CPU s per second of audio", flush=True)
        with short_folder() as folder:
            env = ray_environment(folder)
            with ray_head(env, cpus=2) as address:
                env = {**os.environ, **env}
                setups = [("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"]),
                          ("ray, 1 actor", ["--cluster", address, "--actors", "1"]),
                          ("ray, 2 actors", ["--cluster", address, "--actors", "2"])]
                results = {}
                for label, path in inputs:
                    for name, extra in setups:
                        tag = f"{path.stem}-{name.replace(' ', '').replace(',', '-')}"
                        results[label, name] = run(path, scratch / tag, scratch / f"cache-{tag}", extra, env)
                        first = scratch / f"{path.stem}---jobs1"
                        compared, differing = same_output(first, scratch / tag)
                        results[label, name]["same"] = f"{compared - len(differing)}/{compared}"
                        print(f"  {label}, {name}: {results[label, name]['seconds']:.1f} s", flush=True)
        report(inputs, setups, results, actor)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def report(inputs, setups, results, actor: float) -> None:
    print("\n== wall time, ratio to --jobs 1 of the same input, files identical to --jobs 1's")
    for label, _ in inputs:
        base = results[label, "--jobs 1"]
        print(f"{label} ({base['audio']:.0f} s of audio)")
        for name, _ in setups:
            r = results[label, name]
            print(f"  {name:14} {r['seconds']:7.1f} s  {r['seconds'] / base['seconds']:6.3f}  same files {r['same']}")
    print("\n== the driver's CPU (the build process and its ffmpeg encoders) per second of audio")
    for label, _ in inputs:
        for name, _ in setups[2:]:
            r = results[label, name]
            print(f"  {label}, {name}: {r['cpu']:.1f} CPU s for {r['audio']:.0f} s = {r['cpu'] / r['audio']:.4f}")
    if len(inputs) > 1:
        small, large = (results[label, "ray, 2 actors"] for label, _ in inputs)
        marginal = (large["cpu"] - small["cpu"]) / (large["audio"] - small["audio"])
        print(f"  marginal, between the two inputs: {marginal:.4f} CPU s per second of audio "
              f"({100 * marginal / actor:.1f} % of an actor's {actor:.4f})")
        feeds = actor / marginal
        verdict = "meets" if feeds >= TARGET_ACTORS else "misses"
        print(f"\n== one driver feeds about {feeds:.0f} single-core actors ({verdict} the target of {TARGET_ACTORS})")


if __name__ == "__main__":
    sys.exit(main())
