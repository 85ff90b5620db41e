# Every target does its own set-up: a .venv with the pinned packages of requirements.txt.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup demo test unit security sanity lint golden bench schema golden-update clean molecule mutate

setup: setup-system $(STAMP)

# Debian packages the tests drive, each as package:program; a package is installed only when its program is missing
# (a program with a slash is a path, globs allowed: kamailio's TLS module is a file, not a program)
SYSTEM_PACKAGES := git:git postgresql:initdb tftp-hpa:tftp curl:curl nginx:nginx wrk:wrk kamailio:kamailio baresip:baresip \
	'kamailio-tls-modules:/usr/lib/*/kamailio/modules/tls.so'

.PHONY: setup-system
setup-system:
	@tests/tools/setup-system.sh $(SYSTEM_PACKAGES)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

## demo: validate the demo fleet, show its inventory graph, publish every phone's files into build/demo/www,
##       export the SIP accounts (lines and pool) for the registrar, then on loopback: the service and Kamailio;
##       the demo phones boot, fetch their files, register every line (baresip); print their status, stop all
demo: setup
	$(BIN)/ansible-playbook playbooks/validate.yml
	$(BIN)/ansible-inventory -i inventory/demo --graph
	$(BIN)/ansible-playbook -i inventory/demo playbooks/publish.yml
	@echo "Published into build/demo/www: $$(find build/demo/www -type f -not -path '*/.phonefleet/*' | wc -l) files, among them:"
	@cd build/demo/www && ls 805ec0112233.cfg SEP0CD0F8A1B2C3.cnf.xml 24d921aabb01.cfg 001ae8556677_config.xml | sed 's/^/  /'
	$(BIN)/ansible-playbook playbooks/registrar_export.yml -e phonefleet_registrar_dest=$(CURDIR)/build/demo/registrar
	PYTHONPATH=collections:service:simulator $(BIN)/python -m phonefleet_simulator.demo --web-root build/demo/www \
		--state build/demo/state --registrar-export build/demo/registrar

## test: unit tests, golden inventory tests, ansible-test sanity, ansible-lint, the molecule scenario
test: setup unit lint sanity molecule

unit: setup
	$(BIN)/python -m pytest -q -n 2 tests/unit tests/golden

## security: the security suite alone (part of unit): every attack of docs/security.md replayed on loopback
security: setup
	$(BIN)/python -m pytest -q -n 2 -m security tests/unit tests/golden

lint: setup
	$(BIN)/ruff check plugins service simulator tests
	$(BIN)/ruff format --check plugins service simulator tests
	$(BIN)/mypy
	$(BIN)/ansible-lint

sanity: setup
	tests/sanity/run.sh

## molecule: converge the provisioning_server role on this machine and verify it with curl and tftp
##           (as root; loopback and unprivileged ports, files in /tmp/phonefleet-molecule: molecule/README.md)
molecule: setup
	@[ "$$(id -u)" = 0 ] || { echo "molecule: run as root: it installs packages and services on this machine" >&2; exit 2; }
	$(BIN)/molecule test -s provisioning_server

## mutate: plant known bugs one at a time in a copy of the code and report which the tests miss
##         (tests/tools/mutate.py; not part of make test: it runs tests once per mutant, docs/testing.md)
mutate: setup setup-system
	$(BIN)/python -m tests.tools.mutate

bench: setup
	$(BIN)/python tests/bench/bench_loader.py
	$(BIN)/python tests/bench/bench_publish.py
	$(BIN)/python tests/bench/bench_recognition.py
	$(BIN)/python tests/bench/bench_resync.py
	$(BIN)/python tests/bench/bench_bootstorm.py
	$(BIN)/python tests/bench/bench_playbook.py
	$(BIN)/python tests/bench/bench_bulk_edit.py
	nice -n 15 $(BIN)/python tests/bench/bench_mobility.py
	$(BIN)/python tests/bench/bench_jobs.py

schema: setup
	$(BIN)/python -m tests.tools.write_schema

golden-update: setup
	$(BIN)/python -m tests.tools.update_golden

clean:
	rm -rf $(VENV) build tests/output
