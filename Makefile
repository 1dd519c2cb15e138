# digisat: the README's two commands are `make demo` and `make test`; both set up first.
PY := .venv/bin/python
export QT_QPA_PLATFORM ?= offscreen
export TF_CPP_MIN_LOG_LEVEL ?= 2
SAMPLE := resources/sample/virginia
DEMO_OUT := demo_output
# `make train` runs the shipped recipe (core/train/recipe.py): a fixed number of steps with fixed
# seeds, about 5-9 minutes for both networks on a 2-core CPU (the model cards record the time); an
# interrupted run resumes from its checkpoints in .train/ (TRAIN_ARGS=--fresh starts over).
# `make evaluate` also trains the four leave-scene-out folds' networks into .train/folds/ the first
# time (about 20-40 minutes, resumable), then scores each fold on its own scenes.
TRAIN_ARGS ?=
# the QGIS that setup installs (scripts/setup.sh): 3.40, the long-term release from bookworm-backports, or
# 3.22, Debian 12's own and the oldest supported (`make test QGIS=3.22`; apt goes back and forth)
QGIS ?= 3.40
export QGIS

.PHONY: setup test test-unit test-qgis demo lint qt6-check qt6-fix bench bench-batch bench-tile train evaluate clean package qgis qgis-smoke translations

setup:
	@bash scripts/setup.sh

test: setup
	$(PY) -m pytest tests

test-unit: setup
	$(PY) -m pytest tests/unit

test-qgis: setup
	$(PY) -m pytest tests/qgis

demo: setup
	$(PY) scripts/demo.py --sample $(SAMPLE) --out $(DEMO_OUT)

lint: setup
	$(PY) -m ruff check digisat_plugin tests scripts research

# Qt 6 readiness (QGIS 4): QGIS's PyQt5-to-PyQt6 rules on digisat_plugin/ (tests/unit/test_qt6_check.py
# runs it in `make test`); qt6-fix rewrites what it can (scoped enums, exec(), imports) and lists the rest
qt6-check: setup
	$(PY) scripts/qt6_check.py

qt6-fix: setup
	$(PY) scripts/qt6_check.py --fix

# the same windows with the networks on ONNX Runtime and on TensorFlow (development-only comparison),
# the worker's start-up and the runtime environment's size (scripts/bench.py; a few minutes on 2 cores)
bench: setup
	$(PY) scripts/bench.py

# many scenes: single-process engine vs batch on Dask distributed, 1 and 2 workers (a few minutes on
# 2 cores; BENCH_BATCH_ARGS="--size 10980" for full tiles, about an hour)
BENCH_BATCH_ARGS ?=
bench-batch: setup
	$(PY) scripts/bench_batch.py $(BENCH_BATCH_ARGS)

# one full tile (10980 x 10980 px, mirrored from the shared scene, built once into build/bench-tile):
# batch with 2 and 1 workers against the single-process engine, peak memory per worker (20-40 min
# on 2 cores; BENCH_TILE_ARGS="--size 2196" for a quick check)
BENCH_TILE_ARGS ?=
bench-tile: setup
	$(PY) scripts/bench_tile.py $(BENCH_TILE_ARGS)

train: setup
	$(PY) -m digisat_plugin train --out model_weights $(TRAIN_ARGS)

evaluate: setup
	$(PY) scripts/leave_scene_out.py --json docs/leave_scene_out.json --markdown docs/leave_scene_out.md
	$(PY) scripts/fullscale_check.py --markdown docs/fullscale.md
	$(PY) -m digisat_plugin evaluate --split test --json docs/evaluation.json --markdown docs/evaluation.md
	$(PY) scripts/evaluate_uncertainty.py --json docs/uncertainty.json --markdown docs/uncertainty.md

# QGIS plugin: dist/digisat.zip (one folder digisat_plugin/ with metadata.txt, LICENSE, model_weights/)
package: setup
	$(PY) scripts/package.py --out dist/digisat.zip

# the real QGIS on your display, the working copy linked into a temporary profile
qgis: setup
	$(PY) scripts/qgis_smoke.py --interactive

# the real QGIS under Xvfb: the zip installed into a clean profile, the sample pipeline, screenshots;
# QGIS_SMOKE_ARGS=--install-env first clicks Install packages in a clean profile (requirements/runtime.txt)
QGIS_SMOKE_ARGS ?=
qgis-smoke: package
	$(PY) scripts/qgis_smoke.py --zip dist/digisat.zip --screenshots docs/screenshots $(QGIS_SMOKE_ARGS)

# the translation template i18n/digisat.ts (every tr() string of the GUI; Qt Linguist opens it); a
# translator's file becomes digisat_plugin/i18n/digisat_<locale>.qm with `lrelease`
translations:
	$(PY) scripts/i18n_template.py --out i18n/digisat.ts

clean:
	rm -rf $(DEMO_OUT) .pytest_cache .ruff_cache build dist
