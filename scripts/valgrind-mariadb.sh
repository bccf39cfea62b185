#!/usr/bin/env bash
# valgrind-mariadb.sh [NAME...] -- ferry's mysqltest suites (tests/mariadb)
# against a mariadbd that runs under valgrind (memcheck), so that every
# call of ferry's UDFs (init, row, deinit) is checked in the real server.
#
# Not part of scripts/test.sh: it takes many minutes.  It runs
# scripts/mariadb-tests.sh with FERRY_MARIADBD_WRAPPER set to valgrind
# (scripts/mariadb-server.sh starts mariadbd under it), then reads
# valgrind's log: an error report with a frame of ferry (in ferry.so, or in one of its source files) is ferry's and
# fails the run (WORK/ferry-errors.txt); the others come from the server
# itself (WORK/errors.txt, counted; tests/faults/valgrind-mariadb.supp
# suppresses the ones it names).  Leaks: memory ferry.so allocated and
# never freed ("definitely lost" with a ferry.so frame) fails the run too.
#
# Prints the suites' lines, the counts, and "valgrind-mariadb: ok" or
# "valgrind-mariadb: FAILED"; leaves WORK (printed) for reading; KEEP=0
# removes it on success.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
command -v valgrind >/dev/null || { echo "valgrind-mariadb: valgrind not found (apt-get install -y valgrind)"; exit 1; }

work=$(mktemp -d /tmp/ferry-valgrind-mariadb.XXXXXX)
mkdir -p "$work/vg"
echo "valgrind-mariadb: working in $work"

# mariadbd runs under valgrind with native AIO off (InnoDB's io_uring set-up
# hangs under valgrind) and a buffer pool that may not grow (by default it
# reserves address space for terabytes, which valgrind cannot map)
cat >"$work/wrapper" <<WRAP
#!/bin/sh
exec valgrind -q --track-origins=yes --read-var-info=no --num-callers=30 \\
    --error-limit=no --leak-check=full --show-leak-kinds=definite \\
    --suppressions="$ROOT/tests/faults/valgrind-mariadb.supp" \\
    --log-file="$work/vg/%p.log" "\$@" --innodb-use-native-aio=0 \\
    --innodb-buffer-pool-size-max=64M
WRAP
chmod 755 "$work/wrapper"
FERRY_MARIADBD_WRAPPER="$work/wrapper"
export FERRY_MARIADBD_WRAPPER
bash scripts/mariadb-tests.sh "$@" 2>&1 | tee "$work/tests.log"
line=$(grep -E '^mariadb: [0-9]+ passed, [0-9]+ failed$' "$work/tests.log" | tail -1)

awk '/^==[0-9]+== [A-Z0-9]/ && !/^==[0-9]+== (HEAP|LEAK|ERROR SUMMARY|Warning|WARNING|For lists|For counts|Use --|All heap|in use|total heap|   )/ { e = 1 }
     e { print } e && /^==[0-9]+== $/ { e = 0; print "" }' "$work"/vg/*.log >"$work/errors.txt"
# ferry's frames: in ferry.so, or (with its debug info) in one of its files
ours_re="ferry\\.so|\\(($(cd "$ROOT" && ls core/*.c pg_extension/*.c mariadb_plugin/*.c |
    sed 's|.*/||; s|[.]c$||' | sort -u | paste -sd'|'))\\.c:[0-9]+\\)"
ours_re=$ours_re awk 'BEGIN { RS = "" } $0 ~ ENVIRON["ours_re"] { print; print "" }' "$work/errors.txt" >"$work/ferry-errors.txt"
all=$(awk 'BEGIN { RS = "" } END { print NR }' "$work/errors.txt")
ours=$(awk 'BEGIN { RS = "" } END { print NR }' "$work/ferry-errors.txt")
echo "valgrind-mariadb: $all error reports, $ours with a frame of ferry"
[ "$ours" -gt 0 ] && cat "$work/ferry-errors.txt"
if [ -n "$line" ] && echo "$line" | grep -q ' 0 failed$' && [ "$ours" -eq 0 ]; then
    echo "valgrind-mariadb: ok"
    [ "${KEEP:-1}" = 0 ] && rm -rf "$work"
    exit 0
fi
echo "valgrind-mariadb: FAILED (logs in $work)"
exit 1
