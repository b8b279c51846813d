# Recovery Desk — everything a fresh machine needs is installed from here.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test fuzz bench torture lint screenshots samples clean system-deps-gui package package-test

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## make run: install if needed, open the app on the demo workspace (created on first run)
run: $(STAMP)
	QT_QPA_PLATFORM= $(VENV)/bin/recovery-desk gui --demo

## make test: install if needed, run the whole suite headless, on files and on a throw-away
## PostgreSQL server (tests/pg_server.sh installs Debian's postgresql if missing, starts and stops it)
test: $(STAMP)
	tests/pg_server.sh $(PY) -m pytest -q

## make fuzz: the property tests with many random examples (FUZZ_EXAMPLES=2000 each; SEED=n repeats a run).
## Prints the seed first and hypothesis' statistics (what it tried) at the end; failures found are
## kept in .hypothesis/ and tried first next time. `make test` runs the same tests derandomized.
fuzz: $(STAMP)
	@seed=$${SEED:-$$($(PY) -c 'import secrets; print(secrets.randbelow(2**32))')}; \
	  echo "make fuzz: hypothesis seed $$seed, $${FUZZ_EXAMPLES:-2000} examples per test (repeat: make fuzz SEED=$$seed)"; \
	  HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -m hypothesis -p no:cacheprovider tests \
	    --hypothesis-profile=fuzz --hypothesis-seed=$$seed --hypothesis-show-statistics

## make bench: benchmarks on a 60,000-case / 300,000-task workspace (not part of make test)
bench: $(STAMP)
	$(PY) tests/benchmarks/run_benchmarks.py

## make torture: the fault trials of issue 10 (kill -9 at random moments, the app beside the CLI,
## locks, a full disk, read-only media, corrupted pages) and their table; TRIALS=120 SEED=… JOBS=2
TRIALS ?= 120
JOBS   ?= 2
torture: $(STAMP)
	$(PY) -m tests.torture --trials $(TRIALS) --jobs $(JOBS) $(if $(SEED),--seed $(SEED))

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## make package: the app for a borrowed laptop, no Python needed (packaging/recovery-desk.spec):
## dist/recovery-desk/ (start dist/recovery-desk/recovery-desk), its .tar.gz and a .deb
PKG_STAMP := $(VENV)/.package-stamp
$(PKG_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,package]'
	@touch $(PKG_STAMP)

package: $(PKG_STAMP)
	rm -rf dist/recovery-desk build/pyinstaller
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
	  packaging/recovery-desk.spec
	$(PY) packaging/linux_packages.py

## make package-test: build the package, then run the frozen binary as a new user would
package-test: package
	$(PY) packaging/smoke_test.py dist/recovery-desk/recovery-desk

# Debian packages for a real window under Xvfb (screenshots), PDF rendering and the system font.
system-deps-gui:
	@command -v xvfb-run >/dev/null && command -v pdftoppm >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 poppler-utils >/dev/null; }

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
