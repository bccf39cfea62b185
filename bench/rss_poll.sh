#!/usr/bin/env bash
# rss_poll.sh start PID FILE | stop PID FILE -- samples a backend's RssAnon (its private
# memory) every 50 ms from /proc/PID/status while it runs; "stop" prints the peak in kB.
# Started from psql (a backtick command) by bench/sql/hand_migrate.sql, ferry_migrate.sql and
# ferry_batched.sql.
pid=$2 file=$3
case $1 in
  start)
    rm -f "$file" "$file.stop"
    (
      max=0
      while [ ! -e "$file.stop" ] && [ -r "/proc/$pid/status" ]; do
        while read -r k v _; do
          if [ "$k" = "RssAnon:" ]; then [ "$v" -gt "$max" ] && max=$v; break; fi
        done < "/proc/$pid/status"
        sleep 0.05
      done
      echo "$max" > "$file.tmp" && mv "$file.tmp" "$file"
    ) >/dev/null 2>&1 </dev/null &
    ;;
  stop)
    touch "$file.stop"
    for _ in $(seq 100); do [ -s "$file" ] && break; sleep 0.05; done
    cat "$file" 2>/dev/null
    rm -f "$file" "$file.stop"
    ;;
esac
