"""pytest fixtures: real catalogue servers on 127.0.0.1 (registered in tests/conftest.py).

Data (built once per session from the shared Virginia crop, in a temporary folder):
- `stac_cogs`: {"files": {band: COG path}, "dn": {band: stored DN array}, "bbox", "footprint",
  "epsg", "geotransform", "size"} (DN = source + 1000, scale 0.0001, offset -0.1).
- `safe_product`: a `tests.servers.safe_builder.BuiltSafe`, an L2A SAFE zip (600 x 600 px at
  10 m, baseline 04.00 offset) served by the CDSE and DHuS fakes.

`tiny_sr_model`: a model folder of small untrained networks for end-to-end runs;
`tiny_uncertainty_model`: the same with the shipped uncertainty calibration beside them.

Servers (one per test, stopped after it; each has `.url`, `.faults` (httpbase.Faults),
`.bytes_sent`, `.bytes_by_path`, `.requests`, `.reset_counters()`):
- `stac_fake`: the STAC API server object (tests/servers/stac_server.py);
- `stac_server`: its base URL (str), e.g. "http://127.0.0.1:40123" - give it as the STAC URL;
- `cdse_fake`: CDSE fake (token, OData search, $value redirected to `cdse_fake.download_server`,
  Nodes); user "alice", password "s3cret" (`CDSE_USER`, `CDSE_PASSWORD`);
- `dhus_fake`: DHuS hub fake for sentinelsat (search feed, OData, $value, Online); same
  credentials (`DHUS_USER`, `DHUS_PASSWORD`); the first product is the built SAFE;
  `dhus_fake.state["products"][0]["online"] = False` puts it in the long-term archive.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import VIRGINIA

from .cdse_server import start_cdse, stop_cdse
from .dhus_server import start_dhus
from .httpbase import LoopbackServer
from .safe_builder import build_safe_product, wgs84_bbox
from .stac_server import StacHandler, build_cogs

CDSE_USER, CDSE_PASSWORD = "alice", "s3cret"
DHUS_USER, DHUS_PASSWORD = "alice", "s3cret"


@pytest.fixture(scope="session")
def stac_cogs(tmp_path_factory) -> dict:
    return build_cogs(VIRGINIA, tmp_path_factory.mktemp("stac_cogs"))


@pytest.fixture()
def stac_fake(stac_cogs):
    server = LoopbackServer(StacHandler, data=stac_cogs)
    yield server
    server.stop()


@pytest.fixture()
def stac_server(stac_fake) -> str:
    return stac_fake.url


@pytest.fixture(scope="session")
def safe_product(tmp_path_factory):
    return build_safe_product(VIRGINIA, tmp_path_factory.mktemp("safe"), level="L2A", size=600, row=600, col=600)


@pytest.fixture()
def cdse_fake(safe_product):
    server = start_cdse(safe_product, {CDSE_USER: CDSE_PASSWORD}, bbox=wgs84_bbox(safe_product))
    yield server
    stop_cdse(server)


@pytest.fixture()
def dhus_fake(safe_product):
    server = start_dhus(safe_product, DHUS_USER, DHUS_PASSWORD, bbox=wgs84_bbox(safe_product))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tiny_sr_model(tmp_path_factory) -> str:
    """A model folder (net20/, net60/) of small DSen2 networks whose last layer is zero, so they
    return their residual base (the guided estimate) exactly: the end-to-end catalogue tests check grids, bands and
    values (radiometry round trip), not the quality of the networks."""
    folder = tmp_path_factory.mktemp("tiny_sr_model")
    build_tiny_model(str(folder))
    return str(folder)


@pytest.fixture(scope="session")
def tiny_uncertainty_model(tiny_sr_model, tmp_path_factory) -> str:
    """`tiny_sr_model` plus the shipped uncertainty calibration (model_weights/uncertainty.json), for
    runs that write the uncertainty layer (`--uncertainty`)."""
    import shutil

    from digisat_plugin.core.sr.uncertainty import CALIBRATION_FILE
    from digisat_plugin.core.sr.weights import default_model_dir

    folder = tmp_path_factory.mktemp("tiny_uncertainty_model")
    shutil.copytree(tiny_sr_model, folder, dirs_exist_ok=True)
    shutil.copy(os.path.join(default_model_dir(), CALIBRATION_FILE), folder / CALIBRATION_FILE)
    return str(folder)


def build_tiny_model(folder: str) -> None:
    """Write the tiny networks of `tiny_sr_model` into `folder` (also run in a child process by the
    QGIS tests, which must not import TensorFlow themselves)."""
    import keras

    from digisat_plugin.core.sr.keras_net import save_net
    from digisat_plugin.core.sr.model import build_model
    from digisat_plugin.core.sr.spec import SPECS

    arch = {"arch": "dsen2", "blocks": 1, "filters": 8}
    keras.utils.set_random_seed(7)
    for name, spec in SPECS.items():
        model = build_model(arch, spec.channels, len(spec.outputs))
        tail = model.get_layer("tail")
        tail.set_weights([w * 0 for w in tail.get_weights()])
        save_net(model, folder, name, {"arch": arch})
