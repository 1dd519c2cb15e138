"""The networks in Keras: what training, the experimental adaptation, the ONNX export and the
development comparison in `make bench` use. TensorFlow is a development dependency
(requirements/dev.txt); users' runs never come here (they run the ONNX graph: core/sr/session.py).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import DigisatError
from .spec import INPUT_UNITS, SPECS
from .weights import ONNX_FILE, WEIGHTS_FILE, check_card, read_card, write_card


def require_tensorflow(what: str) -> None:
    """A one-line error when TensorFlow is missing, naming what needs it."""
    try:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    except ImportError:
        raise DigisatError(f"{what} needs TensorFlow and Keras, which the plugin's runtime does not install: "
                           "pip install -r requirements/dev.txt") from None


def load_keras_model(model_dir: str, name: str):
    """The Keras model of network `name`, with its trained weights (the card's architecture)."""
    from .model import build_model
    require_tensorflow("loading the Keras weights")
    card = check_card(model_dir, name)
    spec = SPECS[name]
    weights = os.path.join(model_dir, name, WEIGHTS_FILE)
    if not os.path.exists(weights):
        raise DigisatError(f"{weights}: trained weights not found (run 'make train')")
    model = build_model(card["arch"], spec.channels, len(spec.outputs), spec.scale)
    try:
        model.load_weights(weights)
    except Exception as exc:  # h5py/keras raise many types for a bad file
        raise DigisatError(f"{weights}: cannot load weights ({str(exc).splitlines()[0]})") from None
    return model


class KerasSession:
    """A Keras model called like a NetSession: one tf.function for inputs of any size (Keras's
    predict_on_batch traces again for every new input shape, about 0.7 s each on 2 cores)."""

    def __init__(self, model):
        import tensorflow as tf

        self.model = model
        signature = [tf.TensorSpec([None, None, None, model.input_shape[-1]], tf.float32)]
        self._call = tf.function(lambda x: model(x, training=False), input_signature=signature)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self._call(np.ascontiguousarray(x, dtype=np.float32)), dtype=np.float32)


def onnx_model(model, arch: dict, spec):
    """The ONNX ModelProto of a Keras model of `spec`'s network."""
    from .onnx_graph import build_graph, keras_weights

    return build_graph(arch, keras_weights(model), spec.channels, len(spec.outputs), spec.scale)


def write_onnx(model, arch: dict, spec, path: str) -> dict:
    """Write the ONNX graph of a Keras model to `path` atomically; returns the card's entry for it."""
    from .onnx_graph import card_entry

    proto = onnx_model(model, arch, spec)
    with open(path + ".tmp", "wb") as fh:
        fh.write(proto.SerializeToString())
    os.replace(path + ".tmp", path)
    return card_entry(os.path.basename(path))


def export_saved(model_dir: str, name: str) -> str:
    """Write `name`'s model.onnx from its Keras weights and record it in its card; returns the path."""
    model = load_keras_model(model_dir, name)
    card = read_card(model_dir, name)
    path = os.path.join(model_dir, name, ONNX_FILE)
    card["onnx"] = write_onnx(model, card["arch"], SPECS[name], path)
    write_card(model_dir, name, card)
    return path


def save_net(model, model_dir: str, name: str, card: dict) -> None:
    """Write a Keras model's weights, its ONNX graph and its card, each atomically (temporary
    names, then rename)."""
    folder = os.path.join(model_dir, name)
    os.makedirs(folder, exist_ok=True)
    spec = SPECS[name]
    card = dict(card, name=name, inputs=list(spec.inputs), outputs=list(spec.outputs), scale=spec.scale,
                input_units=INPUT_UNITS, residual_base=spec.residual_base)
    tmp_weights = os.path.join(folder, "tmp-" + WEIGHTS_FILE)
    model.save_weights(tmp_weights)
    os.replace(tmp_weights, os.path.join(folder, WEIGHTS_FILE))
    card["onnx"] = write_onnx(model, card["arch"], spec, os.path.join(folder, ONNX_FILE))
    write_card(model_dir, name, card)
