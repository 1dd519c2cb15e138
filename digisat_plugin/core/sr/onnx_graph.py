"""A trained network as an ONNX graph, built from its weights with `onnx.helper`.

Why by hand rather than a converter: the networks (core/sr/model.py) are a handful of standard
operators (Conv, Relu, Mul, Add, Slice, AveragePool, Resize, Sub, and SpaceToDepth/DepthToSpace for
the folded variant), so the graph is a few lines that say exactly what runs; tf2onnx pins its own
TensorFlow and protobuf ranges, and Keras 3's exporter needs it. Only training and export import
`onnx` (a development package); users' machines run the file with ONNX Runtime alone
(core/sr/session.py).

The graph keeps the Keras model's interface: inputs (N, H, W, channels) float32, outputs
(N, H, W, outputs) float32, in the model's normalised units; inside, it runs channels-first, as
ONNX's convolutions do. H and W must be multiples of the zero-mean block (and of the fold), as for
the Keras model.
"""

from __future__ import annotations

import numpy as np

from .model import zero_mean_block

OPSET = 17  # ONNX Runtime 1.14 and newer run it; every operator used here exists since opset 13
IR_VERSION = 8  # read by every ONNX Runtime since 1.10
EXPORTER = "digisat onnx_graph (onnx.helper)"


def keras_weights(model) -> dict:
    """{layer name: [kernel, bias]} of a Keras model's convolutions (what `build_graph` needs)."""
    return {layer.name: [np.asarray(w) for w in layer.get_weights()] for layer in model.layers if layer.get_weights()}


def build_graph(arch: dict, weights: dict, channels: int, outputs: int, scale: int = 1):
    """The ONNX ModelProto of core/sr/model.build_model(arch, channels, outputs, scale) with
    `weights` ({layer name: [kernel (kh, kw, in, out), bias]}, as Keras holds them)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    kind = arch.get("arch", "dsen2")
    if kind not in ("dsen2", "dsen2_s2d"):
        raise ValueError(f"unknown architecture {kind!r}")
    blocks = int(arch.get("blocks", 6))
    fold = int(arch.get("fold", 1)) if kind == "dsen2_s2d" else 1
    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def conv(x, layer, relu=False):
        kernel, bias = weights[layer]
        w = const(f"{layer}/kernel", np.ascontiguousarray(np.transpose(kernel, (3, 2, 0, 1)), np.float32))
        b = const(f"{layer}/bias", np.asarray(bias, np.float32))
        pad = kernel.shape[0] // 2  # Keras "same" for odd kernels, stride 1
        y = node("Conv", [x, w, b], f"{layer}/conv", kernel_shape=list(kernel.shape[:2]), pads=[pad] * 4)
        return node("Relu", [y], f"{layer}/relu") if relu else y

    x = node("Transpose", ["inputs"], "to_channels_first", perm=[0, 3, 1, 2])
    base = node("Slice", [x, const("base_start", np.array([channels - outputs], np.int64)),
                          const("base_end", np.array([channels], np.int64)), const("base_axis", np.array([1], np.int64))],
                "upsampled_targets")
    if fold > 1:
        x = node("SpaceToDepth", [x], "fold", blocksize=fold)
    x = conv(x, "head", relu=True)
    tenth = const("block_scale", np.array(0.1, np.float32))
    for i in range(blocks):
        y = conv(x, f"block{i}_conv1", relu=True)
        y = conv(y, f"block{i}_conv2")
        y = node("Mul", [y, tenth], f"block{i}_scale")
        x = node("Add", [x, y], f"block{i}_add")
    x = conv(x, "tail")
    if fold > 1:
        x = node("DepthToSpace", [x], "unfold", blocksize=fold, mode="DCR")  # tf.nn.depth_to_space's order
    size = zero_mean_block(arch, scale)
    if size > 1:
        block = node("AveragePool", [x], "block_mean", kernel_shape=[size, size], strides=[size, size])
        up = node("Resize", [block, "", const("block_mean_scales", np.array([1, 1, size, size], np.float32))],
                  "block_mean_up", mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
        x = node("Sub", [x, up], "zero_mean_correction")
    x = node("Add", [x, base], "detail_plus_upsampled")
    node("Transpose", [x], "outputs", perm=[0, 2, 3, 1])
    graph = helper.make_graph(
        nodes, f"{kind}_{blocks}x{int(arch.get('filters', 128))}_f{fold}",
        [helper.make_tensor_value_info("inputs", TensorProto.FLOAT, ["N", "H", "W", channels])],
        [helper.make_tensor_value_info("outputs", TensorProto.FLOAT, ["N", "H", "W", outputs])], inits)
    model = helper.make_model(graph, producer_name="digisat", opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def card_entry(file_name: str) -> dict:
    """What a model card records of the ONNX file: its name, opset and exporter."""
    import onnx

    return {"file": file_name, "opset": OPSET, "ir_version": IR_VERSION, "exporter": f"{EXPORTER} {onnx.__version__}"}
