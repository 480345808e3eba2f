"""The `voices` command (cli.py declares its options)."""
from __future__ import annotations

from . import DEFAULT_ENGINE, engine_class, engine_names


def run_voices(args) -> int:
    """The `voices` command: every engine, whether it can run here and why not; with --engine, its voices."""
    if args.engine:
        cls = engine_class(args.engine)
        voices, source = cls.voices_here()
        if not voices:
            print(f"{args.engine} has one voice (--voice does not apply to it)")
            return 0
        if source:
            print(f"{args.engine} voices, from {source}:")
        width = max(len(name) for name, _ in voices)
        for name, about in voices:
            print(f"{name:<{width}}  {about}".rstrip())
        return 0

    rows = []
    for name in engine_names():
        cls = engine_class(name)
        availability = cls.availability()
        label = f"{name} (default)" if name == DEFAULT_ENGINE else name
        status = "usable" if availability.usable else "unusable"
        network = "online" if cls.needs_network else "offline"
        rows.append((label, status, f"{cls.sample_rate} Hz", network, cls.description, availability.reason))
    width = max(len(row[0]) for row in rows)
    for label, status, rate, network, description, reason in rows:
        print(f"{label:<{width}}  {status:<8}  {rate:>8}  {network:<7}  {description}")
        if reason:
            print(f"{'':<{width}}  {'note' if status == 'usable' else 'why'}: {reason}")
    return 0
