#!/usr/bin/env bash
# pg-run.sh STAGE COMMAND [ARG...]
#
# Runs COMMAND with PGHOST/PGPORT/PGUSER/PGDATABASE pointing at a fresh
# throwaway PostgreSQL cluster (scripts/pg-server.sh) whose server finds the
# ferry build staged in STAGE, then stops the cluster and removes it,
# whatever COMMAND did.  Exits with COMMAND's status.  Unlike pg_virtualenv,
# several can run at once: each cluster has its own socket directory.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 STAGE COMMAND [ARG...]" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
stage=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-pg.XXXXXX")
trap 'bash "$here/pg-server.sh" stop "$dir"; rm -rf "$dir"' EXIT
env=$(bash "$here/pg-server.sh" start "$dir" "$stage") || exit 1
eval "$env"
"$@"
