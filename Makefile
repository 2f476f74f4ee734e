# 话术向导 — the commands a newcomer, a trainer and CI need.
# `make run` and `make test` set everything up themselves (Python 3.10 .venv, pinned deps).
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: setup run train test validate nlu-eval risk-eval clean

setup:
	@bash scripts/setup.sh

run: setup
	@$(PY) -m bot run

train: setup
	@$(PY) -m bot train

test: setup
	@$(PY) -m bot train
	@$(PY) -m pytest tests

validate: setup
	@ACTION_PORT=5055 BOT_TRACKER_DB=var/rasa_tracker.db $(PY) -m rasa data validate --fail-on-warnings

nlu-eval: setup train
	@$(PY) -m bot nlu-eval

risk-eval: setup
	@$(PY) -m bot risk-eval

clean:
	rm -rf models .rasa var .pytest_cache
