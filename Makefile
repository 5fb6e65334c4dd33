# Two commands do all the set-up on a fresh Debian/Ubuntu machine:
#   make site   - create .venv, install the pinned dependencies, build every output into build/
#   make test   - the same set-up plus the test tools (Chromium, poppler, zbar), then the test suite
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
PIP       := $(BIN)/pip install -q --disable-pip-version-check -c constraints.txt
OUT       ?= build
PORT      ?= 8000

# Debian packages: the fonts Typst draws every PDF and image with (fonts-noto-core: the Arabic,
# Bengali and Gurmukhi scripts), and the CMYK output profile of the print-shop PDFs
# (libgs-common: /usr/share/color/icc/ghostscript/) ...
DEBS_RUN  := fonts-dejavu-core fonts-liberation2 fonts-noto-core libgs-common
# ... and what the tests use to look at the outputs as people do.
DEBS_TEST := chromium poppler-utils zbar-tools libzbar0 nginx

.PHONY: site test check serve bench clean deps test-deps

site: deps
	$(BIN)/python build.py --out $(OUT)

test: test-deps
	$(BIN)/python -m pytest -n auto

check: deps
	$(BIN)/python build.py check

serve: deps
	$(BIN)/python build.py serve --port $(PORT)

bench: test-deps
	$(BIN)/python bench/benchmark.py

deps: $(VENV)/.deps
	@$(call ensure_debs,$(DEBS_RUN))

test-deps: $(VENV)/.test-deps deps
	@$(call ensure_debs,$(DEBS_TEST))

$(VENV)/.deps: requirements.txt constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt $(VENV)/.deps
	$(PIP) -r requirements-test.txt
	touch $@

clean:
	rm -rf $(OUT) .pytest_cache

# Install the Debian packages in $(1) that are missing (as root, or through sudo).
define ensure_debs
	missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi
endef
