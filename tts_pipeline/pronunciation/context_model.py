"""The context model: g2pM's bi-LSTM polyphone classifier, run on numpy.

The `g2pM` wheel ships the weights of a one-layer bi-LSTM (64-dim character
embeddings, 32 hidden units each way, two dense layers) trained on the CPP
polyphone set. Its own `G2pM.__call__` takes the argmax over all 876 syllables;
here the scores are turned into probabilities over the readings the character
actually has, which is both more accurate and gives a confidence to act on.

The weights are read from the installed wheel (pickles, through an unpickler
that builds only arrays and plain containers), and the tables computed from
them kept in the cache folder as a packed table (packed.py), so a new process
copies them out instead of computing them; nothing is downloaded.
"""
from __future__ import annotations

import importlib.util
import pickle
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import EngineError
from .once import load_once, stored_table

_BOS = "시"  # the begin/end markers g2pM was trained with
_EOS = "끝"
_UNK = "<UNK>"


@dataclass(frozen=True)
class Guess:
    """The model's reading for one character with the probabilities of all its readings."""

    reading: str
    probability: float
    candidates: tuple[tuple[str, float], ...]


def _cedict_to_numbered(syllable: str) -> str:
    return syllable.replace("u:", "v")


class ContextModel:
    """Scores every reading of each polyphonic character of a sentence."""

    def __init__(self, folder: Path) -> None:
        """The model computed from the g2pM package's files in `folder`."""
        self._folder = folder
        cedict = _load_pickle(folder, "digest_cedict.pkl")
        char_ids: dict[str, int] = _load_pickle(folder, "char2idx.pkl")
        class_ids: dict[str, int] = _load_pickle(folder, "class2idx.pkl")
        weights = {k: np.asarray(v, dtype=np.float32) for k, v in _load_pickle(folder, "np_ckpt.pkl").items()}

        readings: dict[str, tuple[tuple[str, ...], list[int]]] = {}
        for char, prons in cedict.items():
            if len(prons) > 1:
                known = [p for p in prons if p in class_ids]
                if len(known) > 1:
                    readings[char] = (tuple(_cedict_to_numbered(p) for p in known), [class_ids[p] for p in known])

        hidden = weights["lstm.weight_hh_l0"].shape[1]
        # Both directions run in one loop. Their input projections are looked
        # up per character from a table computed once, and their recurrent
        # weights form one block-diagonal matrix, so each step is one small
        # product; einsum keeps it off OpenBLAS, whose threads make such tiny
        # products ten times slower on a busy machine.
        w_in = np.concatenate([weights["lstm.weight_ih_l0"], weights["lstm.weight_ih_l0_reverse"]]).T
        b_in = np.concatenate(
            [
                weights["lstm.bias_ih_l0"] + weights["lstm.bias_hh_l0"],
                weights["lstm.bias_ih_l0_reverse"] + weights["lstm.bias_hh_l0_reverse"],
            ]
        )
        w_rec = np.zeros((8 * hidden, 2 * hidden), dtype=np.float32)
        w_rec[: 4 * hidden, :hidden] = weights["lstm.weight_hh_l0"]
        w_rec[4 * hidden :, hidden:] = weights["lstm.weight_hh_l0_reverse"]
        arrays = {
            "projected": weights["embedding.weight"] @ w_in + b_in,  # [vocabulary, 8h]
            "w_rec": w_rec,
            "dense1_w": weights["logit_layer.0.weight"],
            "dense1_b": weights["logit_layer.0.bias"],
            "dense2_w": weights["logit_layer.2.weight"],
            "dense2_b": weights["logit_layer.2.bias"],
        }
        self._setup(char_ids, readings, arrays)

    def _setup(self, char_ids: dict[str, int], readings: dict, arrays: dict[str, np.ndarray]) -> None:
        self._char_ids = char_ids
        self._unk = char_ids[_UNK]
        self._bos = char_ids[_BOS]
        self._eos = char_ids[_EOS]
        # char -> (readings in tone-number form, their class indices)
        self.readings: dict[str, tuple[tuple[str, ...], np.ndarray]] = {
            char: (tuple(names), np.array(classes)) for char, (names, classes) in readings.items()
        }
        self._arrays = arrays
        self._hidden = arrays["w_rec"].shape[1] // 2
        self._projected = arrays["projected"]
        # the gates' columns reordered from PyTorch's (per direction: input, forget, cell, output) to the three
        # sigmoid gates of both directions, then the cell gate of both: each step works on contiguous slices
        h = self._hidden
        self._gate_order = np.array([direction * 4 * h + gate * h + unit for gate in (0, 1, 3, 2)
                                     for direction in (0, 1) for unit in range(h)])
        self._w_rec = np.ascontiguousarray(arrays["w_rec"].T[:, self._gate_order])
        self._dense1 = (arrays["dense1_w"].T, arrays["dense1_b"])
        self._dense2 = (arrays["dense2_w"], arrays["dense2_b"])

    def to_table(self) -> tuple[dict[str, bytes], dict]:
        """The model as a packed table's contents: each array's bytes, and the rest in `meta`."""
        meta = {
            "char_ids": self._char_ids,
            "readings": {char: [list(names), classes.tolist()] for char, (names, classes) in self.readings.items()},
            "arrays": {name: [a.dtype.str, list(a.shape)] for name, a in self._arrays.items()},
        }
        return {name: np.ascontiguousarray(a).tobytes() for name, a in self._arrays.items()}, meta

    @classmethod
    def from_table(cls, table, folder: Path) -> ContextModel:
        """The model from what `to_table` gave; each array is copied out of the file, so it is
        aligned and laid out exactly as when it was computed (einsum's results depend on that)."""
        model = cls.__new__(cls)
        model._folder = folder
        arrays = {
            name: np.frombuffer(table[name], dtype=np.dtype(dtype)).reshape(shape).copy()
            for name, (dtype, shape) in table.meta["arrays"].items()
        }
        model._setup(table.meta["char_ids"], table.meta["readings"], arrays)
        return model

    @cached_property
    def all_readings(self) -> dict[str, tuple[str, ...]]:
        """Every character CC-CEDICT lists -> all its readings in tone-number form."""
        # Only the stored table of characters' readings (readings.py) is built from this.
        cedict = _load_pickle(self._folder, "digest_cedict.pkl")
        return {char: tuple(_cedict_to_numbered(p) for p in prons) for char, prons in cedict.items()}

    def is_polyphone(self, char: str) -> bool:
        return char in self.readings

    def _states(self, text: str) -> np.ndarray:
        """Hidden states [len(text), 2*hidden] for every character (markers excluded)."""
        ids = [self._bos] + [self._char_ids.get(c, self._unk) for c in text] + [self._eos]
        projected = self._projected[ids]  # [T, 8h]
        h = self._hidden
        steps = len(ids)
        # the projected inputs in PyTorch's gate layout per direction, reordered as the recurrent weights are
        fw_in = projected[:, : 4 * h]
        bw_in = projected[::-1, 4 * h :]
        inputs = np.concatenate([fw_in, bw_in], axis=1)[:, self._gate_order]
        state = np.zeros(2 * h, dtype=np.float32)
        cell = np.zeros(2 * h, dtype=np.float32)
        out = np.empty((steps, 2 * h), dtype=np.float32)
        w_rec = self._w_rec
        sigmoid, candidate = slice(0, 6 * h), slice(6 * h, 8 * h)
        for t in range(steps):
            gates = inputs[t] + np.dot(state, w_rec)
            sig = 1.0 / (1.0 + np.exp(-gates[sigmoid]))
            cell = sig[2 * h:4 * h] * cell + sig[:2 * h] * np.tanh(gates[candidate])
            state = sig[4 * h:] * np.tanh(cell)
            out[t] = state
        forward = out[1:-1, :h]
        backward = out[::-1][1:-1, h:]
        return np.concatenate([forward, backward], axis=1)

    def guess(self, text: str, positions: list[int] | None = None) -> dict[int, Guess]:
        """Readings for the polyphones of `text` at `positions` (all of them by default)."""
        if positions is None:
            positions = [i for i, c in enumerate(text) if c in self.readings]
        else:
            positions = [i for i in positions if text[i] in self.readings]
        if not positions:
            return {}
        states = self._states(text)[positions]
        w1, b1 = self._dense1
        hidden = np.maximum(np.einsum("pi,ij->pj", states, w1) + b1, 0.0)
        w2, b2 = self._dense2
        result: dict[int, Guess] = {}
        for row, pos in zip(hidden, positions):
            names, classes = self.readings[text[pos]]
            logits = np.einsum("cj,j->c", w2[classes], row) + b2[classes]
            logits = logits - logits.max()
            probs = np.exp(logits)
            probs /= probs.sum()
            best = int(np.argmax(probs))
            result[pos] = Guess(
                names[best],
                float(probs[best]),
                tuple((n, float(p)) for n, p in zip(names, probs)),
            )
        return result


# What g2pM's files may build: its weights are NumPy arrays; its tables plain dicts, lists and strings.
_ALLOWED_GLOBALS = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
                    ("numpy._core.multiarray", "_reconstruct")}


class _WeightsUnpickler(pickle.Unpickler):
    """The g2pM wheel ships its weights and tables only as pickles. They are read from the installed package
    (never from the cache folder) by an unpickler that builds nothing but arrays and plain containers, so a
    tampered file cannot run code; what is computed from them is kept as a packed table (packed.py)."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"g2pM's {module}.{name} is not an array or a table; refusing to load it")
        return super().find_class(module, name)


def _load_pickle(folder: Path, name: str):
    with open(folder / name, "rb") as handle:
        return _WeightsUnpickler(handle).load()


def _package_folder() -> Path:
    spec = importlib.util.find_spec("g2pM")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError("the g2pM package is not installed; run: pip install g2pM==0.1.2.5")
    return Path(list(spec.submodule_search_locations)[0])


@load_once
def context_model() -> ContextModel:
    """The shared model, read from a packed table in the cache folder (a few ms), which is
    computed from the g2pM package's files on first use (about 0.1 s)."""
    folder = _package_folder()
    table = stored_table("g2pm-model", "bytes", ("g2pM", "numpy"), lambda: ContextModel(folder).to_table())
    return ContextModel.from_table(table, folder)
