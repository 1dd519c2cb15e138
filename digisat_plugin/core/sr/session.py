"""The networks' runtime: ONNX Runtime sessions, and the device choice as execution providers.

ONNX Runtime is what users install (requirements/runtime.txt: one wheel of 17-28 MB for Windows,
macOS and Linux, no TensorFlow, no h5py). `--device` maps to its execution providers: a GPU
provider when one is installed (CUDA from `onnxruntime-gpu`, DirectML from `onnxruntime-directml`
on Windows, any vendor; CoreML, part of the macOS wheel), the CPU otherwise.
"""

from __future__ import annotations

import sys

import numpy as np

from ..errors import DigisatError

# first available wins, for --device gpu and auto
GPU_PROVIDERS = ("CUDAExecutionProvider", "DmlExecutionProvider", "CoreMLExecutionProvider")
CPU_PROVIDER = "CPUExecutionProvider"
# what adds each provider (the plugin's installer takes the package from here)
GPU_PACKAGE = {"linux": "onnxruntime-gpu", "win32": "onnxruntime-directml", "darwin": "onnxruntime"}


def _ort():
    try:
        import onnxruntime
    except ImportError:
        raise DigisatError("the networks need ONNX Runtime: pip install -r requirements/runtime.txt "
                           "(in QGIS: 'Install packages')") from None
    return onnxruntime


def providers_for(device: str, available=None) -> list:
    """ONNX Runtime providers for --device auto|cpu|gpu, given the available ones (default: this
    installation's); a one-line error for gpu without a GPU provider."""
    if device not in ("auto", "cpu", "gpu"):
        raise DigisatError(f"--device {device!r}: expected cpu, gpu or auto")
    available = list(_ort().get_available_providers() if available is None else available)
    gpu = [p for p in GPU_PROVIDERS if p in available]
    if device == "gpu" and not gpu:
        package = GPU_PACKAGE.get(sys.platform, "onnxruntime-gpu")
        raise DigisatError(f"--device gpu: ONNX Runtime has no GPU provider here (it has {', '.join(available)}); "
                           f"install {package} in place of onnxruntime")
    if device == "cpu" or not gpu:
        return [CPU_PROVIDER]
    return [gpu[0], CPU_PROVIDER]


def device_name(providers) -> str:
    """'cpu', or 'gpu (CUDA)' etc.: what a run reports it used."""
    first = providers[0]
    return "cpu" if first == CPU_PROVIDER else f"gpu ({first.replace('ExecutionProvider', '')})"


class NetSession:
    """One network in an ONNX Runtime session: `session(x)` maps (N, H, W, C) float32 inputs to
    (N, H, W, outputs), like the Keras model it was exported from."""

    def __init__(self, model, providers, threads: int | None = None):
        """model: a path to an .onnx file, or its bytes (a network adapted in memory)."""
        ort = _ort()
        options = ort.SessionOptions()
        options.log_severity_level = 3  # its warnings name graph internals nobody can act on
        if threads:
            # the process's share of the cores (core/sr/threads.py): a Dask worker's, or the CLI's --threads
            options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(model, sess_options=options, providers=list(providers))
        except Exception as exc:  # ONNX Runtime raises its own exception types for a bad file
            where = model if isinstance(model, str) else "network in memory"
            raise DigisatError(f"{where}: ONNX Runtime cannot load it ({str(exc).splitlines()[0]})") from None
        self.providers = self._session.get_providers()
        self.input_name = self._session.get_inputs()[0].name
        self.channels = self._session.get_inputs()[0].shape[-1]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self.input_name: np.ascontiguousarray(x, dtype=np.float32)})[0]
