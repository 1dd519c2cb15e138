"""Studies behind the figures in docs/models.md and README.md: measurements and their helpers, not
part of the plugin (scripts/package.py ships `digisat_plugin/` only).

Installed with the project in editable mode (pyproject.toml; `make setup`), so `python research/NAME.py`
and `python -m research.NAME` import both `research` and `digisat_plugin` without `sys.path` edits.
"""
