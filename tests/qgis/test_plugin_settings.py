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


def test_probe_finds_modules_without_importing():
    before = set(sys.modules)
    info = environment.probe(sys.executable, (("tensorflow", ("tensorflow-cpu", "tensorflow")),
                                              ("digisat_no_such_module", ("digisat-no-such",))))
    assert info["python"] == sys.executable and info["version"] == sys.version.split()[0]
    assert info["modules"] == {"tensorflow": "2.17.1", "digisat_no_such_module": None}
    assert environment.missing_modules(info, ["tensorflow", "digisat_no_such_module"]) == ["digisat_no_such_module"]
    assert "tensorflow" not in set(sys.modules) - before  # looked up in another process, not imported


def test_worker_python_is_the_setting_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(environment.ENV_VAR, raising=False)
    env_dir = tmp_path / "digisat" / "python"
    with pytest.raises(environment.EnvironmentProblem, match="needs the digisat Python environment"):
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
    assert task.base_python == environment.qgis_python()  # QGIS's interpreter made it, not the first on PATH
    cfg = (env_dir / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = true" in cfg
    assert f"home = {os.path.dirname(task.base_python)}" in cfg
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
        assert "tensorflow 2.17.1" in text and "keras 3.15.1" in text
        dock.settings_panel.keep_alive.setValue(0)
        dock.settings_panel.save_button.click()
        loaded = PluginSettings.load()
        assert loaded.worker_python == sys.executable and loaded.worker_keep_alive == 0
    finally:
        dock.unload()
        dock.deleteLater()
        PluginSettings().save()
