"""The worker: core's heavy jobs (the networks on ONNX Runtime, the catalogue clients) in a child
Python process.

QGIS never imports the networks' runtime: a native library crashing or running out of memory
must not take the user's QGIS with it (with TensorFlow, Keras building graphs on a QgsTask thread
did crash QGIS, and h5py's bundled HDF5 clashed with GDAL's), and the packages live in the digisat
environment, not in QGIS's Python. The QGIS side (tasks/, processing/) starts
`python -m digisat_plugin.worker` with the interpreter of the digisat environment
(toolbelt/environment.py) and talks to it in JSON lines:

- parent -> child, on stdin, one line per job: {"job": "superresolve", "args": {...}}; logins travel
  only here, never on the command line or in the environment; {"cancel": true} cancels the job;
- child -> parent, on a private copy of stdout, per job: any number of
  {"event": "progress", "fraction": f, "message": m} and {"event": "log", "message": m}, then one of
  {"event": "result", "value": ...} or {"event": "error", "kind": "user"|"cancelled"|"bug",
  "message": one line, "details": traceback for bugs}.

The child serves jobs until stdin closes or it has been idle for `--idle` seconds (a kept-alive
worker loads the networks once). Cancel is a {"cancel": true} line (the job's
Progress then reports cancelled, so core cleans up as in-process), then SIGTERM/SIGKILL within 2 s;
the parent removes any temporary files of the engine left by the child's pid (client.py). Modules: `codec` (values both
sides agree on), `jobs` (child side: calls into core), `server` (child loop), `client` (parent side).
"""
