# rexsweep: one GNU Makefile.  Flags compose in layers (redis style):
# pkg-config libraries, then warnings, then optional sanitizers.
#
#   make            build build/rexsweep
#   make demo       install missing packages, run the quickstart sweep
#   make check      install missing packages, run every test twice
#                   (plain, then under ASan+UBSan)
#   make bench      speed benchmarks (not part of check)
#   make bench-search successive halving against the full grid on the
#                   quickstart setting (not part of check; about an hour
#                   on one core)
#   make bench-scale  every command at about 2k, 20k and 100k runs (not
#                   part of check; half an hour or more)
#   make bench-jobs run -j 2 against -j 1: quickstart and tiny runs (not
#                   part of check; about 5 minutes)
#   make paper      the REX paper replication into results/rex-paper.db (the
#                   committed store; resumes it), then docs/rex-paper.md (about
#                   4.3 CPU-hours from empty; not part of check); make
#                   paper-page regenerates the page from the store alone
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := yaml-0.1 sqlite3 openblas zlib
TESTPKGS := cmocka

# Debian packages needed to build, test and demo (make deps installs them).
DEBS := libyaml-dev libsqlite3-dev libopenblas-dev zlib1g-dev libcmocka-dev \
        pkg-config sqlite3 dataset-fashion-mnist python3

SAN ?= 0
ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      ?= -O1 -g
else
BUILD    ?= build
SANFLAGS :=
OPT      ?= -O2 -g
endif

WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

CPPFLAGS += -D_GNU_SOURCE -Iinclude -MMD -MP
CFLAGS   += -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(PKG_LIBS) -lm -lpthread

LIB_SRC  := $(sort $(wildcard src/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:src/cli/%.c=$(BUILD)/obj/cli/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/librexsweep.a
BIN      := $(BUILD)/rexsweep

.PHONY: all deps demo check check-unit check-cli check-san check-slurm \
        bench bench-scale bench-search bench-jobs install uninstall clean paper paper-page

all: $(BIN)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The optimizer's per-parameter loops vectorize only at -O3 and when sqrtf
# need not set errno; IEEE semantics (NaN, Inf) are unchanged.
$(BUILD)/obj/optim.o $(BUILD)/obj/layers.o: CFLAGS += -O3 -fno-math-errno

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The same program with the test hooks compiled in (RX_TEST_HOOKS: the
# CLI tests' RX_TEST_CRASH_KEY), so that rexsweep itself never reads them.
HOOKS_BIN := $(BUILD)/rexsweep-hooks
$(BUILD)/obj/runner-hooks.o: src/runner.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DRX_TEST_HOOKS $(CFLAGS) -c $< -o $@

$(HOOKS_BIN): $(CLI_OBJ) $(BUILD)/obj/runner-hooks.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c tests/rx_test.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(TEST_CFLAGS) $< $(LIB) $(LDFLAGS) $(TEST_LIBS) $(LDLIBS) -o $@

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(BUILD)/obj/runner-hooks.d

# Installs whatever Debian packages are missing; sudo only when not root.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

check-unit: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; \
	  OPENBLAS_NUM_THREADS=1 $$t || fail=1; \
	done; exit $$fail

# The out-of-memory test's LD_PRELOAD malloc wrapper; not under ASan,
# which must interpose malloc itself (tests/cli/test_oom.sh skips there).
FAILMALLOC := $(if $(filter 1,$(SAN)),,$(BUILD)/tests/failmalloc.so)

$(BUILD)/tests/failmalloc.so: tests/lib/failmalloc.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -g $(WARN) $< -o $@ -ldl

check-cli: $(BIN) $(HOOKS_BIN) $(FAILMALLOC)
	@REXSWEEP=$(abspath $(BIN)) REXSWEEP_HOOKS=$(abspath $(HOOKS_BIN)) FAILMALLOC=$(if $(FAILMALLOC),$(abspath $(FAILMALLOC))) \
	  bash tests/cli/run.sh

check-san:
	$(MAKE) SAN=1 check-unit check-cli

check: deps
	$(MAKE) check-unit check-cli
	$(MAKE) check-san

check-slurm: deps $(BIN)
	REXSWEEP=$(abspath $(BIN)) bash tests/slurm/run.sh

DEMO_DB ?= results/rexsweep.db

demo: deps $(BIN)
	$(BIN) run sweeps/quickstart.yaml -j 2 --db $(DEMO_DB)
	@echo
	@echo '$$ sqlite3 -header -column $(DEMO_DB) < sweeps/quickstart.sql'
	@cat sweeps/quickstart.sql
	@sqlite3 -header -column $(DEMO_DB) < sweeps/quickstart.sql
	@echo
	@echo '$$ rexsweep report --db $(DEMO_DB) --sweep quickstart'
	@$(BIN) report --db $(DEMO_DB) --sweep quickstart

# The REX paper replication (docs/rex-paper.md): sweeps/rex-paper.yaml into
# the committed store results/rex-paper.db (a run resumes it: only runs not
# done yet train; about 4.3 CPU-hours from empty), then the page, README.md's
# summary and the figures.  make paper-page only regenerates them from the
# store; tests/cli/test_paper_page.sh checks they are what it makes.
PAPER_JOBS ?= 2
PAPER_DB   ?= results/rex-paper.db

paper: deps $(BIN)
	@mkdir -p results
	$(BIN) run sweeps/rex-paper.yaml --db $(PAPER_DB) -j $(PAPER_JOBS)
	$(MAKE) paper-page

paper-page: $(BIN)
	REXSWEEP=$(BIN) bash docs/rex-paper.sh -p docs/rex-paper.md -r README.md \
	  -f docs/rex-paper $(PAPER_DB)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

bench: deps $(BIN) $(BUILD)/bench/bench_mlp $(BUILD)/bench/bench_record
	BENCH_BIN=$(BUILD)/bench/bench_mlp bash bench/run.sh
	OPENBLAS_NUM_THREADS=1 $(BUILD)/bench/bench_record sweeps/quickstart.yaml

# plan, run, report, check, export and merge at about 2k, 20k and 100k
# runs: time, peak memory and growth exponents (bench/scale.sh for knobs)
bench-scale: deps $(BIN)
	REXSWEEP=$(abspath $(BIN)) bash bench/scale.sh

# Successive halving of a 9-point lr grid against the full grid at every
# rung budget: the lr each selects per cell, its test error and the work
# (bench/search.sh for the knobs of a reduced run)
bench-search: deps $(BIN)
	REXSWEEP=$(abspath $(BIN)) bash bench/search.sh

# -j 2 against -j 1 on the quickstart sweep and on tiny runs (bench/jobs.sh)
bench-jobs: deps $(BIN)
	REXSWEEP=$(abspath $(BIN)) bash bench/jobs.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/rexsweep
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 src/cli/rexsweep.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/rexsweep

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rexsweep \
	      $(DESTDIR)$(PREFIX)/share/bash-completion/completions/rexsweep
	cd $(DESTDIR)$(PREFIX)/share/man && rm -f \
	   $(patsubst man/%.1,man1/%.1,$(wildcard man/*.1)) $(patsubst man/%.5,man5/%.5,$(wildcard man/*.5)) \
	   $(patsubst man/%.7,man7/%.7,$(wildcard man/*.7))

clean:
	rm -rf build build-san
