"""The context model: g2pM's bi-LSTM polyphone classifier, run on numpy.

The `g2pM` wheel ships the weights of a one-layer bi-LSTM (64-dim character
embeddings, 32 hidden units each way, two dense layers) trained on the CPP
polyphone set. Its own `G2pM.__call__` takes the argmax over all 876 syllables;
here the scores are turned into probabilities over the readings the character
actually has, which is both more accurate and gives a confidence to act on.

The weights are read once, lazily, from the installed wheel; nothing is
downloaded.
"""
from __future__ import annotations

import importlib.util
import pickle
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import EngineError
from .once import load_once

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
        def load(name: str):
            with open(folder / name, "rb") as handle:
                return pickle.load(handle)

        cedict = load("digest_cedict.pkl")
        self._char_ids: dict[str, int] = load("char2idx.pkl")
        class_ids: dict[str, int] = load("class2idx.pkl")
        weights = {k: np.asarray(v, dtype=np.float32) for k, v in load("np_ckpt.pkl").items()}

        self._unk = self._char_ids[_UNK]
        self._bos = self._char_ids[_BOS]
        self._eos = self._char_ids[_EOS]
        self._cedict = cedict
        # char -> (readings in tone-number form, their class indices)
        self.readings: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        for char, prons in cedict.items():
            if len(prons) > 1:
                known = [p for p in prons if p in class_ids]
                if len(known) > 1:
                    self.readings[char] = (
                        tuple(_cedict_to_numbered(p) for p in known),
                        np.array([class_ids[p] for p in known]),
                    )

        hidden = weights["lstm.weight_hh_l0"].shape[1]
        self._hidden = hidden
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
        self._projected = weights["embedding.weight"] @ w_in + b_in  # [vocabulary, 8h]
        w_rec = np.zeros((8 * hidden, 2 * hidden), dtype=np.float32)
        w_rec[: 4 * hidden, :hidden] = weights["lstm.weight_hh_l0"]
        w_rec[4 * hidden :, hidden:] = weights["lstm.weight_hh_l0_reverse"]
        self._w_rec = w_rec.T
        self._dense1 = (weights["logit_layer.0.weight"].T, weights["logit_layer.0.bias"])
        self._dense2 = (weights["logit_layer.2.weight"], weights["logit_layer.2.bias"])

    @cached_property
    def all_readings(self) -> dict[str, tuple[str, ...]]:
        """Every character CC-CEDICT lists -> all its readings in tone-number form."""
        # Only the stored table of characters' readings (readings.py) is built
        # from this; computing it for 10,000 characters costs a fresh process 15 ms.
        return {char: tuple(_cedict_to_numbered(p) for p in prons) for char, prons in self._cedict.items()}

    def is_polyphone(self, char: str) -> bool:
        return char in self.readings

    def _states(self, text: str) -> np.ndarray:
        """Hidden states [len(text), 2*hidden] for every character (markers excluded)."""
        ids = [self._bos] + [self._char_ids.get(c, self._unk) for c in text] + [self._eos]
        projected = self._projected[ids]  # [T, 8h]
        h = self._hidden
        steps = len(ids)
        # gate layout per direction (PyTorch): input, forget, cell, output
        fw_in = projected[:, : 4 * h]
        bw_in = projected[::-1, 4 * h :]
        inputs = np.concatenate([fw_in, bw_in], axis=1)
        state = np.zeros(2 * h, dtype=np.float32)
        cell = np.zeros(2 * h, dtype=np.float32)
        out = np.empty((steps, 2 * h), dtype=np.float32)
        w_rec = self._w_rec
        for t in range(steps):
            gates = inputs[t] + np.einsum("i,ij->j", state, w_rec)
            g = gates.reshape(2, 4, h)
            sig = 1.0 / (1.0 + np.exp(-g[:, (0, 1, 3)]))
            cell = sig[:, 1].ravel() * cell + sig[:, 0].ravel() * np.tanh(g[:, 2]).ravel()
            state = sig[:, 2].ravel() * np.tanh(cell)
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


@load_once
def context_model() -> ContextModel:
    """The shared model, loaded on first use (about 0.2 s)."""
    spec = importlib.util.find_spec("g2pM")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError("the g2pM package is not installed; run: pip install g2pM==0.1.2.5")
    return ContextModel(Path(list(spec.submodule_search_locations)[0]))
