"""Ray actors against local worker processes, and how many actors one driver can feed.

    PYTHONPATH=. .venv/bin/python benchmarks/cluster.py                 # sample article + 20,000 characters
    PYTHONPATH=. .venv/bin/python benchmarks/cluster.py --chars 0       # sample article only
    PYTHONPATH=. .venv/bin/python benchmarks/cluster.py --profile       # where the driver's CPU goes (cProfile)

Needs the [ray] extra. Measured side by side in one run, with the neural voice, each build cold as
`python -m tts_pipeline build`: a cache folder of its own that holds no clip and no reading, only what any
earlier build leaves there and no book needs again (the pronouncer's tables and the rewritten voice: a
driver builds them once, and their CPU, printed apart, would otherwise swamp the difference between the two
inputs):

- `--jobs 1` and `--jobs 2`: the voice in this machine's worker processes;
- `--cluster HOST:PORT --actors 1` and `--actors 2`: Ray actors on a `ray start --head` this script starts on
  127.0.0.1 (two CPUs, token authentication, stopped by its own handle at the end); the actors level and
  encode the sentences they speak, the driver writes the bytes;
- `--actors 2` once more with the readings already in the pronunciation cache (a build with the fast
  test-tone voice into the same cache folder first): every clip is still spoken, but the driver does not
  pronounce, as when a book is voiced again with another voice or speed, or rebuilt after an edit;
- wall time of each as a ratio to `--jobs 1`, and every output compared with `--jobs 1`'s, file by file;
- the driver's CPU: user + system time of the build process and the processes it waited for (its ffmpeg
  processes), from wait4(); with `--cluster` the voice runs in the actors, so that is what the driver costs.
  Per second of audio, and the marginal cost between the two inputs (the start-up both pay cancels out);
- the closing work, done again in this process on each cluster build's output: what the driver does once the
  last sentence is back (the manifest's JSON made once, read back for the player page, the checked file read
  to be handed to an actor), and apart from it the profile check itself (`check.measure`, which an actor does);
- receiving a clip from an actor, with its samples (as before `Clip.spoken_only`) and without (as now): two
  actors on the head speak the sample article's sentences, one of them sending each clip with its samples, and
  the driver's CPU for `ray.get` and the copies `RayActors.result` makes is timed for each, side by side;
- pronouncing alone (the long input, in this process, no cache): CPU per second of audio;
- an actor's CPU per second of audio: what an actor does for each sentence (`Speaker.speak`: the voice on one
  thread, then the sentence levelled, encoded and packed for the driver's cache), done in this process, its
  ffmpeg processes included; and the voice alone, for comparison;
- the projection: an actor's CPU per second of audio over the driver's marginal CPU per second of audio is
  how many single-core actors one driver keeps busy. The target is 50 or more. The driver's marginal CPU per
  sentence is printed too: part of it (Ray's task, the files) does not grow with the sentence's length, so
  text of shorter sentences costs the driver more per second of audio.

`--profile` instead builds the long input on 2 actors twice under cProfile with a CPU clock (readings
pronounced, then cached) and prints the driver's functions that took the most CPU; profiling slows the
driver, so its times are for comparing functions, not for the projection.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

import everyday  # noqa: E402
from pipeline import SAMPLE, long_input, same_output  # noqa: E402
from raykit import ray_environment, ray_head, short_folder  # noqa: E402

from tts_pipeline import cachelayout  # noqa: E402
from tts_pipeline.engines import VoiceSettings  # noqa: E402
from tts_pipeline.export.check import check_files  # noqa: E402
from tts_pipeline.export.manifest import Manifest  # noqa: E402
from tts_pipeline.export.sentencefile import Finishing  # noqa: E402
from tts_pipeline.options import PausePlan  # noqa: E402
from tts_pipeline.profiles import profile as find_profile  # noqa: E402
from tts_pipeline.parse import read_article  # noqa: E402
from tts_pipeline.pronunciation import pronounce_article  # noqa: E402

TARGET_ACTORS = 50
FINISHING = Finishing(24000, PausePlan(), find_profile(None), "64k", True)  # a default MP3 build's


# The build under cProfile with a CPU clock (Ray's waits are not CPU), the statistics written to $PROFILE_TO.
PROFILED = """import cProfile, os, runpy, sys, time
profiler = cProfile.Profile(time.process_time)
sys.argv = ["tts-pipeline", *sys.argv[1:]]
try:
    profiler.runcall(runpy.run_module, "tts_pipeline", run_name="__main__")
finally:
    profiler.dump_stats(os.environ["PROFILE_TO"])
"""


def run(source: Path, out: Path, cache: Path, extra: list[str], env: dict, warm: bool = False,
        profile: Path | None = None, prepared: Path | None = None) -> dict:
    """One build, cold but for the readings when `warm` and for the pronouncer's tables and the rewritten voice
    when `prepared` holds them: wall seconds, the driver's CPU seconds (it and its ffmpeg children), audio
    seconds, sentences."""
    if prepared is not None:
        for part in (cachelayout.TABLES, cachelayout.MODELS):
            shutil.copytree(prepared / part.folder, cache / part.folder)
    if warm:  # the pronunciation cache filled by a build with a voice that costs nothing
        subprocess.run([sys.executable, "-m", "tts_pipeline", "build", str(source), "-o", str(out.with_name("warm")),
                        "--cache-dir", str(cache), "--quiet", "--engine", "test-tone"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(out.with_name("warm"))
    arguments = ["build", str(source), "-o", str(out), "--cache-dir", str(cache), "--quiet", *extra]
    command = [sys.executable, "-m", "tts_pipeline", *arguments]
    if profile is not None:
        command = [sys.executable, "-c", PROFILED, *arguments]
        env = {**env, "PROFILE_TO": str(profile)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "audio": manifest["duration"],
            "sentences": len(manifest["sentences"])}


def cpu_now() -> float:
    """CPU seconds of this process and the processes it has waited for (ffmpeg)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def closing_cpu(out: Path) -> tuple[float, float]:
    """CPU seconds of the build's closing work that grows with the audio, done again here on its output, once
    the last sentence is back: (what the driver does: the manifest's JSON made once and read back for the
    player page, and the checked file read to be handed to an actor; the profile check itself, book.mp3 decoded
    and measured, which an actor does on a cluster)."""
    manifest = Manifest.read(out / "manifest.json")
    started = cpu_now()
    json.loads(manifest.to_json())
    (out / manifest.files.book).read_bytes()
    driver = cpu_now() - started
    started = cpu_now()
    check_files(out, [manifest.files.book], find_profile(manifest.publishing["profile"]))
    return driver, cpu_now() - started


# Two actors on the head speak the same sentences; one sends its clips as before Clip.spoken_only (with the
# samples). The driver's CPU to take each clip in (ray.get and RayActors.result's copies) is summed per way.
RECEIVING = """import json, sys, time
import ray
from tts_pipeline.backends import cluster
from tts_pipeline import engines
from tts_pipeline.engines import VoiceSettings
from tts_pipeline.parse import read_article
from tts_pipeline.pronunciation import pronounce_article

sys.path.insert(0, "benchmarks")
from cluster import FINISHING as finishing  # this script's own, as every measurement here uses

class WithSamples(cluster.Speaker):
    def __init__(self, *args):
        from tts_pipeline.model import Clip
        Clip.spoken_only = lambda clip: clip  # in this actor's process only
        super().__init__(*args)

address, source = sys.argv[1:3]
ray.init(address=address, log_to_driver=False, logging_level="WARNING")
options = dict(num_cpus=1)
module = engines.engine_class("neural").__module__
ways = {"with samples": ray.remote(WithSamples).options(**options).remote(module, "neural",
                                                                          VoiceSettings(threads=1), finishing),
        "without": ray.remote(cluster.Speaker).options(**options).remote(module, "neural",
                                                                         VoiceSettings(threads=1), finishing)}
cpu = dict.fromkeys(ways, 0.0)
audio = 0.0
sizes = dict.fromkeys(ways, 0)
for pronunciation in (p for p in pronounce_article(read_article(source)) if p.speaks):
    references = {way: actor.speak.remote(pronunciation) for way, actor in ways.items()}
    ray.wait(list(references.values()), num_returns=len(references))
    for way, reference in references.items():
        started = time.process_time()
        clip, error = ray.get(reference)
        clip = cluster.received(clip)
        cpu[way] += time.process_time() - started
        sizes[way] += clip.samples.nbytes + len(clip.finished.data) + len(clip.finished.stored[1])
    audio += clip.duration
print(json.dumps({"audio": audio, "cpu": cpu, "bytes": sizes}))
"""


def receiving_cpu(address: str, env: dict) -> dict:
    """The driver's CPU to take in the sample article's clips from actors, with their samples and without."""
    done = subprocess.run([sys.executable, "-c", RECEIVING, address, str(SAMPLE)], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


SHORT = ["short sentences, 100 lines", "short sentences, 560 lines"]


def short_inputs(scratch: Path) -> list[tuple[str, Path]]:
    """Two inputs of short sentences (dialogue and fiction, 3 to 5 s of audio each): the first 100 lines of
    everyday dev-c and all of it, its labels taken out, five lines to a paragraph."""
    lines = [case.text for case in everyday.load("dev-c")]
    made = []
    for label, count in zip(SHORT, (100, len(lines))):
        path = scratch / f"short-{count}.txt"
        path.write_text("\n\n".join("".join(lines[i:i + 5]) for i in range(0, count, 5)) + "\n", encoding="utf-8")
        made.append((label, path))
    return made


def pronouncing_cpu(path: Path) -> float:
    """CPU seconds to pronounce `path` in this process without a cache (its tables loaded beforehand)."""
    list(pronounce_article(read_article(SAMPLE)))
    started = time.process_time()
    list(pronounce_article(read_article(path)))
    return time.process_time() - started


def actor_cpu_per_audio_second(path: Path) -> tuple[float, float]:
    """An actor's work on `path`'s sentences, done in this process with the actor's own class (`Speaker.speak`:
    the voice on one thread, then the sentence levelled, encoded and packed for the driver's cache), the voice
    loaded beforehand: (CPU seconds per second of audio, of which the voice alone). Its ffmpeg processes
    count."""
    from tts_pipeline.backends.cluster import Speaker
    from tts_pipeline.engines import engine_class
    from tts_pipeline.engines.speaking import speak_with

    pronunciations = [p for p in pronounce_article(read_article(path)) if p.speaks]
    speaker = Speaker(engine_class("neural").__module__, "neural", VoiceSettings(threads=1), FINISHING)
    speaker.speak(pronunciations[0])
    started = cpu_now()
    audio = sum(speaker.speak(p)[0].duration for p in pronunciations)
    whole = cpu_now() - started
    started = cpu_now()
    for p in pronunciations:
        speak_with(speaker.engine, p)
    return whole / audio, (cpu_now() - started) / audio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=20000, help="characters of the long input (0 skips it)")
    parser.add_argument("--profile", action="store_true", help="profile the driver instead of timing the builds")
    parser.add_argument("--short", type=int, default=1, help="also the driver's cost on short sentences (0: not)")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    scratch = Path(tempfile.mkdtemp(prefix="tts-bench-cluster-"))
    inputs = [("sample article", SAMPLE)]
    if args.chars:
        long_input(SAMPLE, scratch / "long.txt", args.chars)
        inputs.append((f"{args.chars:,} characters", scratch / "long.txt"))
    print(f"cores: {cores}; scratch: {scratch}", flush=True)
    try:
        with short_folder() as folder:
            env = ray_environment(folder)
            with ray_head(env, cpus=2) as address:
                env = {**os.environ, **env}
                prepared = scratch / "prepared"
                with cachelayout.using(prepared):  # what any earlier build leaves in the cache folder
                    started = cpu_now()
                    list(pronounce_article(read_article(inputs[-1][1])))
                    tables = cpu_now() - started
                    actor, voice = actor_cpu_per_audio_second(SAMPLE)
                if args.profile:
                    profile(inputs[-1], address, env, scratch, prepared)
                    return 0
                print(f"an actor: {actor:.4f} CPU s per second of audio (the voice on one thread: {voice:.4f})",
                      flush=True)
                receiving = receiving_cpu(address, env)
                setups = [("--jobs 1", ["--jobs", "1"], False), ("--jobs 2", ["--jobs", "2"], False),
                          ("ray, 1 actor", ["--cluster", address, "--actors", "1"], False),
                          ("ray, 2 actors", ["--cluster", address, "--actors", "2"], False),
                          (CACHED, ["--cluster", address, "--actors", "2"], True)]
                results = {}
                for label, path in inputs:
                    for name, extra, warm in setups:
                        tag = f"{path.stem}-{name.replace(' ', '').replace(',', '-')}"
                        results[label, name] = run(path, scratch / tag / "out", scratch / tag / "cache", extra, env,
                                                   warm, prepared=prepared)
                        first = scratch / f"{path.stem}---jobs1" / "out"
                        compared, differing = same_output(first, scratch / tag / "out")
                        results[label, name]["same"] = f"{compared - len(differing)}/{compared}"
                        if extra[0] == "--cluster":
                            results[label, name]["closing"] = closing_cpu(scratch / tag / "out")
                        print(f"  {label}, {name}: {results[label, name]['seconds']:.1f} s", flush=True)
                if args.short:
                    shorts = short_inputs(scratch)
                    with cachelayout.using(prepared):
                        short_actor = actor_cpu_per_audio_second(shorts[0][1])
                    for label, path in shorts:
                        for name, extra, warm in setups[3:]:
                            tag = f"{path.stem}-{name.replace(' ', '').replace(',', '-')}"
                            results[label, name] = run(path, scratch / tag / "out", scratch / tag / "cache", extra,
                                                       env, warm, prepared=prepared)
                            results[label, name]["closing"] = closing_cpu(scratch / tag / "out")
                            print(f"  {label}, {name}: {results[label, name]['seconds']:.1f} s", flush=True)
        with cachelayout.using(prepared):
            pronouncing = pronouncing_cpu(inputs[-1][1]) / results[inputs[-1][0], "--jobs 1"]["audio"]
        report(inputs, setups, results, actor, voice, pronouncing, receiving, tables)
        if args.short:
            print("\n== the same on short sentences (dialogue and fiction: everyday dev-c, its labels taken out)")
            print(f"  an actor on them: {short_actor[0]:.4f} CPU s per second of audio (the voice alone: "
                  f"{short_actor[1]:.4f})")
            projection(SHORT, results, *short_actor)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


CACHED = "ray, 2 actors, readings cached"


def report(inputs, setups, results, actor: float, voice: float, pronouncing: float, receiving: dict,
           tables: float) -> None:
    print("\n== wall time, ratio to --jobs 1 of the same input, files identical to --jobs 1's")
    for label, _ in inputs:
        base = results[label, "--jobs 1"]
        print(f"{label} ({base['audio']:.0f} s of audio)")
        for name, _, _ in setups:
            r = results[label, name]
            print(f"  {name:31} {r['seconds']:7.1f} s  {r['seconds'] / base['seconds']:6.3f}  same files {r['same']}")
    print("\n== the driver's CPU (the build process and its ffmpeg processes) per second of audio")
    for label, _ in inputs:
        for name, _, _ in setups[2:]:
            r = results[label, name]
            print(f"  {label}, {name}: {r['cpu']:.1f} CPU s for {r['audio']:.0f} s = {r['cpu'] / r['audio']:.4f}")
    print(f"  pronouncing alone (the {inputs[-1][0]}, no cache): {pronouncing:.4f} CPU s per second of audio "
          f"({100 * pronouncing / actor:.1f} % of an actor's)")
    print(f"  once per cache folder, not counted above (every build here starts with them): the pronouncer's "
          f"tables, {tables:.1f} CPU s")
    print(f"\n== taking a clip in from an actor (the sample article, {receiving['audio']:.0f} s of audio), side by side")
    for way, cpu in receiving["cpu"].items():
        print(f"  {way:13} {cpu / receiving['audio']:.6f} CPU s per second of audio "
              f"({100 * cpu / receiving['audio'] / actor:.2f} % of an actor's), "
              f"{receiving['bytes'][way] / receiving['audio'] / 1000:.1f} kB per second of audio")
    if len(inputs) < 2:
        return
    print(f"\n== one driver, single-core actors (an actor: {actor:.4f} CPU s per second of audio, speaking and "
          f"finishing; the voice alone {voice:.4f}; target {TARGET_ACTORS})")
    projection([label for label, _ in inputs], results, actor, voice)


def projection(labels: list[str], results: dict, actor: float, voice: float) -> None:
    """How many actors one driver feeds, from the driver's CPU between the smaller input and the larger."""
    for name, what in (("ray, 2 actors", "readings pronounced"), (CACHED, "readings from the pronunciation cache")):
        small, large = (results[label, name] for label in labels)
        extra_audio = large["audio"] - small["audio"]
        marginal = (large["cpu"] - small["cpu"]) / extra_audio
        closing = (large["closing"][0] - small["closing"][0]) / extra_audio
        check = (large["closing"][1] - small["closing"][1]) / extra_audio
        sentences = large["sentences"] - small["sentences"]
        print(f"  {what} ({1000 * (large['cpu'] - small['cpu']) / sentences:.2f} ms per sentence, "
              f"{extra_audio / sentences:.1f} s of audio per sentence):")
        for part, cost in (("the whole build", marginal), ("  of which the closing work", closing),
                           ("  and while the actors speak", marginal - closing),
                           ("  the profile check, on an actor", check)):
            verdict = "meets" if actor / cost >= TARGET_ACTORS else "misses"
            feeds = (f"feeds about {actor / cost:.0f} ({verdict} the target; {voice / cost:.0f} against the voice "
                     "alone)" if part.startswith(("the", "  and")) else "")
            print(f"    {part:42} {cost:.5f} CPU s per second of audio ({100 * cost / actor:4.1f} % of an actor's) "
                  f"{feeds}")


def profile(source: tuple[str, Path], address: str, env: dict, scratch: Path, prepared: Path) -> None:
    """The long input on 2 actors under cProfile, readings pronounced and then cached: the top functions."""
    import pstats

    label, path = source
    for name, warm in (("readings pronounced", False), ("readings cached", True)):
        tag = "profile-cached" if warm else "profile"
        stats = scratch / f"{tag}.prof"
        r = run(path, scratch / tag / "out", scratch / tag / "cache", ["--cluster", address, "--actors", "2"], env,
                warm, profile=stats, prepared=prepared)
        print(f"\n== {label}, 2 actors, {name}: {r['cpu']:.1f} CPU s (profiled) for {r['audio']:.0f} s of audio; "
              "the driver's functions by CPU (own, then with what they call)", flush=True)
        table = pstats.Stats(str(stats))
        table.sort_stats("tottime").print_stats(15)
        table.sort_stats("cumulative").print_stats(r"tts_pipeline", 40)


if __name__ == "__main__":
    sys.exit(main())
