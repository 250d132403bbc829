# Safeline. `make run` starts the hotline with its phone simulator; `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# The venv is rebuilt only when the dependencies change.
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install model train run test lint bench nlu-report system-deps clean

help:
	@echo "make run    - start Rasa, the action server and the hotline (simulator: http://localhost:8000/simulator)"
	@echo "make test   - the whole test suite"
	@echo "make train  - retrain the Rasa model now"
	@echo "make lint   - ruff"
	@echo "make nlu-report - per-language NLU F1, detection accuracy, training time, memory"
	@echo "make bench  - benchmarks (bench/)"
	@echo "make catalogs - gettext cycle: extract responses, update every language's .po, compile"

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

run: model compile-catalogs
	$(BIN)/hotline run --model "$$($(BIN)/python -m bot.model path)"

system-deps:
	@scripts/install-system-deps.sh

test: install lint system-deps model compile-catalogs
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

# Per language: held-out intent macro-F1, language detection, training time, Rasa memory.
nlu-report: install
	$(BIN)/python scripts/nlu_report.py

bench: model compile-catalogs
	$(BIN)/python bench/sms_latency.py
	$(BIN)/python bench/console_load.py

clean:
	rm -rf var models results .pytest_cache

# --- Languages: gettext catalogs (locales/languages.yml lists the languages) ------------------
# `make catalogs` after the English of domain.yml or service_messages.yml changed: extract every
# response text and button title (msgctxt = response name) into locales/messages.pot, bring each
# language's locales/<code>/LC_MESSAGES/messages.po up to date (created if missing), compile.
# The .pot is rewritten only when its content changed (not for a new creation date alone).
# `compile-catalogs` compiles only the .po files newer than their .mo (gitignored): make test and
# make run depend on it, so an edited .po is what texters read at the next start.
.PHONY: catalogs compile-catalogs
POT := locales/messages.pot
RESPONSE_FILES := domain.yml hotline/content/service_messages.yml
PO_FILES = $(wildcard locales/*/LC_MESSAGES/messages.po)

catalogs: install
	$(BIN)/pybabel -q extract -F locales/babel.cfg --no-location --project=Safeline \
		--copyright-holder="Safeline contributors" -o $(POT).new $(RESPONSE_FILES)
	@if [ -f $(POT) ] && cmp -s <(grep -v '^"POT-Creation-Date' $(POT).new) \
		<(grep -v '^"POT-Creation-Date' $(POT)); then rm $(POT).new; else mv $(POT).new $(POT); fi
	@for code in $$($(BIN)/python -m bot.languages catalog-codes); do \
		$(BIN)/pybabel -q update --init-missing -i $(POT) -d locales -D messages -l $$code \
			|| exit 1; \
	done
	@$(MAKE) --no-print-directory compile-catalogs

compile-catalogs: $(PO_FILES:.po=.mo)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po | $(INSTALLED)
	$(BIN)/pybabel -q compile -i $< -o $@
