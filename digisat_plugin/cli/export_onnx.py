"""`python -m digisat_plugin export-onnx`: write each network's model.onnx from its Keras weights.

`make train` writes the ONNX graphs itself; this is for weights trained before, or by hand. It
needs TensorFlow (development); running the result needs only ONNX Runtime.
"""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export-onnx", help="write model.onnx beside each network's Keras weights (development)",
        description="Build each network's ONNX graph from its Keras weights and record it in the model card.")
    p.add_argument("--model", default=None, help="folder with net20/ and net60/ (default: the shipped model_weights)")
    p.add_argument("--net", choices=("net20", "net60", "both"), default="both")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..core.sr.keras_net import export_saved
    from ..core.sr.weights import default_model_dir

    model_dir = args.model or default_model_dir()
    for net in ("net20", "net60") if args.net == "both" else (args.net,):
        print(f"{export_saved(model_dir, net)} written")
    return 0
