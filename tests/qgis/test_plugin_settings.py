"""Plugin settings in QgsSettings, logins in the QGIS auth manager, optional dependencies and their installer."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import zipfile

import pytest
from qgis.core import QgsApplication, QgsSettings

from digisat_plugin.toolbelt import dependencies
from digisat_plugin.toolbelt.settings import PluginSettings, load_credentials, store_credentials


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
    assert load_credentials(PluginSettings.load().auth_config_id) == ("alice", "s3cret-pass")
    assert load_credentials("") == ("", "")
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


def test_missing_dependencies_are_found_without_importing(monkeypatch):
    monkeypatch.setattr(dependencies, "DEPENDENCIES", dependencies.DEPENDENCIES + (
        dependencies.Dependency("digisat_no_such_module", "digisat-no-such==1.0", "testing"),))
    before = set(sys.modules)
    missing = dependencies.missing_dependencies()
    assert [d.module for d in missing if d.needed_for == "testing"] == ["digisat_no_such_module"]
    assert "tensorflow" not in set(sys.modules) - before  # looked up, not imported
    command = dependencies.manual_command(["digisat-no-such==1.0"], "/opt/x y")
    assert command.endswith("-m pip install --upgrade --target '/opt/x y' digisat-no-such==1.0")


def make_wheel(folder, name="digisat_tinypkg", version="0.1"):
    """A minimal pure-Python wheel, so the installer test needs no network."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"VALUE = 42\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: digisat-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
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


def test_installer_puts_packages_in_the_plugin_folder(offline_pip, tmp_path, qtbot, monkeypatch):
    target = tmp_path / "python_packages"
    monkeypatch.setattr(dependencies, "VENDOR_DIR", str(target))
    task = dependencies.make_install_task(["digisat_tinypkg==0.1"], str(target), python=sys.executable)
    with qtbot.waitSignal(task.taskCompleted, timeout=120000):
        QgsApplication.taskManager().addTask(task)
    assert (target / "digisat_tinypkg" / "__init__.py").read_text() == "VALUE = 42\n"
    assert str(target) in sys.path and dependencies.is_available("digisat_tinypkg")
    assert task.progress() == 100
    sys.path.remove(str(target))


def test_installer_failure_gives_the_manual_command(offline_pip, tmp_path, qtbot):
    target = tmp_path / "python_packages"
    task = dependencies.make_install_task(["digisat-not-published==9.9"], str(target), python=sys.executable)
    with qtbot.waitSignal(task.taskTerminated, timeout=120000):
        QgsApplication.taskManager().addTask(task)
    assert task.error.startswith("pip failed (")
    assert "No matching distribution" in task.error or "no matching distribution" in task.error.lower()
    assert task.error.endswith(f"install by hand: {sys.executable} -m pip install --upgrade --target {target} "
                               "digisat-not-published==9.9")


def test_settings_tab_saves_and_applies(full_iface, clean_project, tmp_path):
    from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle

    from digisat_plugin.gui.dock import DigisatDock

    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), area_warning_km2=400))
    try:
        dock.area.aoi.set_aoi(QgsGeometry.fromRect(QgsRectangle(444000, 4177000, 447000, 4180000)),
                              QgsCoordinateReferenceSystem("EPSG:32618"))  # 9 km2
        assert dock.area.warning_label.isHidden()
        panel = dock.settings_panel
        panel.stac_url.setText("http://127.0.0.1:9/stac")
        panel.area_limit.setValue(5)
        panel.save_button.click()
        assert not dock.area.warning_label.isHidden()
        assert dock.data.url_edit.text() == "http://127.0.0.1:9/stac"  # STAC is the current source
        loaded = PluginSettings.load()
        assert loaded.stac_url == "http://127.0.0.1:9/stac" and loaded.area_warning_km2 == 5
    finally:
        dock.unload()
        dock.deleteLater()
        PluginSettings().save()


def test_h5py_wheel_is_loaded_with_its_own_hdf5(tmp_path):
    """In a fresh process, as in QGIS: h5py imported through load_h5py_isolated writes and reads HDF5."""
    import subprocess

    from tests.conftest import REPO

    code = ("import sys; from digisat_plugin.toolbelt.dependencies import load_h5py_isolated as load; "
            "first = load(); import h5py, numpy as np; f = h5py.File(sys.argv[1], 'w'); f['a'] = np.arange(4); "
            "f.close(); print(first, load(), h5py.File(sys.argv[1], 'r')['a'][:].sum())")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.h5")], cwd=REPO, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    bundled = os.path.isdir(os.path.join(os.path.dirname(os.path.dirname(__import__("h5py").__file__)), "h5py.libs"))
    assert done.stdout.split() == [str(bundled), "False", "6"]  # isolated once (wheels only), then a no-op


def test_installer_into_a_folder_it_cannot_make_gives_the_manual_command(tmp_path, qtbot):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    target = blocker / "python_packages"
    task = dependencies.make_install_task(["digisat-tinypkg==0.1"], str(target), python=sys.executable)
    with qtbot.waitSignal(task.taskTerminated, timeout=60000):
        QgsApplication.taskManager().addTask(task)
    assert task.error.startswith(f"cannot start pip ({target}: ")
    assert task.error.endswith(f"install by hand: {sys.executable} -m pip install --upgrade --target {target} "
                               "digisat-tinypkg==0.1")
