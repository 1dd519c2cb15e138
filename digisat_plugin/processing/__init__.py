"""QGIS Processing provider `digisat`: the core functions as Processing algorithms (modeler, batch, scripts)."""
