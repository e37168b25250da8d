# Two commands do all set-up: `make demo` and `make test`. Both are idempotent: the
# virtualenv is rebuilt only when pyproject.toml or constraints.txt change.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet -c constraints.txt
ONNX   := models/onnx/model.onnx
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint bench install install-test chromium wrk clean

demo: install
	$(VENV)/bin/matcher demo

test: install-test chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

lint: install-test
	$(VENV)/bin/ruff check .

bench: install-test wrk
	$(PY) benchmarks/encode.py
	$(PY) benchmarks/recommend.py
	$(PY) benchmarks/pairing.py
	$(PY) benchmarks/api_load.py
	$(PY) benchmarks/api_edits.py -n 1000
	$(PY) benchmarks/api_edits.py -n 10000
	$(PY) benchmarks/importing.py
	$(PY) benchmarks/roles.py
	$(PY) benchmarks/quality.py

install: $(VENV)/.installed $(ONNX)
install-test: $(VENV)/.installed-test $(ONNX)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) torch==2.13.0
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml constraints.txt
	$(PIP) -e '.[test]'
	touch $@

# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright):
# install it when we can (root with apt-get); otherwise they skip (and fail under CI=true).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium with apt-get (for the browser tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "$(CHROMIUM) is missing and this is not root: the browser tests will skip"; \
	  fi; \
	fi

# The HTTP load benchmark drives the service with wrk (a C load generator, Debian package).
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
	  echo "wrk is missing and this is not root: benchmarks/api_load.py will stop"

# Export all-MiniLM-L6-v2 to ONNX once (after checking the weights' sha256).
$(ONNX): $(VENV)/.installed matcher/embedding/export.py
	$(PY) -m matcher.embedding.export

clean:
	rm -rf $(VENV) models/onnx
