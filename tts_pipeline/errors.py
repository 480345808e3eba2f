"""Errors meant for users: each says what went wrong and where.

The CLI prints `str(error)` on one line and exits with `exit_code`; only
`--debug` shows a traceback.
"""


class PipelineError(Exception):
    exit_code = 1


class InputError(PipelineError):
    """The input could not be read or understood (bad encoding, empty file...)."""

    exit_code = 2


class EngineError(PipelineError):
    """A speech engine is missing, failed to load, or failed on a sentence."""

    exit_code = 3


class OutputError(PipelineError):
    """The output folder cannot be written (read-only, full disk, not ours)."""

    exit_code = 4


class MissingPackageError(PipelineError):
    """What was asked needs an optional package that is not installed (the message says how to install it)."""

    exit_code = 2


class ClusterError(PipelineError):
    """The Ray cluster could not be reached, went away, or does not run what this machine runs."""

    exit_code = 3
