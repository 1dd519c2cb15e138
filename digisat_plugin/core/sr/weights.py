"""Shipped networks: a folder per network with `model.json` (the model card), the network as an
ONNX graph (what runs, on ONNX Runtime) and its Keras weights (what training and the experimental
adaptation start from; development only).

model_weights/
  net20/model.json, net20/model.onnx, net20/weights.weights.h5   (B05 B06 B07 B8A B11 B12)
  net60/model.json, net60/model.onnx, net60/weights.weights.h5   (B01 B09)
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

from ..errors import DigisatError
from ..io.product import ALIGN
from .consistency import consistency_reach
from .model import margin_for, receptive_radius
from .session import NetSession
from .spec import INPUT_UNITS, SPECS

WEIGHTS_FILE = "weights.weights.h5"
ONNX_FILE = "model.onnx"
CARD_FILE = "model.json"


def default_model_dir() -> str:
    """$DIGISAT_MODEL_DIR, else model_weights/ in or beside the package (plugin zip or checkout)."""
    if os.environ.get("DIGISAT_MODEL_DIR"):
        return os.environ["DIGISAT_MODEL_DIR"]
    here = os.path.dirname(os.path.abspath(__file__))
    package = os.path.dirname(os.path.dirname(here))
    for candidate in (os.path.join(package, "model_weights"), os.path.join(os.path.dirname(package), "model_weights")):
        if os.path.isdir(candidate):
            return candidate
    return os.path.join(os.path.dirname(package), "model_weights")


@dataclass
class LoadedNet:
    name: str
    card: dict
    session: object  # (N, H, W, C) -> (N, H, W, outputs): a NetSession, or a KerasSession (development)
    spec: object  # NetSpec
    margin: int  # base pixels a tile's inputs need around its core (the estimate's reach and the network's)
    network_margin: int = 0  # of which the network's own inputs need this much (its receptive radius)


def read_card(model_dir: str, name: str) -> dict:
    path = os.path.join(model_dir, name, CARD_FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise DigisatError(f"{path}: model card not found (--model must be a folder with net20/ and net60/)") from None
    except ValueError as exc:
        raise DigisatError(f"{path}: model card is not valid JSON ({exc})") from None


def check_card(model_dir: str, name: str) -> dict:
    """The card of `name`, checked against what this engine prepares for it."""
    card = read_card(model_dir, name)
    spec = SPECS[name]
    if tuple(card.get("inputs", spec.inputs)) != spec.inputs or tuple(card.get("outputs", spec.outputs)) != spec.outputs:
        raise DigisatError(f"{os.path.join(model_dir, name, CARD_FILE)}: bands do not match {name}")
    if card.get("input_units") != INPUT_UNITS:
        raise DigisatError(f"{os.path.join(model_dir, name, CARD_FILE)}: trained for inputs "
                           f"{card.get('input_units', 'divided by 2000')!r}, this engine prepares "
                           f"{INPUT_UNITS!r} (retrain with 'make train')")
    if card.get("residual_base") != spec.residual_base:
        raise DigisatError(f"{os.path.join(model_dir, name, CARD_FILE)}: trained to correct "
                           f"{card.get('residual_base')!r}, this engine's estimate is {spec.residual_base!r} "
                           f"(retrain with 'make train')")
    return card


def load_net(model_dir: str, name: str, providers=("CPUExecutionProvider",), threads: int | None = None,
             session=None) -> LoadedNet:
    """The network `name` of `model_dir`, checked against its card, in an ONNX Runtime session (or
    in `session`, a callable standing for one: a Keras model in development comparisons)."""
    card = check_card(model_dir, name)
    spec = SPECS[name]
    if session is None:
        path = os.path.join(model_dir, name, ONNX_FILE)
        if not os.path.exists(path):
            raise DigisatError(f"{path}: network not found (export it with 'python -m digisat_plugin export-onnx "
                               f"--model {model_dir}', or run 'make train')")
        session = NetSession(path, providers, threads)
    margin = margin_for(card["arch"], spec.scale, spec.input_reach)
    network_margin = int(math.ceil(receptive_radius(card["arch"], spec.scale) / ALIGN) * ALIGN)
    if card.get("consistency"):  # the back-projection reaches further than the network, over its whole input
        margin += int(math.ceil(consistency_reach(spec.scale) / ALIGN) * ALIGN)
        network_margin = margin
    return LoadedNet(name, card, session, spec, margin, network_margin)


def write_card(model_dir: str, name: str, card: dict) -> None:
    """Write a network's model card atomically (a temporary name, then rename)."""
    path = os.path.join(model_dir, name, CARD_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(card, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(path + ".tmp", path)
