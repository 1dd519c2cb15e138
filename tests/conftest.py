"""Fixtures shared by tests/unit and tests/qgis."""

import os
import pathlib
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("DIGISAT_SHARED", REPO.parent / "shared"))
SENTINEL2 = SHARED / "data" / "sentinel2"
SAMPLE = REPO / "resources" / "sample" / "virginia"
VIRGINIA = SENTINEL2 / "S2A_L1C_20160112_T18SVG_virginia"
MALMO = SENTINEL2 / "S2A_L1C_20170527_T33UUB_malmo"

# Fixture modules of the loopback servers (tests/servers) are added here as they are written.
pytest_plugins = ["tests.servers.fixtures", "tests.servers.real_fixtures"]


@pytest.fixture(scope="session")
def sentinel2_dir() -> pathlib.Path:
    assert SENTINEL2.is_dir(), f"shared data not found at {SENTINEL2} (set DIGISAT_SHARED)"
    return SENTINEL2


@pytest.fixture(scope="session")
def sample_dir() -> pathlib.Path:
    return SAMPLE


@pytest.fixture(scope="session")
def virginia_dir(sentinel2_dir) -> pathlib.Path:
    return VIRGINIA


@pytest.fixture(scope="session")
def malmo_dir(sentinel2_dir) -> pathlib.Path:
    return MALMO


@pytest.fixture(autouse=True, scope="session")
def qgis_objects_freed_before_exit(qgis_app):
    """Free what still holds QGIS objects before pytest-qgis's exitQgis (qgis_app's teardown, after this one).

    A failed test's frames stay alive in sys.last_traceback (pytest keeps it for post-mortem debugging) with
    the processing contexts, models and layers they held; freed by the interpreter after QGIS had shut down,
    they corrupted the heap at exit ("corrupted size vs. prev_size", a segfault) and hid the failures' exit code.
    """
    yield
    import gc

    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    QgsProject.instance().removeAllMapLayers()
    # pytest-qgis's teardown disconnects legendLayersAdded from processEvents and fails if that connection is
    # gone (seen once on QGIS 3.40 at the end of tests/qgis + tests/unit/test_package.py, "not connected");
    # connecting it again here makes its disconnect succeed either way
    QgsProject.instance().legendLayersAdded.connect(qgis_app.processEvents)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # widgets' deleteLater()
