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
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGIN = "digisat_plugin"
PROFILE = "digisat"
# the centre 3 x 3 km of the Virginia sample (EPSG:32618)
AOI = (445080.0, 4174920.0, 448080.0, 4177920.0)
DIAMOND = [(446580.0, 4175220.0), (447780.0, 4176420.0), (446580.0, 4177620.0), (445380.0, 4176420.0)]
TRIANGLE = [(444600.0, 4174200.0), (448800.0, 4174800.0), (446000.0, 4178400.0)]
# ten dock runs before the final one (screenshots): tile sizes, bands, rectangles and polygons (masked to
# them); one with its worker killed (SIGKILL) while it writes
RUNS = [{"tile": 120, "b60": True}, {"tile": 240, "b60": False, "aoi": (444000.0, 4177800.0, 445020.0, 4178820.0)},
        {"tile": 60, "b60": True, "kill": True}, {"tile": 600, "b60": True, "aoi": (443580.0, 4173420.0, 449580.0, 4179420.0)},
        {"tile": 0, "b60": False}, {"tile": 180, "b60": True, "aoi": DIAMOND},
        {"tile": 360, "b20": False, "b60": True, "aoi": (445680.0, 4175520.0, 447480.0, 4177320.0)},
        {"tile": 300, "b60": True, "quality": True}, {"tile": 480, "b60": False, "aoi": TRIANGLE},
        {"tile": 120, "b20": True, "b60": True, "aoi": (446100.0, 4175940.0, 447060.0, 4176900.0)}]



def is_result_pair(names) -> bool:
    """A result's two layers as the dock names them: '<date> <tile> enhanced [<key>]' above its original."""
    return len(names) == 2 and " enhanced [" in names[0] and names[1] == names[0].replace(" enhanced [", " original [")

def start_stac(root: str, sample: str):
    """The loopback STAC API of the tests (tests/servers/stac_server.py) over COGs of the sample, for
    Processing search and fetch inside QGIS; returns the server (stop() it)."""
    from tests.servers.httpbase import LoopbackServer
    from tests.servers.stac_server import StacHandler, build_cogs

    folder = os.path.join(root, "stac_cogs")
    os.makedirs(folder)
    return LoopbackServer(StacHandler, data=build_cogs(sample, folder))


def check_processing(status: dict) -> list:
    """Issue 27: after Install packages, digisat:search and digisat:fetch run in QGIS (in the worker)."""
    record = status.get("processing") or {}
    problems = []
    print(f"  processing: search {record.get('search_count')} scenes {record.get('search_ids')}, "
          f"fetch {record.get('fetched_id')} -> {record.get('product_bands')} {record.get('error', '')}".rstrip())
    if not record.get("search_count") or not record.get("search_ids"):
        problems.append(f"digisat:search returned no scenes: {record}")
    if not record.get("fetched_id") or len(record.get("product_bands") or []) != 12:
        problems.append(f"digisat:fetch returned no product: {record}")
    return problems


def distinct_names(status: dict) -> list:
    """Issue 27: the result layers in the project after all runs have names of their own (a run repeating
    an earlier request replaces that result, so the names are those of the results kept)."""
    names = status.get("project_layers") or []
    repeated = sorted({n for n in names if names.count(n) > 1})
    print(f"  {len(names)} result layers in the project, {len(set(names))} distinct names")
    return [f"results with the same layer name: {repeated}"] if repeated or len(names) < 4 else []


def check_footer(status: dict) -> list:
    """Issue 27: Run and Cancel visible without scrolling, the dock at its minimum width, 1600 x 1000."""
    footer = status.get("footer") or {}
    print(f"  footer at the dock's minimum width: {json.dumps(footer)}")
    if not footer.get("ok"):
        return [f"Run/Cancel not visible without scrolling at the dock's minimum width: {footer}"]
    return []


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


def qgis_env(extra: dict | None = None, worker_python: bool = True) -> dict:
    env = dict(os.environ)
    if worker_python:  # the worker runs the venv; QGIS's own Python stays clean
        env["DIGISAT_WORKER_PYTHON"] = sys.executable
    else:  # the worker runs the digisat environment the dock installs under the profile
        env.pop("DIGISAT_WORKER_PYTHON", None)
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


def run_qgis(root: str, config: dict, timeout: int, worker_python: bool, log_name: str) -> tuple:
    """QGIS under Xvfb running qgis_smoke_inside.py with `config`; returns (exit code, status, log path)."""
    status_path = os.path.join(root, log_name + ".json")
    config = dict(config, status=status_path, timeout=timeout - 60)
    command = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--nologo", "--noversioncheck",
               "--profiles-path", root, "--profile", PROFILE,
               "--code", os.path.join(REPO, "scripts", "qgis_smoke_inside.py")]
    env = qgis_env({"DIGISAT_SMOKE": json.dumps(config), "QT_QPA_PLATFORM": "xcb"}, worker_python=worker_python)
    log_path = os.path.join(root, log_name + ".log")
    with open(log_path, "w") as log:
        try:
            code = subprocess.call(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:  # xvfb-run's children went with it? make sure: kill its group
            code = 124
    status = {}
    if os.path.exists(status_path):
        with open(status_path, encoding="utf-8") as fh:
            status = json.load(fh)
    for line in status.get("steps", []):
        print("  " + line)
    return code, status, log_path


def is_polygon(aoi) -> bool:
    return bool(aoi) and isinstance(aoi[0], list | tuple)


def check_runs(status: dict, runs: list) -> list:
    """What went wrong in the dock runs (issue 11: each adds its layers; the killed one leaves QGIS running
    with a one-line error and no partial files; TensorFlow never in QGIS)."""
    problems = []
    records = status.get("runs", [])
    if len(records) != len(runs):
        problems.append(f"{len(records)} of {len(runs)} runs recorded")
    for i, record in enumerate(records, 1):
        run, why = record["run"], []
        if record.get("tensorflow_in_qgis"):
            why.append(f"{record['tensorflow_in_qgis']} imported in QGIS")
        if record.get("leftovers"):
            why.append(f"partial files {record['leftovers']}")
        if not record.get("qgis_alive"):
            why.append("the QGIS window is gone")
        if run.get("kill"):
            message = record.get("message", "")
            if record.get("outcome") != "failed" or not record.get("killed"):
                why.append(f"expected a failure after the kill, got {record.get('outcome')} (killed: {record.get('killed')})")
            left = record.get("groups_added", 0) - len(record.get("groups_restored", []))
            if left or record.get("new_files"):
                why.append(f"the killed run left {left} groups, files {record.get('new_files')}")
            if not message or "\n" in message.strip():
                why.append(f"not a one-line error: {message!r}")
        else:
            layers = [x for g in record.get("groups", []) for x in g["layers"]]
            if record.get("outcome") != "succeeded" or record.get("groups_added") != 1:
                why.append(f"{record.get('outcome')} {record.get('message', '')}, {record.get('groups_added')} groups added")
            elif not is_result_pair([x["name"] for x in layers]) or not all(x["valid"] for x in layers):
                why.append(f"layers {layers}")
            if is_polygon(run.get("aoi")):
                mask = record.get("mask") or {}
                if not mask.get("outside") or mask.get("outside_with_data") or mask.get("inside_no_data"):
                    why.append(f"the polygon's mask: {mask}")
        print(f"  run {i}: {run} -> {record.get('outcome')} in {record.get('seconds', 0):.1f} s "
              f"{record.get('message', '')}".rstrip() + (f" mask {record['mask']}" if record.get("mask") else ""))
        problems += [f"run {i} {run}: {w}" for w in why]
    return problems


def smoke(args) -> int:
    if not os.path.exists(args.zip):
        print(f"{args.zip} not found: run `make package` first", file=sys.stderr)
        return 2
    started = time.time()
    root = tempfile.mkdtemp(prefix="digisat-smoke-")
    profile = make_profile(root, plugin_zip=args.zip)
    output = os.path.join(root, "output")
    os.makedirs(args.screenshots, exist_ok=True)
    config = {"sample": os.path.abspath(args.sample), "output": output, "screenshots": os.path.abspath(args.screenshots),
              "aoi": AOI, "runs": RUNS, "model_dir": args.model_dir or ""}
    print(f"QGIS with {args.zip} installed in {profile}")
    problems, logs = [], []
    env_python = os.path.join(profile, "digisat", "python", "bin", "python")
    if args.install_env:
        # the one-click install from a clean profile, one run on it; then the zip installed again over the
        # plugin (as Install from ZIP does: the old folder removed, the new one extracted) and the full run
        print("phase 1: Install packages in the dock (no Worker Python), then a run")
        stac = start_stac(root, args.sample)
        print(f"  STAC API for Processing search and fetch at {stac.url}")
        first = dict(config, install_env=True, runs=[{"tile": 0, "b60": True}], no_final=True,
                     screenshots=os.path.join(root, "shots-install"), stac_url=stac.url,
                     fetch_output=os.path.join(root, "fetched"))
        os.makedirs(first["screenshots"])
        try:
            code, status, log_path = run_qgis(root, first, args.install_timeout, False, "install")
        finally:
            stac.stop()
        logs.append(log_path)
        problems += check_processing(status)
        install = status.get("install") or {}
        print(f"  install: {'ok' if install.get('ok') else 'FAILED'} in {install.get('seconds', 0):.0f} s")
        problems += check_runs(status, first["runs"])
        if code or not status.get("ok"):
            problems.append(f"install phase: exit {code}, {status.get('error') or 'no status written'}")
        if status.get("worker_python") != env_python:
            problems.append(f"the worker ran {status.get('worker_python')}, not the environment {env_python}")
        before = os.stat(env_python) if os.path.exists(env_python) else None
        plugin_dir = os.path.join(profile, "python", "plugins", PLUGIN)
        shutil.rmtree(plugin_dir)
        with zipfile.ZipFile(args.zip) as archive:
            archive.extractall(os.path.dirname(plugin_dir))
        after = os.stat(env_python) if os.path.exists(env_python) else None
        if before is None or after is None or (before.st_ino, before.st_mtime) != (after.st_ino, after.st_mtime):
            problems.append("reinstalling the plugin zip did not keep the environment")
        else:
            print(f"  plugin zip reinstalled; the environment {os.path.dirname(os.path.dirname(env_python))} kept")
        print("phase 2: the dock runs on the kept environment")
    code, status, log_path = run_qgis(root, config, args.timeout, not args.install_env, "qgis")
    logs.append(log_path)
    problems += check_runs(status, RUNS)
    problems += distinct_names(status)
    problems += check_footer(status)
    if code or not status.get("ok"):
        problems.append(f"exit {code}: {status.get('error') or 'no status written'}")
    if args.install_env and not status.get("dock_reopened"):
        problems.append("the dock open when QGIS closed did not reopen at the next start")
    if args.install_env and status.get("worker_python") != env_python:
        problems.append(f"after the reinstall the worker ran {status.get('worker_python')}, not {env_python}")
    if status.get("missing_tooltips"):
        problems.append(f"controls without a tooltip: {status['missing_tooltips']}")
    if status.get("tensorflow_in_qgis"):
        problems.append(f"TensorFlow in QGIS: {status['tensorflow_in_qgis']}")
    layers = status.get("layers") or []
    if not is_result_pair([x["name"] for x in layers]) or len({x["bands"] for x in layers}) != 1:
        problems.append(f"unexpected result layers: {layers}")
    if not problems:
        for layer in layers:
            print(f"  layer {layer['name']}: {layer['bands']} bands, {layer['width']} x {layer['height']} px")
        print(f"  screenshots in {args.screenshots}: dock.png swipe.png side_by_side.png tooltip.png about.png")
        print(f"qgis-smoke passed in {time.time() - started:.0f} s")
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        return 0
    print("qgis-smoke failed:\n  " + "\n  ".join(problems), file=sys.stderr)
    with open(logs[-1], errors="replace") as fh:
        print("last QGIS output:\n" + "".join(fh.readlines()[-40:]), file=sys.stderr)
    print(f"profile and logs kept in {root}", file=sys.stderr)
    return 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactive", action="store_true", help="open QGIS on the display with the working copy")
    parser.add_argument("--zip", default=os.path.join(REPO, "dist", "digisat.zip"))
    parser.add_argument("--sample", default=os.path.join(REPO, "resources", "sample", "virginia"))
    parser.add_argument("--screenshots", default=os.path.join(REPO, "docs", "screenshots"))
    parser.add_argument("--model-dir", default=None, help="networks to use instead of the ones in the zip")
    parser.add_argument("--timeout", type=int, default=900, help="seconds for the whole QGIS run")
    parser.add_argument("--install-env", action="store_true",
                        help="no Worker Python: click Install packages in a clean profile first (pip from the "
                             "configured index), reinstall the zip, then the runs on that environment")
    parser.add_argument("--install-timeout", type=int, default=1800, help="seconds for the install phase")
    parser.add_argument("--keep", action="store_true", help="keep the temporary profile and outputs")
    args = parser.parse_args(argv)
    return interactive() if args.interactive else smoke(args)


if __name__ == "__main__":
    sys.exit(main())
