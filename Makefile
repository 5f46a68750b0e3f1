# backprop-course — the three commands of the README's quick start:
#   make lab    student: install into .venv and open JupyterLab on notebooks/
#   make demo   instructor: grade the shipped sample class into demo/ and print the table
#   make test   the test suite (what .ci/run calls), the grader's mutation audit included
#   make audit  the grader's mutation audit alone: one line per graded exercise
# Each target installs what it needs; nothing else has to be set up first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: lab demo test audit release bundle doctor bench sysdeps browserdeps pgdeps clean

# jupyter-config/: bpcourse's Jupyter server extension (autograde/formgrader.py: the formgrader's
# Autograde in a child process); an editable install does not copy data files, so make does.
SERVER_CONFIG := jupyter-config/jupyter_server_config.d/backprop-course.json

$(STAMP): pyproject.toml $(SERVER_CONFIG)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	install -D -m 644 $(SERVER_CONFIG) $(VENV)/etc/jupyter/jupyter_server_config.d/backprop-course.json
	touch $@

$(TSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# System packages (apt): bubblewrap sandboxes student code during grading; the browser tests
# drive Debian's chromium. Installed only when missing.
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq

sysdeps:
	@command -v bwrap >/dev/null 2>&1 || { echo "installing bubblewrap (apt)"; \
	  $(APT_INSTALL) bubblewrap >/dev/null \
	  || echo "WARNING: could not install bubblewrap; 'bpcourse grade' will refuse to run without --unsafe"; }

browserdeps:
	@test -x /usr/bin/chromium || { echo "installing chromium (apt)"; $(APT_INSTALL) chromium >/dev/null; }

# tests/test_postgres.py runs a throwaway PostgreSQL server (tests/pg.py) for a gradebook at a
# postgresql:// db_url. Debian keeps initdb off PATH, in /usr/lib/postgresql/<version>/bin.
pgdeps:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { echo "installing postgresql (apt)"; $(APT_INSTALL) postgresql >/dev/null; }

# make lab: the student's JupyterLab.
# - notebooks/ is what `bpcourse release` writes: students work on a copy in $(LAB_DIR)/
#   (git-ignored). Notebooks new in notebooks/ are added to it; nothing there is overwritten.
# - lab/settings/overrides.json: start the notebook's kernel without asking, no news pop-up.
# - lab/student/ (a JUPYTER_CONFIG_PATH entry): of nbgrader, students get Validate only — no
#   formgrader, Create Assignment or course list; the assignment list only with an nbgrader
#   exchange (lab/exchange/: EXCHANGE=1, on by itself when /srv/nbgrader/exchange exists).
#   INSTRUCTOR=1: everything of nbgrader.
# - as root (containers, many lab machines) jupyter refuses to start without --allow-root;
#   it is added for root only. More arguments: make lab JUPYTER_ARGS="--no-browser --port=8890"
LAB_DIR      ?= work
JUPYTER_ARGS ?=
EXCHANGE     ?= $(if $(wildcard /srv/nbgrader/exchange),1)
INSTRUCTOR   ?=
LAB_CONFIG    = $(if $(INSTRUCTOR),,$(if $(EXCHANGE),$(CURDIR)/lab/exchange:)$(CURDIR)/lab/student)
ALLOW_ROOT    = $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

lab: $(STAMP)
	@$(BIN)/python -c 'import os, shutil, sys; shutil.copytree(sys.argv[1], sys.argv[2], dirs_exist_ok=True, \
	  ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"), \
	  copy_function=lambda s, d: os.path.exists(d) or shutil.copy2(s, d))' notebooks "$(LAB_DIR)"
	@echo "Ваши ноутбуки — в $(LAB_DIR)/ (копия notebooks/; ваши файлы там никогда не перезаписываются)."
	JUPYTER_CONFIG_PATH="$(LAB_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  exec $(BIN)/jupyter lab --ServerApp.root_dir="$(LAB_DIR)" --LabApp.app_settings_dir=lab/settings \
	  $(ALLOW_ROOT) $(JUPYTER_ARGS)

demo: $(STAMP) sysdeps
	$(BIN)/bpcourse grade samples/class --out demo

# tests/test_audit.py runs the mutation audit; its table is printed at the end of the run
test: $(TSTAMP) sysdeps browserdeps pgdeps
	$(BIN)/python -m pytest

# mutants of every graded exercise's solution, run as student code through the hidden checks
audit: $(STAMP)
	$(BIN)/python -m autograde.audit

release: $(STAMP)
	$(BIN)/bpcourse release

bundle: $(STAMP)
	$(BIN)/bpcourse bundle --out dist/backprop-course-student.zip

doctor: $(STAMP)
	$(BIN)/bpcourse doctor

bench: $(STAMP) sysdeps
	$(BIN)/python bench/grade_throughput.py

clean:
	rm -rf demo build dist test-artifacts .pytest_cache
