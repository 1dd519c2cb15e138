"""DSen2-style networks in Keras, built from a small architecture dictionary.

Architectures ("arch"):
- "dsen2": Lanaras et al. 2018. Conv 3x3 + ReLU, `blocks` residual blocks (conv-ReLU-conv,
  scaled by 0.1, added), conv 3x3 to the output bands, plus the bilinearly upsampled
  low-resolution bands (the net learns the missing detail). No batch norm.
- "dsen2_s2d": the same blocks computed on a grid `fold` times coarser: inputs folded into
  channels by space-to-depth, the output unfolded by depth-to-space. About fold^2 times less
  arithmetic per output pixel.

With `"zero_mean": true` in the architecture, the correction the network adds to its residual
base is made to average to zero over every block of `zero_mean_block` base pixels (default: one
low-resolution pixel, s x s) inside the graph, so training sees exactly what inference writes:
the output keeps the block means of the guided estimate, hence the band's radiometry, whatever
the network does. net20 uses blocks of 6 (3 x 3 delivered 20 m pixels): single 20 m pixels stay
free to be un-blurred, which the sensor's MTF asks for, while every 60 m cell keeps its mean.
Inputs must be aligned to the block (the engine's windows are aligned to 6, training patches to
the block).
"""

from __future__ import annotations

import math

from ..io.product import ALIGN

DEFAULT_ARCH = {"arch": "dsen2", "blocks": 6, "filters": 128, "fold": 1}


def zero_mean_block(arch: dict, scale: int) -> int:
    """Base pixels a side of the blocks over which the correction averages to zero (1: no constraint)."""
    return int(arch.get("zero_mean_block", scale)) if arch.get("zero_mean") else 1


def receptive_radius(arch: dict, scale: int = 1) -> int:
    """Base-grid pixels on each side that influence one output pixel (convs + bilinear input)."""
    convs = 2 + 2 * int(arch.get("blocks", 6))
    block = zero_mean_block(arch, scale) if arch.get("zero_mean") else 0  # the block mean reaches across a block
    return convs * int(arch.get("fold", 1)) + int(arch.get("fold", 1)) + block


def margin_for(arch: dict, scale: int, input_reach: int) -> int:
    """Tile overlap that makes tiled and untiled inference agree, aligned to the 60 m grid.

    input_reach: how far the inputs themselves reach (spec.NetSpec.input_reach: the guided estimate)."""
    need = receptive_radius(arch, scale) + max(2 * scale, input_reach)
    return int(math.ceil(need / ALIGN) * ALIGN)


def build_model(arch: dict, channels: int, outputs: int, scale: int = 1):
    """Return a Keras model mapping (N, H, W, channels) -> (N, H, W, outputs), both normalised.

    H and W must be multiples of `fold` (the engine uses multiples of 6).
    """
    import keras
    from keras import layers

    kind = arch.get("arch", "dsen2")
    blocks, filters = int(arch.get("blocks", 6)), int(arch.get("filters", 128))
    fold = int(arch.get("fold", 1)) if kind == "dsen2_s2d" else 1
    if kind not in ("dsen2", "dsen2_s2d"):
        raise ValueError(f"unknown architecture {kind!r}")

    inp = keras.Input(shape=(None, None, channels), name="inputs")
    residual_base = layers.Lambda(lambda t: t[..., -outputs:], name="upsampled_targets")(inp)
    x = inp
    if fold > 1:
        x = layers.Lambda(lambda t: _space_to_depth(t, fold), name="fold")(x)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu", name="head")(x)
    for i in range(blocks):
        y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{i}_conv1")(x)
        y = layers.Conv2D(filters, 3, padding="same", name=f"block{i}_conv2")(y)
        y = layers.Rescaling(0.1, name=f"block{i}_scale")(y)
        x = layers.Add(name=f"block{i}_add")([x, y])
    x = layers.Conv2D(outputs * fold * fold, 3, padding="same", name="tail")(x)
    if fold > 1:
        x = layers.Lambda(lambda t: _depth_to_space(t, fold), name="unfold")(x)
    size = zero_mean_block(arch, scale)
    if size > 1:
        block = layers.AveragePooling2D(pool_size=size, strides=size, name="block_mean")(x)
        block = layers.UpSampling2D(size=size, interpolation="nearest", name="block_mean_up")(block)
        x = layers.Subtract(name="zero_mean_correction")([x, block])
    out = layers.Add(name="detail_plus_upsampled")([x, residual_base])
    return keras.Model(inp, out, name=f"{kind}_{blocks}x{filters}_f{fold}")


def _space_to_depth(t, fold):
    import tensorflow as tf

    return tf.nn.space_to_depth(t, fold)


def _depth_to_space(t, fold):
    import tensorflow as tf

    return tf.nn.depth_to_space(t, fold)
