"""Issue 27: the help was online only. The offline user guide (digisat_plugin/help/index.html, written by
scripts/help_page.py from docs/user-guide.md) ships in the zip and the dock's ? > Help opens it."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "digisat_plugin" / "help" / "index.html"


def test_the_zip_holds_the_offline_help(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import package
    finally:
        sys.path.remove(str(REPO / "scripts"))
    out = tmp_path / "digisat.zip"
    package.build(str(out), allow_missing_weights=True)
    with zipfile.ZipFile(out) as archive:
        page = archive.read("digisat_plugin/help/index.html").decode("utf-8")
    assert page == PAGE.read_text(encoding="utf-8")
    assert "#the-qgis-plugin" in page  # the online README as the second link


def test_the_page_has_every_section_of_the_user_guide():
    """scripts/help_page.py was rerun after the guide changed: each '## ' heading is a heading of the page."""
    guide = (REPO / "docs" / "user-guide.md").read_text(encoding="utf-8")
    page = PAGE.read_text(encoding="utf-8")
    headings = re.findall(r"^##+ (.+)$", guide, flags=re.MULTILINE)
    assert headings
    shown = {re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[2-6][^>]*>(.*?)</h[2-6]>", page)}
    missing = [h for h in headings if re.sub(r"[`*]", "", h).replace("&", "&amp;") not in shown]
    assert not missing, f"rerun scripts/help_page.py: {missing}"


def test_dock_help_opens_the_local_file_and_the_readme_online(full_iface, clean_project, monkeypatch, tmp_path):
    from digisat_plugin.gui import about
    from digisat_plugin.gui.dock import DigisatDock
    from digisat_plugin.toolbelt.settings import PluginSettings

    opened = []
    monkeypatch.setattr(about, "open_url", lambda url: opened.append(url))
    dock = DigisatDock(full_iface, settings=PluginSettings(output_dir=str(tmp_path), worker_python=sys.executable))
    try:
        dock.help_action.trigger()
        dock.online_help_action.trigger()
    finally:
        dock.unload()
        dock.deleteLater()
    assert opened[0].isLocalFile() and Path(opened[0].toLocalFile()) == PAGE and PAGE.is_file()
    assert opened[1].scheme() == "https" and opened[1].toString().endswith("#the-qgis-plugin")
