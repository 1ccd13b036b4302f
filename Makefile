# Two entry points for a fresh machine: `make run` (the app on the bundled corpus) and
# `make test` (everything CI checks). Both install what they need first. `make test-fast` is
# the quick loop: lint and the tests marked neither slow nor browser-only (about a minute).

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint browser bench eval clean

# torch is installed first and pinned: the CPU build of 2.13.0 lies on local disk, while
# an unpinned torch (pulled in by sentence-transformers) would fetch a multi-GB CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP)
	$(VENV)/bin/kb serve

# Debian's Chromium (never a browser download) and CJK fonts, for the UI test and screenshots;
# iproute2's `ip` for the network-namespace test in tests/test_security.py; axe-core from npm
# into build/axe (project-local, never a CDN) for the accessibility test.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "CJK" \
		|| ! command -v ip >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk iproute2 npm >/dev/null; \
	fi
	@test -f build/axe/node_modules/axe-core/axe.min.js || npm install --silent --no-audit --no-fund --prefix build/axe axe-core@4

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) browser lint
	$(VENV)/bin/pytest

# No whole-corpus index, server, browser or benchmark: see tests/conftest.py.
test-fast: $(STAMP) lint
	$(VENV)/bin/pytest -m "not slow"

eval: $(STAMP)
	$(VENV)/bin/kb ingest --quiet
	$(VENV)/bin/kb eval

bench: $(STAMP)
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) .kb
