# 话术向导 — the commands a newcomer, a trainer and CI need.
# `make run` and `make test` set everything up themselves (Python 3.10 .venv, pinned deps).
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: setup run run-scaleout train test lint format validate nlu-eval risk-eval audit bench bench-scaleout soak sim clean

setup:
	@bash scripts/setup.sh

run: setup
	@$(PY) -m bot run

# The production layout on this machine: PostgreSQL, Redis, RabbitMQ (Debian packages, installed
# when missing), BOT_RASA_SERVERS Rasa servers (default 2) and the action server behind nginx on PORT.
run-scaleout: setup
	@$(PY) -m bot run-scaleout

train: setup
	@$(PY) -m bot train

test:
	@SETUP_DEV=1 SETUP_BROWSER=1 bash scripts/setup.sh
	@$(PY) -m bot train
	@$(PY) -m pytest tests

# ruff with the rule set in pyproject.toml, and the format check (`make format` rewrites).
lint:
	@SETUP_DEV=1 bash scripts/setup.sh
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

format:
	@SETUP_DEV=1 bash scripts/setup.sh
	@$(PY) -m ruff check --fix .
	@$(PY) -m ruff format .

validate: setup
	@$(PY) -m bot validate

# every held-out set: tests/nlu_holdout.yml, then the later blind ones (nlu_holdout2.yml, …)
nlu-eval: setup train
	@for f in tests/nlu_holdout*.yml; do echo "# $$f"; $(PY) -m bot nlu-eval --holdout $$f || exit 1; done

risk-eval: setup
	@$(PY) -m bot risk-eval

# Latency, throughput, memory, training time and NLU accuracy, side by side with the stock
# `rasa init` assistant; under 15 minutes on 2 cores; writes docs/benchmarks.md. Not part of `make test`.
bench: setup
	@$(PY) -m bench

# The scale-out stack (nginx + 1 and 2 Rasa servers on PostgreSQL/Redis/RabbitMQ) beside the
# `make run` stack, same load, same run; writes its section of docs/benchmarks.md.
bench-scaleout: setup
	@$(PY) -m bench.scaleout

# Several hundred concurrent calls for three minutes: no errors, no lost turns, flat memory
# (loopback only, stops by itself); writes its table into docs/benchmarks.md.
soak: setup train
	@$(PY) -m bench.soak

# The caller simulator (issue 12): every persona of tests/sim/personas/ as a whole call over REST
# or IVR against the real servers (loopback, fresh data dir, stops by itself, about a minute);
# prints per call and totals, writes var/sim/report.json and its totals into docs/benchmarks.md.
# `make sim SIM_ARGS="--only bor-001 --show bor-001"` plays one persona and prints its transcript.
sim: setup train
	@$(PY) -m bench.sim --write-doc $(SIM_ARGS)

# Known-vulnerability check of every pinned dependency (needs access to the PyPI
# vulnerability data, which this project's build machines do not have).
audit:
	@test -x .venv-audit/bin/pip-audit || (python3 -m venv .venv-audit && .venv-audit/bin/pip install --quiet pip-audit==2.7.3)
	@.venv-audit/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --progress-spinner off

clean:
	rm -rf models .rasa var .pytest_cache
