#!/usr/bin/env bash
# test.sh -- ferry's test command: installs what is missing, builds, runs
# the core unit tests, pg_regress on a throwaway PostgreSQL cluster and the
# mysqltest suites on a throwaway MariaDB server, then prints one closing
# line "N passed, N failed" summed over all suites.  Non-zero exit on any
# failure.  Every server it starts is stopped by PID, also on failure.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
PASSED=0
FAILED=0
WORK=$(mktemp -d /tmp/ferry-test.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

count() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }
section() { printf '\n=== %s\n' "$1"; }

section "dependencies"
if ! bash scripts/deps.sh; then
  echo "0 passed, 1 failed"
  exit 1
fi
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

# unit_suites TARGET DIR: build the suites with make TARGET, run each from
# DIR, count its tests (a suite that dies, e.g. on a sanitizer report, fails)
unit_suites() {
  if make -s "$1" >/dev/null 2>"$WORK/unit-build.log"; then
    for t in "$2"/test_*; do
      out=$("./$t" 2>&1)
      rc=$?
      echo "$out" | grep -E '^\[ +(OK|ERROR|FAILED) +\] [a-z]|ERROR: (Address|Undefined)|runtime error' || true
      total=$(echo "$out" | sed -n 's/^\[=*\] \([0-9]*\) test(s) run\./\1/p' | tail -1)
      total=${total:-0}
      if [ "$rc" -gt 0 ] && [ "$total" -eq 0 ]; then total=1; fi
      [ "$rc" -gt "$total" ] && rc=$total
      count $((total - rc)) "$rc"
    done
  else
    cat "$WORK/unit-build.log"
    echo "FAILED: building the unit tests ($1)"
    count 0 1
  fi
}

section "core unit tests (cmocka)"
unit_suites unit-build build/unit

section "core unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
unit_suites unit-sanitized-build build/unit-sanitized

section "fuzzing: every libFuzzer target (tests/fuzz) for ${FUZZ_SECONDS:-30} s, side by side"
# each target runs on a copy of its corpus; a crash, a sanitizer report or
# a broken property fails it and leaves its input in build/fuzz/
if make -s fuzz-build >/dev/null 2>"$WORK/fuzz-build.log"; then
  pids=()
  for t in build/fuzz/fuzz_*; do
    name=${t#build/fuzz/fuzz_}
    mkdir -p "$WORK/fuzz-$name"
    [ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$WORK/fuzz-$name/"
    dict=; [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
    ( nice "./$t" -max_total_time="${FUZZ_SECONDS:-30}" -artifact_prefix=build/fuzz/ $dict \
        "$WORK/fuzz-$name" >"$WORK/fuzz-$name.log" 2>&1; echo $? >"$WORK/fuzz-$name.rc" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  for t in build/fuzz/fuzz_*; do
    name=${t#build/fuzz/fuzz_}
    runs=$(grep -a '^Done [0-9]* runs' "$WORK/fuzz-$name.log" | sed 's/Done \([0-9]*\) runs.*/\1/')
    if [ "$(cat "$WORK/fuzz-$name.rc")" = 0 ] && [ -n "$runs" ]; then
      echo "ok fuzz_$name ($runs inputs)"
      count 1 0
    else
      grep -a -A30 -E '^==[0-9]+==|deadly signal|runtime error|fuzz_plan:' "$WORK/fuzz-$name.log" | head -40
      echo "FAILED fuzz_$name"
      count 0 1
    fi
  done
else
  cat "$WORK/fuzz-build.log"
  echo "FAILED: building the fuzz targets (clang)"
  count 0 1
fi

section "PostgreSQL: pg_regress on a throwaway cluster"
STAGE="$WORK/stage"
if make -s PG_CONFIG="$PG_CONFIG" >/dev/null 2>"$WORK/pg-build.log" &&
   make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$STAGE" >/dev/null 2>>"$WORK/pg-build.log"; then
  chmod -R a+rX "$STAGE"
  rm -rf results regression.diffs regression.out
  rm -rf tests/security/pg/results tests/security/pg/regression.diffs tests/security/pg/regression.out
  # the main suite, then the security suite (tests/security/pg)
  bash scripts/pg-run.sh "$STAGE" \
    sh -c "make -s PG_CONFIG='$PG_CONFIG' installcheck; make -s PG_CONFIG='$PG_CONFIG' installcheck-security" \
    >"$WORK/pg.log" 2>&1
  grep -E '^(test| )? *[a-z_0-9]+ +\.\.\. ' "$WORK/pg.log" || true
  ok=$(grep -cE '\.\.\. ok' "$WORK/pg.log")
  bad=$(grep -cE '\.\.\. FAILED' "$WORK/pg.log")
  if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
    tail -20 "$WORK/pg.log"
    bad=1
  fi
  if [ "$bad" -gt 0 ]; then
    for f in regression.diffs tests/security/pg/regression.diffs; do
      [ -f "$f" ] && cat "$f"
    done
  fi
  count "$ok" "$bad"

  section "PostgreSQL: the seed scenarios as plain SQL files (tests/scenarios, tests/cross)"
  # cross-seed002.sh: seed 002 read from a throwaway MariaDB through mysql_fdw
  # cross-accounting.sh: the same migrations on both engines, figures compared
  bash scripts/pg-run.sh "$STAGE" \
    sh -c 'bash scripts/pg-scenarios.sh; bash scripts/cross-seed002.sh --inside; bash scripts/cross-accounting.sh --inside' >"$WORK/scen.log" 2>&1
  cat "$WORK/scen.log" | grep -vE '^(Creating|Dropping) '
  ok=$(grep -c '^ok ' "$WORK/scen.log")
  bad=$(grep -c '^FAILED ' "$WORK/scen.log")
  [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && bad=1
  count "$ok" "$bad"
else
  cat "$WORK/pg-build.log"
  echo "FAILED: building the PostgreSQL extension"
  count 0 1
fi

section "MariaDB: mysqltest on a throwaway server"
bash scripts/mariadb-tests.sh 2>&1 | tee "$WORK/mariadb.log"
line=$(grep -E '^mariadb: [0-9]+ passed, [0-9]+ failed$' "$WORK/mariadb.log" | tail -1)
if [ -n "$line" ]; then
  ok=$(echo "$line" | sed 's/mariadb: \([0-9]*\) passed.*/\1/')
  bad=$(echo "$line" | sed 's/.* \([0-9]*\) failed/\1/')
  count "$ok" "$bad"
else
  echo "FAILED: the MariaDB suite did not finish"
  count 0 1
fi

section "MariaDB: the seed scenarios as plain SQL files (tests/scenarios_mariadb)"
bash scripts/mariadb-scenarios.sh >"$WORK/mscen.log" 2>&1
cat "$WORK/mscen.log"
ok=$(grep -c '^ok ' "$WORK/mscen.log")
bad=$(grep -c '^FAILED ' "$WORK/mscen.log")
[ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && bad=1
count "$ok" "$bad"

section "examples: Sqitch, Flyway-style files, pgTAP, pg_dump, MariaDB install/uninstall (scripts/examples.sh)"
bash scripts/examples.sh >"$WORK/examples.log" 2>&1
ok=$(grep -c '^ok ' "$WORK/examples.log")
bad=$(grep -c '^FAILED ' "$WORK/examples.log")
if [ "$bad" -gt 0 ]; then cat "$WORK/examples.log"; else grep -E '^(ok|FAILED) ' "$WORK/examples.log"; fi
[ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && { tail -20 "$WORK/examples.log"; bad=1; }
count "$ok" "$bad"

section "faults: kill -9 and concurrent runs on both engines (tests/faults)"
# the stage of the PostgreSQL section, if it built; faults.sh builds otherwise
stage=""
[ -d "$WORK/stage" ] && stage="$WORK/stage"
STAGE="$stage" bash scripts/faults.sh >"$WORK/faults.log" 2>&1
cat "$WORK/faults.log"
ok=$(grep -c '^ok ' "$WORK/faults.log")
bad=$(grep -c '^FAILED ' "$WORK/faults.log")
[ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && bad=1
count "$ok" "$bad"

section "end to end: the demo on both engines"
if bash scripts/demo.sh >"$WORK/demo.log" 2>&1; then
  grep -E '^(PASS|ok|==)' "$WORK/demo.log" | tail -20
  echo "ok demo"
  count 1 0
else
  tail -40 "$WORK/demo.log"
  echo "FAILED demo"
  count 0 1
fi

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
