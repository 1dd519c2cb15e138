"""Fixtures shared by tests/unit and tests/qgis."""

import os
import pathlib

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
