"""Processing after the one-click install: the catalogue algorithms run in the worker's Python, never in
QGIS's own (which has no pystac-client or sentinelsat), find the environment the way a standalone script or
qgis_process can, say in one line how to provide one when there is none, and use the plugin's settings.
"""

from __future__ import annotations

import importlib.abc
import os
import stat
import sys

import pytest

from .processing_fixtures import digisat_provider  # noqa: F401
from .test_processing_catalog import EXTENT, JULY, run_alg

HIDDEN = ("pystac_client", "pystac", "sentinelsat")


class _Blocker(importlib.abc.MetaPathFinder):
    """QGIS's own Python as a user has it: the catalogue clients are not installed there."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@pytest.fixture()
def qgis_python_without_clients(monkeypatch):
    """Hide pystac-client and sentinelsat from this process (and forget the modules that imported them)."""
    for name in list(sys.modules):
        if name.split(".")[0] in HIDDEN or name.startswith(("digisat_plugin.core.catalog.stac",
                                                            "digisat_plugin.core.catalog.dhus")):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_Blocker(), *sys.meta_path])
    with pytest.raises(ModuleNotFoundError):
        import pystac_client  # noqa: F401
    yield
    assert not any(name.split(".")[0] in HIDDEN for name in sys.modules)  # nothing got through the blocker


@pytest.fixture()
def no_environment(monkeypatch, tmp_path):
    """A machine with no worker Python: no variable, no setting, no environment in this or the default profile."""
    from digisat_plugin.tasks import worker as worker_module
    from digisat_plugin.toolbelt import environment
    from digisat_plugin.toolbelt.settings import PluginSettings

    monkeypatch.delenv(environment.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.setattr(worker_module, "env_dir", lambda: str(tmp_path / "profile" / "digisat" / "python"))
    settings = PluginSettings.load()
    before = settings.worker_python
    settings.worker_python = ""
    yield tmp_path
    settings.worker_python = before


@pytest.fixture()
def plugin_settings():
    """The live settings, every field put back afterwards (they are QGIS's, shared by the whole test run)."""
    from dataclasses import asdict

    from digisat_plugin.toolbelt.settings import PluginSettings

    settings = PluginSettings.load()
    saved = asdict(settings)
    yield settings
    for name, value in saved.items():
        setattr(settings, name, value)


def test_search_runs_in_the_worker_when_qgis_python_lacks_pystac_client(digisat_provider, stac_server,  # noqa: F811
                                                                        qgis_python_without_clients, monkeypatch):
    monkeypatch.setenv("DIGISAT_WORKER_PYTHON", sys.executable)
    result = run_alg("search", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, SOURCE=0, URL=stac_server, LEVEL=0,
                                    OUTPUT="memory:scenes"))
    assert result["COUNT"] == 3
    assert [f["id"] for f in result["OUTPUT"].getFeatures()] == [
        "S2A_18SVG_20240705_0_L2A", "S2B_18SVG_20240628_0_L2A", "S2A_18SVG_20240625_0_L2A"]
    assert [f["area_cloud"] for f in result["OUTPUT"].getFeatures()] == [0.0, 0.0, 0.0]  # measured in the worker


def test_fetch_runs_in_the_worker_when_qgis_python_lacks_pystac_client(digisat_provider, stac_server,  # noqa: F811
                                                                       qgis_python_without_clients, tmp_path):
    scenes = run_alg("search", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, SOURCE=0, URL=stac_server,
                                    OUTPUT="memory:"))["OUTPUT"]
    result = run_alg("fetch", {"SCENES": scenes, "SCENE_ID": "S2B_18SVG_20240628_0_L2A", "EXTENT": EXTENT,
                               "BANDS": [0], "SOURCE": 0, "URL": stac_server, "OUTPUT": str(tmp_path / "dl")})
    assert result["FETCHED_ID"] == "S2B_18SVG_20240628_0_L2A"
    assert os.path.isfile(os.path.join(result["PRODUCT"], "B05.tif"))
    # by id alone: the worker looks the scene up on the date in its id
    result = run_alg("fetch", {"SCENE_ID": "S2A_18SVG_20240705_0_L2A", "EXTENT": EXTENT, "BANDS": [0],
                               "SOURCE": 0, "URL": stac_server, "OUTPUT": str(tmp_path / "dl2")})
    assert result["FETCHED_ID"] == "S2A_18SVG_20240705_0_L2A"
    assert os.path.basename(result["PRODUCT"]) == "S2A_18SVG_20240705_0_L2A"


@pytest.mark.parametrize("alg", ["search", "fetch", "superresolve"])
def test_without_any_environment_one_line_names_both_ways(digisat_provider, no_environment, alg, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    from digisat_plugin.toolbelt.environment import NO_ENVIRONMENT

    params = {
        "search": dict(JULY, EXTENT=EXTENT, URL="http://127.0.0.1:9", OUTPUT="memory:"),
        "fetch": {"SCENE_ID": "S2A_18SVG_20240705_0_L2A", "EXTENT": EXTENT, "URL": "http://127.0.0.1:9",
                  "OUTPUT": str(tmp_path / "dl")},
        "superresolve": {"INPUT": str(tmp_path), "OUTPUT": str(tmp_path / "out.tif")},
    }[alg]
    with pytest.raises(QgsProcessingException) as raised:
        run_alg(alg, params)
    message = str(raised.value)
    assert message == NO_ENVIRONMENT and "\n" not in message
    # both ways: the dock's button, and the variable or setting (a standalone script has no dock)
    assert "'Install packages' in the digisat dock" in message and "DIGISAT_WORKER_PYTHON" in message
    assert "Settings > Worker Python" in message
    assert not (tmp_path / "out.tif").exists()


def test_a_standalone_script_finds_the_default_profile_environment(digisat_provider, stac_server,  # noqa: F811
                                                                   no_environment, qgis_python_without_clients):
    """qgis_process and standalone scripts have their own settings folder: the desktop's default profile,
    where 'Install packages' built the environment, is looked at too."""
    env = no_environment / "data-home" / "QGIS" / "QGIS3" / "profiles" / "default" / "digisat" / "python" / "bin"
    env.mkdir(parents=True)
    python = env / "python"
    python.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")  # stands for the installed environment
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    result = run_alg("search", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, URL=stac_server, OUTPUT="memory:"))
    assert result["COUNT"] == 3


def test_empty_url_and_collection_mean_the_plugin_settings(digisat_provider, stac_fake, plugin_settings):  # noqa: F811
    plugin_settings.stac_url = stac_fake.url
    plugin_settings.stac_collection = "sentinel-2-l2a"
    assert run_alg("search", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, OUTPUT="memory:"))["COUNT"] == 0
    assert stac_fake.state["searches"][-1]["collections"] == ["sentinel-2-l2a"]  # went to the plugin's server
    plugin_settings.stac_collection = ""
    assert run_alg("search", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, OUTPUT="memory:"))["COUNT"] == 3
    # a URL given in the parameters wins over the setting
    plugin_settings.stac_url = "http://127.0.0.1:9"
    assert run_alg("search", dict(JULY, EXTENT=EXTENT, MAX_CLOUD=50, URL=stac_fake.url, OUTPUT="memory:"))[
        "COUNT"] == 3
