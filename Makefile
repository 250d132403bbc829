# Safeline. `make run` starts the hotline with its phone simulator; `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# The venv is rebuilt only when the dependencies change.
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install model train run test lint bench system-deps clean

help:
	@echo "make run    - start Rasa, the action server and the hotline (simulator: http://localhost:8000/simulator)"
	@echo "make test   - the whole test suite"
	@echo "make train  - retrain the Rasa model now"
	@echo "make lint   - ruff"
	@echo "make bench  - benchmarks (bench/)"

$(INSTALLED): pyproject.toml
	@python=$$(scripts/find-python310.sh) && \
	if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
		echo "creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV); \
	fi
	$(BIN)/pip install --quiet --upgrade pip wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip check
	@rm -f $(VENV)/.installed-*; touch $@

install: $(INSTALLED)

# Trains only when config, domain, data or bot code changed (models/<content hash>.tar.gz).
model: install
	@$(BIN)/python -m bot.model ensure

train: install
	$(BIN)/python -m bot.model ensure --force

run: model
	$(BIN)/hotline run --model "$$($(BIN)/python -m bot.model path)"

system-deps:
	@scripts/install-system-deps.sh

test: install system-deps model lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

bench: model
	$(BIN)/python bench/sms_latency.py
	$(BIN)/python bench/console_load.py

clean:
	rm -rf var models results .pytest_cache
