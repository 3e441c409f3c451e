# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
DEMO_PASSWORD := sutera-demo-2025
# `make run PORT=8080` when 8000 is taken.
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := sutera_kinerja.settings

.PHONY: run test install install-dev system-deps check lint demo node-deps

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev system-deps

# Debian packages the project needs: Chromium for the browser tests, Pango for weasyprint;
# LibreOffice Calc (headless), qpdf and poppler for the tests that print the workbooks and
# check the (signed) PDFs as a reviewer's tools read them; nginx for the proxy test
# (tests/test_proxy.py runs deploy/nginx-app.conf).
system-deps:
	@if ! command -v chromium >/dev/null || ! ldconfig -p | grep -q libpango-1.0 \
		|| ! command -v soffice >/dev/null || ! command -v qpdf >/dev/null \
		|| ! command -v pdftotext >/dev/null || ! [ -x /usr/sbin/nginx ]; then \
		echo "Memasang paket Debian: chromium, pango, fonts, libreoffice-calc, qpdf, poppler, nginx"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
			libreoffice-calc-nogui qpdf poppler-utils nginx-light >/dev/null; \
	fi

# npm packages for the tests: only axe-core (tests/test_accessibility.py), pinned in package.json
# and package-lock.json, installed into node_modules/.
.PHONY: node-deps
node-deps:
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo

run: demo
	@echo ""
	@echo "Sutera Kinerja berjalan di http://127.0.0.1:$(PORT)"
	@echo "Pengguna demo: camat, sekretaris, kasubag, kasi_pemerintahan, kasi_trantibum,"
	@echo "  kasi_pmn, kasi_kesos, kasi_pelayanan, admin  —  kata sandi: $(DEMO_PASSWORD)"
	@echo ""
	@# The task worker (year ZIPs, e-mail) runs beside the web server, in a process group of its
	@# own (its autoreloader has a child), and the whole group stops when runserver exits.
	DEBUG=1 setsid $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill -- -$$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

test: install-dev node-deps lint
	$(VENV)/bin/pytest -n 2
