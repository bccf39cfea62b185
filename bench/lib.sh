# bench/lib.sh -- what kharisma.sh, babynames.sh and seed002.sh share; sourced, not run.
# Timings go to "$WORK/times", one line per measurement: the words of its label, then seconds.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# timed "LABEL" CMD...: runs CMD with its output in $WORK/out-<label with dashes>.txt and appends
# "LABEL seconds" to the times; a failing CMD shows the end of its output and stops the benchmark
timed() {
  local label=$1 t0 t1 out
  shift
  out="$WORK/out-${label// /-}.txt"
  t0=$(date +%s.%N)
  "$@" > "$out" 2>&1 || { tail -20 "$out" >&2; echo "bench: $label failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc)" >> "$WORK/times"
  log "  $label: $(echo "$t1 - $t0" | bc | xargs printf '%.2f') s"
}

# bench_median WORD...: the median seconds of the measurements whose label starts with WORD...
bench_median() {
  awk -v key="$*" 'index($0, key " ") == 1 {print $NF}' "$WORK/times" | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# bench_runs WORD...: every such measurement, "1.23, 4.56"
bench_runs() {
  awk -v key="$*" 'index($0, key " ") == 1 {printf "%s%.2f", sep, $NF; sep = ", "}' "$WORK/times"
}

fmt() { printf '%.2f' "$1"; }

# bench_machine: the machine line of a report, with the load at the end of the run
bench_machine() {
  # shellcheck disable=SC1091
  echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) memory, kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"); shared with other jobs while it ran (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
}
