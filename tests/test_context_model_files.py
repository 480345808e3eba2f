"""g2pM's weights are read from its wheel's pickles by an unpickler that builds only arrays and plain containers."""
from __future__ import annotations

import pickle

import pytest

from tts_pipeline.pronunciation.context_model import ContextModel, _package_folder


class _Runs:
    """A pickle that would run a command when loaded by pickle.load."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_pickle_that_would_run_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "digest_cedict.pkl").write_bytes(pickle.dumps({"行": ["xing2", "hang2"], "x": _Runs(marker)}))
    with pytest.raises(pickle.UnpicklingError, match=r"g2pM.s io\.open is not an array or a table"):
        ContextModel(tmp_path)
    assert not marker.exists()


def test_the_wheels_files_load_and_read_a_polyphone():
    model = ContextModel(_package_folder())
    assert model.guess("他去银行了")[3].reading == "hang2"
