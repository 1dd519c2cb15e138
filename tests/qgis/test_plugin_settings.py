"""Plugin settings in QgsSettings, logins in the QGIS auth manager, the worker's Python and its installer."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import zipfile

import pytest
from qgis.core import QgsApplication, QgsSettings

from digisat_plugin.toolbelt import dependencies, environment
from digisat_plugin.toolbelt.settings import LoginError, PluginSettings, credentials, store_credentials


def test_settings_round_trip_through_qgssettings():
    saved = PluginSettings(stac_url="http://127.0.0.1:1/stac", source="cdse", output_dir="/tmp/digisat-out",
                           tile_size=240, device="cpu", area_warning_km2=55.5)
    saved.save()
    loaded = PluginSettings.load()
    assert loaded == saved
    assert QgsSettings().value("digisat/tile_size") in (240, "240")
    QgsSettings().setValue("digisat/device", "tpu")  # a value from elsewhere that makes no sense
    QgsSettings().setValue("digisat/tile_size", "many")
    loaded = PluginSettings.load()
    assert loaded.device == "auto" and loaded.tile_size == 0
    PluginSettings().save()


def test_login_lives_in_the_auth_manager_not_in_settings(tmp_path):
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        if not manager.setMasterPassword("digisat-test-master", True):
            pytest.skip("the auth database of this QGIS profile cannot be opened")
    config_id = store_credentials("alice", "s3cret-pass")
    settings = PluginSettings(auth_config_id=config_id)
    settings.save()
    assert credentials(PluginSettings.load().auth_config_id) == ("alice", "s3cret-pass")
    assert credentials("") == ("", "")
    # the settings file holds the id only
    QgsSettings().sync()
    files = [os.path.join(d, f) for d, _, fs in os.walk(os.environ["QGIS_CUSTOM_CONFIG_PATH"]) for f in fs
             if f.endswith((".ini", ".conf"))]
    assert files
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as fh:
            assert "s3cret-pass" not in fh.read()
    assert manager.removeAuthenticationConfig(config_id)
    PluginSettings().save()


def test_probe_finds_modules_without_importing():
    before = set(sys.modules)
    info = environment.probe(sys.executable, (("onnxruntime", ("onnxruntime",)),
                                              ("digisat_no_such_module", ("digisat-no-such",))))
    assert info["python"] == sys.executable and info["version"] == sys.version.split()[0]
    assert info["modules"] == {"onnxruntime": "1.19.2", "digisat_no_such_module": None}
    assert environment.missing_modules(info, ["onnxruntime", "digisat_no_such_module"]) == ["digisat_no_such_module"]
    assert "onnxruntime" not in set(sys.modules) - before  # looked up in another process, not imported


def test_worker_python_is_the_setting_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(environment.ENV_VAR, raising=False)
    env_dir = tmp_path / "digisat" / "python"
    with pytest.raises(environment.EnvironmentProblem, match="digisat needs its Python environment .*'Install packages' in the "
                                                                  "digisat dock, or set DIGISAT_WORKER_PYTHON or Settings"):
        environment.worker_python("", str(env_dir))
    (env_dir / "bin").mkdir(parents=True)
    (env_dir / "bin" / "python").symlink_to(sys.executable)
    assert environment.worker_python("", str(env_dir)) == str(env_dir / "bin" / "python")
    assert environment.worker_python(sys.executable, str(env_dir)) == sys.executable
    with pytest.raises(environment.EnvironmentProblem, match="not an executable file"):
        environment.worker_python(str(tmp_path / "nothing"), str(env_dir))
    # QGIS's own interpreter comes from sys.base_prefix, not from PATH (here .venv -> /usr/bin/python3.11)
    monkeypatch.setenv("PATH", str(tmp_path))
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert environment.qgis_python() == os.path.join(sys.base_prefix, "bin", f"python{version}")
    assert environment.environment_dir("/p/profiles/default") == "/p/profiles/default/digisat/python"


def make_wheel(folder, name="digisat_tinypkg", version="0.1", extra=None):
    """A minimal pure-Python wheel, so the installer test needs no network (`extra`: more files, path -> bytes)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"VALUE = 42\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: digisat-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        **(extra or {}),
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name_in_zip, data in files.items():
            wheel.writestr(name_in_zip, data)
    return path


@pytest.fixture()
def offline_pip(monkeypatch, tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # never reach PyPI from a test
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    return wheels


TINY_VERIFY = (("digisat_tinypkg", ("digisat_tinypkg",)), ("osgeo", ("GDAL",)))


def test_installer_builds_the_environment_with_a_pinned_package(offline_pip, tmp_path, qtbot):
    import subprocess

    env_dir = tmp_path / "profile" / "digisat" / "python"
    task = dependencies.make_install_task(str(env_dir), ["digisat_tinypkg==0.1"], verify=TINY_VERIFY)
    progress = []
    task.progressChanged.connect(progress.append)
    with qtbot.waitSignal(task.taskCompleted, timeout=300000):
        QgsApplication.taskManager().addTask(task)
    python = environment.env_python(str(env_dir))
    assert task.layout.python == environment.qgis_python()  # QGIS's interpreter made it, not the first on PATH
    cfg = (env_dir / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = true" in cfg
    assert f"home = {os.path.dirname(task.layout.python)}" in cfg
    # the package and QGIS's own GDAL, both seen by the environment's Python
    done = subprocess.run([python, "-c", "import digisat_tinypkg, osgeo.gdal; print(digisat_tinypkg.VALUE)"],
                          capture_output=True, text=True)
    assert done.stdout.strip() == "42", done.stderr
    assert not dependencies_visible_here("digisat_tinypkg")  # installed for the worker only
    assert task.info["modules"] == {"digisat_tinypkg": "0.1", "osgeo": task.info["modules"]["osgeo"]}
    assert task.steps[0] == f"creating the environment in {env_dir}" and task.steps[-1] == "installed"
    assert any(step.startswith("downloading digisat_tinypkg") for step in task.steps)
    assert progress == sorted(progress) and progress[-1] == 100 and len(set(progress)) >= 4  # real steps
    # Remove takes it away; anything that is not a digisat environment is left alone
    with pytest.raises(environment.EnvironmentProblem, match="not a digisat environment"):
        environment.remove_environment(str(tmp_path / "profile"))
    environment.remove_environment(str(env_dir))
    assert not env_dir.exists() and (tmp_path / "profile" / "digisat").is_dir()


def dependencies_visible_here(module):
    import importlib.util

    return importlib.util.find_spec(module) is not None


def test_installer_failure_gives_the_exact_commands(offline_pip, tmp_path, qtbot):
    env_dir = tmp_path / "digisat" / "python"
    task = dependencies.make_install_task(str(env_dir), ["digisat-not-published==9.9"], verify=TINY_VERIFY)
    with qtbot.waitSignal(task.taskTerminated, timeout=300000):
        QgsApplication.taskManager().addTask(task)
    assert task.error.startswith("pip failed (")
    assert "no matching distribution" in task.error.lower()
    python = environment.qgis_python()
    assert task.error.endswith(f"run by hand: {python} -m venv --system-site-packages {env_dir} && "
                               f"{env_dir}/bin/python -m pip install --disable-pip-version-check "
                               "digisat-not-published==9.9")
    assert "\n" not in task.error


def test_settings_save_themselves_and_apply_at_once(full_iface, clean_project, tmp_path):
    """No Save button: each field writes QgsSettings as it changes, and the dock applies it at once."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle

    from digisat_plugin.gui.dock import DigisatDock

    PluginSettings().save()
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), area_warning_km2=400))
    try:
        assert not hasattr(dock.settings_panel, "save_button")
        assert PluginSettings.load().output_dir == str(tmp_path)  # the dock's settings are the saved ones
        dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(444000, 4177000, 447000, 4180000)),
                              QgsCoordinateReferenceSystem("EPSG:32618"))  # 9 km2
        assert dock.area.warning_label.isHidden()
        panel = dock.settings_panel
        panel.stac_url.setText("http://127.0.0.1:9/stac")
        panel.area_limit.setValue(5)
        assert not dock.area.warning_label.isHidden()
        assert dock.data.url_edit.text() == "http://127.0.0.1:9/stac"  # STAC is the current source
        dock.process.tile_size.setValue(240)
        dock.process.device.setCurrentText("cpu")
        dock.process.output_dir.setText(str(tmp_path / "elsewhere"))
        dock.data.source_combo.setCurrentIndex(dock.data.source_combo.findData("cdse"))
        panel.cdse_url.setText("http://127.0.0.1:9/odata")
        assert dock.data.url_edit.text() == "http://127.0.0.1:9/odata"
        panel.keep_alive.setValue(0)
        QgsSettings().sync()
        loaded = PluginSettings.load()  # what the next QGIS session reads
        assert (loaded.stac_url, loaded.cdse_url, loaded.area_warning_km2) == ("http://127.0.0.1:9/stac",
                                                                               "http://127.0.0.1:9/odata", 5)
        assert (loaded.tile_size, loaded.device, loaded.output_dir) == (240, "cpu", str(tmp_path / "elsewhere"))
        assert (loaded.source, loaded.worker_keep_alive) == ("cdse", 0)
        assert QgsSettings().value("digisat/tile_size") in (240, "240")
    finally:
        dock.unload()
        dock.deleteLater()
        PluginSettings().save()


def test_the_data_tab_and_the_settings_tab_show_one_saved_url(full_iface, clean_project, tmp_path):
    """The STAC URL typed in the Data tab (saved on Enter) shows in Settings > STAC URL, and the other way
    round: the Settings field stayed empty, and typing there then saved its stale text over the Data tab's."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest

    from digisat_plugin.gui.dock import DigisatDock

    PluginSettings().save()
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path)))
    try:
        data, panel = dock.data.url_edit, dock.settings_panel.stac_url
        assert dock.data.source() == "stac" and data.text() == panel.text() == ""
        data.setText("http://127.0.0.1:9/stac")
        QTest.keyClick(data, Qt.Key.Key_Return)  # Enter: editingFinished saves it
        assert dock.settings.stac_url == "http://127.0.0.1:9/stac"
        assert panel.text() == "http://127.0.0.1:9/stac"
        assert dock.settings_panel.cdse_url.text() == dock.settings_panel.dhus_url.text() == ""  # only STAC's
        panel.setText("http://127.0.0.1:9/v1")  # typed in Settings: saved and shown in the Data tab
        assert dock.settings.stac_url == data.text() == "http://127.0.0.1:9/v1"
        panel.setText(" http://127.0.0.1:9/v1 ")  # a space typed: saved stripped, the field left as typed
        assert panel.text() == " http://127.0.0.1:9/v1 " and data.text() == "http://127.0.0.1:9/v1"
        # another source's URL set in the Data tab reaches its own Settings field, not STAC's
        dock.data.source_combo.setCurrentIndex(dock.data.source_combo.findData("cdse"))
        data.setText("http://127.0.0.1:9/odata")
        QTest.keyClick(data, Qt.Key.Key_Return)
        assert dock.settings_panel.cdse_url.text() == "http://127.0.0.1:9/odata"
        assert panel.text() == " http://127.0.0.1:9/v1 " and dock.settings.stac_url == "http://127.0.0.1:9/v1"
        QgsSettings().sync()
        loaded = PluginSettings.load()
        assert (loaded.stac_url, loaded.cdse_url) == ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/odata")
    finally:
        dock.unload()
        dock.deleteLater()
        PluginSettings().save()


def test_one_settings_object_saves_each_change_and_tells_listeners():
    PluginSettings().save()
    live = PluginSettings.load()
    heard = []
    live.on_change(lambda name, value: heard.append((name, value)))
    live.tile_size = "360"  # coerced to the field's type
    live.device = "tpu"  # nonsense: the default
    assert QgsSettings().value("digisat/tile_size") in (360, "360") and live.tile_size == 360
    assert heard == [("tile_size", 360)]  # device stayed "auto": no change, nothing heard
    detached = PluginSettings(tile_size=120)
    detached.tile_size = 480
    assert PluginSettings.load().tile_size == 360  # a detached object writes nothing ...
    detached.persist()
    detached.model_dir = "/models"
    assert PluginSettings.load().tile_size == 480 and PluginSettings.load().model_dir == "/models"  # ... until persist()
    PluginSettings().save()


def test_an_unknown_login_id_is_a_one_line_error_in_the_dock_and_in_processing(full_iface, clean_project, tmp_path):
    from qgis.core import Qgis, QgsProcessingException

    from digisat_plugin.gui.dock import DigisatDock
    from digisat_plugin.processing.common import credentials as processing_credentials

    with pytest.raises(LoginError) as error:
        credentials("zzzz999")
    assert str(error.value) == ("login: authentication configuration 'zzzz999' not found in the QGIS "
                                "authentication manager (choose another login, or none)")
    with pytest.raises(QgsProcessingException, match="^AUTH: authentication configuration 'zzzz999' not found"):
        processing_credentials("zzzz999")
    assert processing_credentials("") == (None, None)
    # an id kept in the settings from a login deleted since (the auth selector itself drops it)
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), auth_config_id="zzzz999"))
    try:
        from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle

        dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(444000, 4177800, 445020, 4178820)),
                              QgsCoordinateReferenceSystem("EPSG:32618"))
        dock.data.source_combo.setCurrentIndex(dock.data.source_combo.findData("cdse"))
        assert dock.data.query()["auth_config_id"] == "zzzz999"
        assert dock.search() is None  # refused with the line, not a search with an empty login
        assert full_iface.messageBar().get_messages(Qgis.Critical)[-1].endswith(str(error.value))
    finally:
        dock.unload()
        dock.deleteLater()
        PluginSettings().save()


def test_installer_into_a_folder_it_cannot_make_gives_the_exact_commands(tmp_path, qtbot):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    env_dir = blocker / "digisat" / "python"
    task = dependencies.make_install_task(str(env_dir), ["digisat-tinypkg==0.1"], verify=TINY_VERIFY)
    with qtbot.waitSignal(task.taskTerminated, timeout=60000):
        QgsApplication.taskManager().addTask(task)
    assert task.error.startswith(f"cannot install into {blocker / 'digisat'} (")
    assert task.error.endswith(f"run by hand: {environment.qgis_python()} -m venv --system-site-packages {env_dir} "
                               f"&& {env_dir}/bin/python -m pip install --disable-pip-version-check "
                               "digisat-tinypkg==0.1")


def test_settings_tab_shows_the_worker_environment(full_iface, clean_project, tmp_path):
    from digisat_plugin.gui.dock import DigisatDock

    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), worker_python=sys.executable))
    try:
        text = dock.settings_panel.environment_text()
        assert f"Environment folder: {QgsApplication.qgisSettingsDirPath()}" in text
        assert text.rstrip().splitlines()[0].endswith(os.path.join("digisat", "python"))
        assert f"Worker Python: {sys.executable} (Python {sys.version.split()[0]}" in text
        assert "onnxruntime 1.19.2" in text and "tensorflow" not in text
        dock.settings_panel.keep_alive.setValue(0)
        loaded = PluginSettings.load()
        assert loaded.worker_python == sys.executable and loaded.worker_keep_alive == 0
    finally:
        dock.unload()
        dock.deleteLater()
        PluginSettings().save()


def test_clean_profile_shows_install_when_the_dock_opens_then_runs_without_restart(
        full_iface, clean_project, tiny_sr_model, tmp_path, qtbot, monkeypatch):
    """Issue 11: from a clean profile one click installs the environment, then Run works, no restart.

    The environment is built for real (QGIS's Python, venv, pip) with requirements/runtime.txt from the package
    registry, as a user's click does (ONNX Runtime and the catalogue clients, tens of MB). The run then goes
    through a worker started from the new environment."""
    import subprocess

    from digisat_plugin.gui import dock as dock_module
    from digisat_plugin.gui.dock import DigisatDock
    from digisat_plugin.tasks import worker as worker_module
    from digisat_plugin.worker import client
    from tests.conftest import SAMPLE

    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    monkeypatch.delenv(environment.ENV_VAR, raising=False)  # a clean profile: no worker Python anywhere
    env_dir = tmp_path / "profile" / "digisat" / "python"
    monkeypatch.setattr(worker_module, "env_dir", lambda: str(env_dir))
    monkeypatch.setattr(dock_module, "env_dir", lambda: str(env_dir))
    dock_module._PROBES.clear()
    settings = PluginSettings(model_dir=str(tiny_sr_model), output_dir=str(tmp_path / "out"), device="cpu")
    dock = DigisatDock(full_iface, settings=settings)
    python = environment.env_python(str(env_dir))
    try:
        # as soon as the dock opens, before any Run: what is missing and the Install button
        qtbot.waitUntil(lambda: not dock.process.install_button.isHidden(), timeout=10000)
        assert dock.missing == ["onnxruntime", "numpy", "osgeo", "pystac_client", "sentinelsat"]
        assert dock.process.missing_label.text().startswith("Missing in the worker's Python environment: onnxruntime")
        assert dock.step_label.text().startswith("Before the first run: digisat needs its Python environment")
        dock.data.set_local_product(str(SAMPLE))
        from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle

        dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(444000.0, 4177800.0, 445020.0, 4178820.0)),
                              QgsCoordinateReferenceSystem("EPSG:32618"))
        assert dock.run() is None  # refused with the same words, nothing started
        task = dock.install_missing()  # the one click
        with qtbot.waitSignal(task.taskCompleted, timeout=300000):
            pass
        qtbot.waitUntil(lambda: dock.install_task is None, timeout=5000)
        assert os.path.isfile(python) and dock.missing == [] and dock.process.install_button.isHidden()
        assert dock.step_label.text() == "Installed"
        assert worker_module.resolve_python(dock.settings) == python
        chain = dock.run()  # the same QGIS session: no restart
        assert chain is not None
        with qtbot.waitSignal(chain.succeeded, timeout=240000):
            pass
        qtbot.waitUntil(lambda: dock.result is not None, timeout=5000)
        assert dock.result[2].isValid() and dock.result[2].bandCount() == 12
        assert [w.python for w in client.idle_workers()].count(python) == 1  # it ran in the new environment
        assert not {"onnxruntime", "tensorflow", "keras", "h5py"} & set(sys.modules)  # the networks ran in the worker
        installed = environment.probe(python, environment.MODULES)["modules"]
        assert installed["onnxruntime"] == "1.19.2" and installed["pystac_client"] == "0.8.6"
        done = subprocess.run([python, "-c", "import tensorflow"], capture_output=True, text=True)
        assert done.returncode != 0  # the runtime environment has no TensorFlow
    finally:
        client.shutdown(python)
        dock.unload()
        dock.deleteLater()
        dock_module._PROBES.clear()
        PluginSettings().save()
