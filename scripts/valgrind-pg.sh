#!/usr/bin/env bash
# valgrind-pg.sh [TEST...] -- ferry's pg_regress suite against a PostgreSQL
# 15 server whose every process runs under valgrind (memcheck).
#
# Not part of scripts/test.sh: it takes many minutes.  It builds and stages
# the extension, starts a throwaway cluster (scripts/pg-server.sh) whose
# postmaster is started as `valgrind --trace-children=yes postgres ...`, so
# every backend is checked, runs `make installcheck` (or the TESTs named),
# stops the cluster, and then reads valgrind's logs (one per process):
#
#   - every error report goes to WORK/errors.txt;
#   - an error with a frame of ferry (in ferry.so, or at a line of one of
#     its source files, as valgrind names frames it has debug info for)
#     is ferry's: they go to
#     WORK/ferry-errors.txt and fail the run;
#   - the rest come from the server itself (Debian's PostgreSQL is not built
#     with USE_VALGRIND, so memcheck cannot see its memory contexts and
#     reports uninitialised padding that it writes to files and sockets):
#     counted, and suppressed where tests/faults/valgrind-pg.supp names them.
#
# Prints the pg_regress summary, the counts, and "valgrind-pg: ok" or
# "valgrind-pg: FAILED"; exits non-zero on a failed test or a ferry error.
# Leaves WORK (printed) for reading; KEEP=0 removes it.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
REALBIN=$("$PG_CONFIG" --bindir)
command -v valgrind >/dev/null || { echo "valgrind-pg: valgrind not found (apt-get install -y valgrind)"; exit 1; }

work=$(mktemp -d /tmp/ferry-valgrind-pg.XXXXXX)
chmod 755 "$work"
echo "valgrind-pg: working in $work"
stage="$work/stage"
make -s PG_CONFIG="$PG_CONFIG" >/dev/null &&
    make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$stage" >/dev/null || exit 1
chmod -R a+rX "$stage"

# A bin directory where postgres is valgrind running the real postgres.
# pg_ctl is a copy, not a link: it looks for postgres beside its own
# resolved path.  initdb runs without valgrind (the cluster is made first).
bin="$work/bin"
mkdir -p "$bin" "$work/vg"
chmod 777 "$work/vg"
cp "$REALBIN/pg_ctl" "$bin/pg_ctl"
cat >"$bin/postgres" <<EOF
#!/bin/sh
exec valgrind -q --trace-children=yes --track-origins=yes --read-var-info=no \\
    --leak-check=no --num-callers=30 --error-limit=no \\
    --suppressions="$ROOT/tests/faults/valgrind-pg.supp" \\
    --log-file="$work/vg/%p.log" "$REALBIN/postgres" "\$@"
EOF
chmod 755 "$bin/postgres"

bash scripts/pg-server.sh start "$work/pg" "$stage" >/dev/null || exit 1
bash scripts/pg-server.sh stop "$work/pg"
rm -f "$work"/vg/*.log
eval "$(PGBIN="$bin" bash scripts/pg-server.sh restart "$work/pg" 2>/dev/null)" || {
    echo "valgrind-pg: the server did not start under valgrind"; tail -20 "$work/pg/log"; exit 1; }

if [ $# -gt 0 ]; then
    make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS="$*" >"$work/regress.log" 2>&1
else
    make -s PG_CONFIG="$PG_CONFIG" installcheck >"$work/regress.log" 2>&1
fi
regress=$?
cp -f regression.diffs "$work/" 2>/dev/null
rm -rf results regression.diffs regression.out
PGBIN="$bin" bash scripts/pg-server.sh stop "$work/pg"

grep -E '^(test| )? *[a-z_0-9]+ +\.\.\. |tests (passed|failed)' "$work/regress.log"

# One error report: from its "==PID== <kind>" line to the blank "==PID=="
# line after its stack.
awk '/^==[0-9]+== [A-Z]/ && !/^==[0-9]+== (HEAP|LEAK|ERROR SUMMARY|Warning|WARNING)/ { e = 1 }
     e { print } e && /^==[0-9]+== $/ { e = 0; print "" }' "$work"/vg/*.log >"$work/errors.txt"
# ferry's frames: in ferry.so, or (with its debug info) in one of its files
ours_re="ferry\\.so|\\(($(cd "$ROOT" && ls core/*.c pg_extension/*.c mariadb_plugin/*.c |
    sed 's|.*/||; s|[.]c$||' | sort -u | paste -sd'|'))\\.c:[0-9]+\\)"
ours_re=$ours_re awk 'BEGIN { RS = "" } $0 ~ ENVIRON["ours_re"] { print; print "" }' "$work/errors.txt" >"$work/ferry-errors.txt"
all=$(awk 'BEGIN { RS = "" } END { print NR }' "$work/errors.txt")
ours=$(awk 'BEGIN { RS = "" } END { print NR }' "$work/ferry-errors.txt")
echo "valgrind-pg: $(ls "$work"/vg/*.log | wc -l) processes checked, $all error reports, $ours with a frame of ferry"
[ "$ours" -gt 0 ] && cat "$work/ferry-errors.txt"
if [ "$regress" -eq 0 ] && [ "$ours" -eq 0 ]; then
    echo "valgrind-pg: ok"
    [ "${KEEP:-1}" = 0 ] && rm -rf "$work"
    exit 0
fi
echo "valgrind-pg: FAILED (logs in $work)"
exit 1
