# digisat: the README's two commands are `make demo` and `make test`; both set up first.
PY := .venv/bin/python
export QT_QPA_PLATFORM ?= offscreen
export TF_CPP_MIN_LOG_LEVEL ?= 2
SAMPLE := resources/sample/virginia
DEMO_OUT := demo_output
# Wall-clock budget of `make train` per network, in minutes (2-core CPU).
TRAIN_MINUTES ?= 20

.PHONY: setup test test-unit test-qgis demo lint bench train evaluate clean

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
	$(PY) -m ruff check digisat_plugin tests scripts

bench: setup
	$(PY) scripts/bench.py

train: setup
	$(PY) -m digisat_plugin train --minutes $(TRAIN_MINUTES) --out model_weights

evaluate: setup
	$(PY) -m digisat_plugin evaluate --split test --json docs/evaluation.json --markdown docs/evaluation.md

clean:
	rm -rf $(DEMO_OUT) .pytest_cache .ruff_cache build dist
