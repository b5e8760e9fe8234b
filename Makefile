# make lab   - create .venv if needed, install, open JupyterLab on notebooks/
# make test  - same install, then unit tests and every notebook (pytest --nbval-lax), with per-notebook times
# make book  - build the static book into _build/html
# make serve - serve _build/html on http://localhost:8000 (search shows snippets when served)
# make assignments - generate the student versions of the assignments (nbgrader)
# make times - rewrite the run-time column of README.md from the last `make test`
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install lab test book serve times clean assignments

install: $(STAMP)

# Reinstalls only when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

# Jupyter refuses to run as root unless told; containers often run as root.
# Without a display no browser opens: make lab then prints the URL (with its
# token) to open.
lab: install
	@if [ "$$(uname -s)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY$$BROWSER" ]; then \
	  echo "==> make lab: no display here, so no browser opens. Open the" \
	    "http://127.0.0.1:PORT/lab?token=... URL printed below in a browser" \
	    "(from another machine: ssh -L PORT:localhost:PORT this-host first)." \
	    "Ctrl-C twice stops JupyterLab."; \
	  headless="--no-browser --ServerApp.log_level=WARN --LabApp.log_level=WARN"; \
	fi; \
	exec $(VENV)/bin/jupyter lab notebooks/ $$headless \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# Two workers (this machine has 2 cores), one torch thread each; a notebook's cells stay on one worker.
# Pass 1: unit tests and every notebook; each notebook that passes goes into the book's
# execution cache (conftest.py). Pass 2: the book (built from that cache, so no notebook
# runs twice) and JupyterLab in headless Chromium. Both passes always run; either failing
# fails make test.
BROWSER_TESTS := tests/test_book.py tests/test_lab.py
test: install
	@status=0; \
	ACTLIB_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile $(BROWSER_TESTS:%=--ignore=%) || status=$$?; \
	ACTLIB_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile $(BROWSER_TESTS) || status=$$?; \
	exit $$status

# make assignments - the student versions of assignments/source/* into assignments/release/
assignments: install
	cd assignments && for d in source/*/; do \
	  nbgrader generate_assignment --force "$$(basename $$d)" || exit 1; \
	done
	@echo "student versions written to assignments/release/"

book: install
	$(PY) -m sphinx -b html --keep-going . _build/html
	@echo "book written to _build/html/index.html"

# Opened from disk the book works too, but its search cannot fetch pages for snippets.
serve:
	@test -f _build/html/index.html || { echo "no book yet: run make book first"; exit 1; }
	@echo "serving the book on http://localhost:8000/ (Ctrl-C stops)"
	$(PY) -m http.server --directory _build/html --bind 127.0.0.1 8000

times:
	$(PY) tests/readme_times.py

clean:
	rm -rf _build
