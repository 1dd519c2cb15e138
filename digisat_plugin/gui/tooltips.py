"""Every dock control explains itself: one table of tooltips (with units), applied by the dock.

Kept in one place, not in each panel, so a panel's form and its explanations can change apart;
`explain(dock)` sets them on the panels' widgets by attribute name (missing names are skipped, so
a panel may lose a control without breaking the dock).
"""

from __future__ import annotations

from .i18n import tr


def tips() -> dict:
    """panel attribute of the dock ('' for the dock itself) -> {widget attribute: tooltip}."""
    return {
        "": {
            "run_button": tr("Fetch (when a catalogue scene is picked) and super-resolve in the background; the "
                             "task shows in QGIS's task manager"),
            "cancel_button": tr("Stop the running job; no partial output file is kept"),
            "swipe_button": tr("Swipe compare: the enhanced layer left of a divider you drag, the original right "
                               "of it (click again to stop)"),
            "side_button": tr("Side by side: a second map view of the original, kept in step with the main map "
                              "(click again to close it)"),
            "help_button": tr("Help (the user guide shipped with the plugin, the README online) and About digisat"),
            "composite": tr("Band composite of the latest result, on both its layers with the same stretch; the "
                            "first one shows bands the networks sharpened"),
            "step_label": tr("What the dock is doing; the progress bar is in QGIS's task manager and every message "
                             "in the message log, tab 'digisat'"),
        },
        "area": {
            "rectangle_button": tr("Drag a rectangle on the map: only this area (plus the networks' margin) is read"),
            "polygon_button": tr("Click the vertices on the map; right click or double click to close the polygon"),
            "canvas_button": tr("Use the map's current extent as the area"),
            "layer_combo": tr("A raster or vector layer whose extent (or features) gives the area"),
            "selected_only": tr("Use only the selected features of the vector layer"),
            "layer_button": tr("Use the chosen layer's extent, or its (selected) features as a polygon"),
            "clear_button": tr("Remove the area: the whole product is processed"),
            "coords_edit": tr("Type or paste the area's box: xmin, ymin, xmax, ymax (commas or spaces) in the CRS "
                              "below; Enter uses it"),
            "coords_crs": tr("The CRS the typed coordinates are in (metres for UTM, degrees for EPSG:4326)"),
            "coords_button": tr("Use the typed box as the area"),
            "mask_combo": tr("Polygon areas: keep only the pixels inside the polygon (no data outside) or the "
                             "whole bounding box"),
        },
        "data": {
            "search_mode": tr("Find scenes over the area in a catalogue (STAC, Copernicus Data Space, DHuS)"),
            "local_mode": tr("Use a Sentinel-2 product already on disk"),
            "source_combo": tr("Catalogue to search: STAC (no account), Copernicus Data Space or a DHuS hub (login)"),
            "url_edit": tr("The service's address; empty: its default (Settings)"),
            "auth_select": tr("Login from the QGIS authentication manager (Data Space, DHuS); never saved as text"),
            "start_date": tr("First acquisition day (UTC) searched"),
            "end_date": tr("Last acquisition day (UTC) searched"),
            "max_cloud": tr("Largest cloud cover of the whole tile, in percent, for a scene to be listed"),
            "level_combo": tr("L2A: surface reflectance (bottom of atmosphere); L1C: top-of-atmosphere reflectance"),
            "search_button": tr("Search the catalogue over the area between the dates"),
            "table": tr("Scenes found, newest first; pick one to fetch and super-resolve it"),
            "local_path": tr("A SAFE folder, a SAFE .zip or a folder of band GeoTIFFs (B02.tif ...)"),
            "folder_button": tr("Choose a SAFE folder or a folder of band files"),
            "zip_button": tr("Choose a zipped SAFE product (read in place, never unpacked)"),
        },
        "process": {
            "bands20": tr("Super-resolve B05 B06 B07 B8A B11 B12 from 20 m to 10 m (network net20)"),
            "bands60": tr("Super-resolve B01 B09 from 60 m to 10 m (network net60; it reads the 20 m bands too)"),
            "output_dir": tr("Folder for <product>_<key>_enhanced.tif and ..._original.tif; the key stands for the "
                             "area, bands and mask, so another request never overwrites a result (the same one asks)"),
            "output_button": tr("Choose the output folder"),
            "device": tr("Where the networks run: auto (a GPU when ONNX Runtime has a GPU provider), cpu or gpu; "
                         "with gpu, Install packages adds ONNX Runtime's GPU build (CUDA on Linux, DirectML on "
                         "Windows; CoreML is part of macOS's)"),
            "tile_size": tr("Side of the square tiles the area is processed in, in 10 m pixels (0: automatic); "
                            "smaller tiles need less memory"),
            "uncertainty": tr("<p>Also write and load, hidden above the result, the expected error of every "
                              "enhanced pixel, in the enhanced layer's units (reflectance), one band per "
                              "band, one layer per date of a time series. Mask the pixels above a threshold "
                              "before computing an index (Help, <i>Uncertainty layer</i>).</p>"),
            "measure_quality": tr("After the run, average each enhanced band back to its own 20 m / 60 m grid and "
                                  "compare with the delivered band (RMSE in the log)"),
            "zoom_to_result": tr("After each run, move the map to the new result"),
            "install_button": tr("Install the packages the worker needs (ONNX Runtime and the catalogue clients, "
                                 "about 80 MB) into the digisat environment"),
        },
        "settings_panel": {
            "stac_url": tr("STAC API address (default: Earth Search)"),
            "cdse_url": tr("Copernicus Data Space OData address"),
            "dhus_url": tr("DHuS hub address (required for the DHuS source)"),
            "area_limit": tr("Warn when the area is larger than this, in km²"),
            "model_dir": tr("Folder of trained networks (net20/, net60/); empty: the networks shipped with "
                            "the plugin"),
            "worker_python": tr("Advanced: an existing Python with GDAL and ONNX Runtime for the worker; empty: the "
                                "digisat environment"),
            "keep_alive": tr("How long an idle worker is kept so the networks load once, in seconds (0: a new "
                             "process per run)"),
            "worker_threads": tr("CPU threads the networks use in the worker (0: every core); fewer leave QGIS "
                                 "responsive on a laptop"),
            "refresh_button": tr("Look at the worker's Python environment again"),
            "repair_button": tr("Build the digisat environment again (pip install of the plugin's runtime list)"),
            "remove_button": tr("Delete the digisat environment's folder"),
        },
    }


def explain(dock) -> None:
    """Set the tooltips on the dock's controls (and on the tabs)."""
    for panel_name, table in tips().items():
        panel = getattr(dock, panel_name, None) if panel_name else dock
        for name, text in table.items():
            widget = getattr(panel, name, None) if panel is not None else None
            if widget is not None and hasattr(widget, "setToolTip"):
                widget.setToolTip(text)
    for i, text in enumerate((tr("Where: the area to process"), tr("What: a catalogue scene or a local product"),
                              tr("How: bands, output folder, device, tile size"),
                              tr("Service addresses, networks, the worker's Python environment"))):
        if i < dock.tabs.count():
            dock.tabs.setTabToolTip(i, text)
