# ferry -- PostgreSQL extension (PGXS) plus targets for the engine-neutral
# core's unit tests and the MariaDB plugin.
#
#   make && make install        the PostgreSQL extension
#   make installcheck           pg_regress against a running server
#   make installcheck-security  the security suite (tests/security/pg) likewise
#   make unit                   core unit tests (cmocka)
#   make mariadb                mariadb_plugin/ferry.so
#   make test                   everything, on throwaway servers (scripts/test.sh)
#   make dist                   ferry-<version>.zip (PGXN) and .tar.gz: git archive of HEAD
#
# PG_CONFIG=/path/to/pg_config picks the PostgreSQL to build and install for.

EXTENSION = ferry ferry_tap
MODULE_big = ferry
CORE_SRCS = $(sort $(wildcard core/*.c))
PG_SRCS = $(sort $(wildcard pg_extension/*.c))
OBJS = $(CORE_SRCS:.c=.o) $(PG_SRCS:.c=.o)
DATA = $(wildcard pg_extension/ferry--*.sql pg_extension/ferry_tap--*.sql)
PG_CPPFLAGS = -Icore
SHLIB_LINK = -lcjson
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=plpgsql
EXTRA_CLEAN = build ferry-*.zip ferry-*.tar.gz

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: every object depends on the headers.
$(OBJS): core/ferry.h core/plan.h pg_extension/ferry.h

UNIT_CFLAGS = -std=gnu99 -O1 -g -Wall -Wextra -Werror -Icore
UNIT_TESTS = $(patsubst tests/unit/%.c,build/unit/%,$(sort $(wildcard tests/unit/test_*.c)))

build/unit/%: tests/unit/%.c $(CORE_SRCS) core/ferry.h core/plan.h
	@mkdir -p build/unit
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(CORE_SRCS) -lcmocka -lcjson -lm

# make dist: ferry-<version>.zip (the archive PGXN takes) and .tar.gz of
# the committed tree (git archive of HEAD); the version is META.json's.
DIST_VERSION = $(shell sed -n 's/^   "version": "\([^"]*\)",$$/\1/p' META.json)
dist:
	git archive --format=zip --prefix=ferry-$(DIST_VERSION)/ -o ferry-$(DIST_VERSION).zip HEAD
	git archive --format=tar.gz --prefix=ferry-$(DIST_VERSION)/ -o ferry-$(DIST_VERSION).tar.gz HEAD

.PHONY: unit unit-build unit-sanitized unit-sanitized-build mariadb test demo dist
unit-build: $(UNIT_TESTS)

unit: unit-build
	@set -e; for t in $(UNIT_TESTS); do ./$$t; done

# the same tests built with AddressSanitizer and UndefinedBehaviorSanitizer:
# any report aborts the suite that made it
SANITIZED_TESTS = $(patsubst build/unit/%,build/unit-sanitized/%,$(UNIT_TESTS))
build/unit-sanitized/%: tests/unit/%.c $(CORE_SRCS) core/ferry.h core/plan.h
	@mkdir -p build/unit-sanitized
	$(CC) $(UNIT_CFLAGS) -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -o $@ $< $(CORE_SRCS) -lcmocka -lcjson -lm

unit-sanitized-build: $(SANITIZED_TESTS)

unit-sanitized: unit-sanitized-build
	@set -e; for t in $(SANITIZED_TESTS); do ./$$t; done

mariadb:
	$(MAKE) -C mariadb_plugin

test:
	bash scripts/test.sh

# the PostgreSQL half of the security suite: pg_regress on tests/security/pg
# (sql/, expected/; results/ and regression.diffs land there too).  The
# later --inputdir and --outputdir win over those pg_regress_installcheck has.
SECURITY_REGRESS = $(patsubst tests/security/pg/sql/%.sql,%,$(sort $(wildcard tests/security/pg/sql/*.sql)))
.PHONY: installcheck-security
installcheck-security:
	$(pg_regress_installcheck) $(REGRESS_OPTS) --inputdir=tests/security/pg --outputdir=tests/security/pg $(SECURITY_REGRESS)

demo:
	bash scripts/demo.sh

# ---------------------------------------------------------------- fuzzing
#
#   make fuzz FUZZ_SECONDS=60   builds every tests/fuzz/fuzz_<name>.c with
#                               libFuzzer, ASan and UBSan against all of the
#                               core, and runs each for FUZZ_SECONDS on a
#                               copy of tests/fuzz/corpus/<name>/ (with
#                               tests/fuzz/<name>.dict when present); a
#                               crashing input is kept as build/fuzz/crash-*

FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_CFLAGS = -std=gnu99 -O1 -g -Wall -Wextra -Werror -Icore \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

build/fuzz/%: tests/fuzz/%.c $(CORE_SRCS) core/ferry.h core/plan.h
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRCS) -lcjson -lm

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		name=$${t#build/fuzz/fuzz_}; \
		work=$$(mktemp -d); \
		if [ -d tests/fuzz/corpus/$$name ]; then cp -R tests/fuzz/corpus/$$name/. $$work/; fi; \
		dict=; if [ -f tests/fuzz/$$name.dict ]; then dict=-dict=tests/fuzz/$$name.dict; fi; \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/fuzz/ $$dict $$work \
			|| { rm -rf $$work; exit 1; }; \
		rm -rf $$work; \
	done
