#!/usr/bin/env python3
"""Start the real QGIS with the digisat plugin in a temporary profile.

    python scripts/qgis_smoke.py            # `make qgis-smoke`: Xvfb, the packaged zip installed into a
                                            # clean profile, the sample pipeline, screenshots in docs/screenshots
    python scripts/qgis_smoke.py --interactive   # `make qgis`: QGIS on your display with the working copy
                                                 # linked into the profile (edit, then reload the plugin)

QGIS runs on the system Python and never imports TensorFlow: the plugin's worker process does,
with this repository's .venv as its Python (DIGISAT_WORKER_PYTHON, what the advanced "Worker
Python" setting does). The dock runs the sample several times with other tile sizes, bands and
areas, one of them with its worker SIGKILLed, and QGIS must stay alive through all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGIN = "digisat_plugin"
PROFILE = "digisat"
# the centre 3 x 3 km of the Virginia sample (EPSG:32618)
AOI = (445080.0, 4174920.0, 448080.0, 4177920.0)
# the dock runs before the final one: tile sizes, bands, areas; one with its worker killed (SIGKILL)
RUNS = [{"tile": 120, "b60": True}, {"tile": 240, "b60": False, "aoi": (444000.0, 4177800.0, 445020.0, 4178820.0)},
        {"tile": 60, "b60": True, "kill": True}, {"tile": 600, "b60": True, "aoi": (443580.0, 4173420.0, 449580.0, 4179420.0)},
        {"tile": 0, "b60": False}]


def make_profile(root: str, plugin_source: str | None = None, plugin_zip: str | None = None) -> str:
    """A fresh profile with the plugin installed and enabled; returns the profile folder."""
    profile = os.path.join(root, "profiles", PROFILE)
    plugins = os.path.join(profile, "python", "plugins")
    os.makedirs(plugins)
    if plugin_zip:
        with zipfile.ZipFile(plugin_zip) as archive:
            archive.extractall(plugins)
    else:
        os.symlink(plugin_source, os.path.join(plugins, PLUGIN))
    os.makedirs(os.path.join(profile, "QGIS"))
    with open(os.path.join(profile, "QGIS", "QGIS3.ini"), "w", encoding="utf-8") as fh:
        fh.write("[PythonPlugins]\n" f"{PLUGIN}=true\n" "processing=true\n\n"
                 "[qgis]\n" "checkVersion=false\n" "showTips322=false\n" "allowVersionCheck=false\n\n"
                 "[core]\n" "NewsFeed\\enabled=false\n")
    return profile


def qgis_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["DIGISAT_WORKER_PYTHON"] = sys.executable  # the worker runs the venv; QGIS's own Python stays clean
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env.pop("QT_QPA_PLATFORM", None)  # the Makefile's offscreen default would hide the real window
    env.update(extra or {})
    return env


def interactive() -> int:
    root = tempfile.mkdtemp(prefix="digisat-qgis-")
    make_profile(root, plugin_source=os.path.join(REPO, PLUGIN))
    print(f"QGIS profile in {root} (plugin linked from the working copy)")
    env = qgis_env()
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        print("no display: use `make qgis-smoke` for a headless run", file=sys.stderr)
        return 2
    return subprocess.call(["qgis", "--nologo", "--noversioncheck", "--profiles-path", root, "--profile", PROFILE],
                           env=env)


def smoke(args) -> int:
    if not os.path.exists(args.zip):
        print(f"{args.zip} not found: run `make package` first", file=sys.stderr)
        return 2
    root = tempfile.mkdtemp(prefix="digisat-smoke-")
    profile = make_profile(root, plugin_zip=args.zip)
    output = os.path.join(root, "output")
    status_path = os.path.join(root, "status.json")
    os.makedirs(args.screenshots, exist_ok=True)
    config = {"sample": os.path.abspath(args.sample), "output": output, "screenshots": os.path.abspath(args.screenshots),
              "status": status_path, "aoi": AOI, "runs": RUNS, "timeout": args.timeout - 60, "model_dir": args.model_dir or ""}
    command = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--nologo", "--noversioncheck",
               "--profiles-path", root, "--profile", PROFILE,
               "--code", os.path.join(REPO, "scripts", "qgis_smoke_inside.py")]
    env = qgis_env({"DIGISAT_SMOKE": json.dumps(config), "QT_QPA_PLATFORM": "xcb"})
    print(f"QGIS with {args.zip} installed in {profile}")
    log_path = os.path.join(root, "qgis.log")
    with open(log_path, "w") as log:
        try:
            code = subprocess.call(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            code = 124
    status = {}
    if os.path.exists(status_path):
        with open(status_path, encoding="utf-8") as fh:
            status = json.load(fh)
    for line in status.get("steps", []):
        print("  " + line)
    layers = status.get("layers") or []
    for i, run in enumerate(status.get("runs", []), 1):
        want = "failed" if run["run"].get("kill") else "succeeded"
        if run.get("outcome") != want or run.get("groups_added") != (0 if run["run"].get("kill") else 1) \
                or run.get("leftovers") or run.get("tensorflow_in_qgis"):
            status["ok"], status["error"] = False, f"run {i} went wrong: {run}"
        print(f"  run {i}: {run['run']} -> {run.get('outcome')} in {run.get('seconds', 0):.1f} s {run.get('message', '')}")
    if status.get("ok") and (len(status.get("runs", [])) != len(RUNS) or status.get("tensorflow_in_qgis")):
        status["ok"], status["error"] = False, f"runs {len(status.get('runs', []))}/{len(RUNS)}, TensorFlow in QGIS: " \
                                               f"{status.get('tensorflow_in_qgis')}"
    if status.get("ok") and ([x["name"] for x in layers] != ["Enhanced", "Original"]
                             or len({x["bands"] for x in layers}) != 1):
        status["ok"], status["error"] = False, f"unexpected result layers: {layers}"
    if status.get("ok") and code == 0:
        for layer in status["layers"]:
            print(f"  layer {layer['name']}: {layer['bands']} bands, {layer['width']} x {layer['height']} px")
        print(f"  screenshots in {args.screenshots}: dock.png swipe.png side_by_side.png")
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        return 0
    print(f"qgis-smoke failed (exit {code}): {status.get('error') or 'no status written'}", file=sys.stderr)
    with open(log_path, errors="replace") as fh:
        print("last QGIS output:\n" + "".join(fh.readlines()[-40:]), file=sys.stderr)
    print(f"profile and log kept in {root}", file=sys.stderr)
    return 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactive", action="store_true", help="open QGIS on the display with the working copy")
    parser.add_argument("--zip", default=os.path.join(REPO, "dist", "digisat.zip"))
    parser.add_argument("--sample", default=os.path.join(REPO, "resources", "sample", "virginia"))
    parser.add_argument("--screenshots", default=os.path.join(REPO, "docs", "screenshots"))
    parser.add_argument("--model-dir", default=None, help="networks to use instead of the ones in the zip")
    parser.add_argument("--timeout", type=int, default=900, help="seconds for the whole QGIS run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary profile and outputs")
    args = parser.parse_args(argv)
    return interactive() if args.interactive else smoke(args)


if __name__ == "__main__":
    sys.exit(main())
