#!/usr/bin/env bash
# Receiver load test: a real `netcon receive` (storing to a temp data dir) loaded by `netcon blast` from
# 1, 100 and 10,000 simulated hosts over loopback; prints, per run, what blast sent, the records the
# receiver delivered (= written to its store), records/s from blast's start until the last one was stored,
# socket overflows and queue-full drops, the receiver's CPU time; then the heap per idle source; then the raw
# loopback limit (RawUdpBaseline's bare batched sender against bare receivers) and blast against the same
# receivers, right after each round's receiver runs (ROUNDS interleaved rounds), for the ratios. Every receiver is warmed up first (WARMUP records from the same
# number of hosts, not counted): a service runs for days, and the first seconds of a JVM are the JIT's.
#
#   benchmarks/receiver-load.sh                    # 1,000,000 records of 100 bytes per run
#   RECORDS=200000 SIZE=100 benchmarks/receiver-load.sh
#   HOSTS="1 100" RATE=110000 benchmarks/receiver-load.sh   # blast paced at 110,000 records/s in total
#   RAW=0 HEAP=0 benchmarks/receiver-load.sh       # without the raw baseline and the heap per idle source
#   HOSTS=100 ROUNDS=3 HEAP=0 benchmarks/receiver-load.sh   # three rounds, each: receiver runs, then raw runs
#   RECEIVER_JAVA_OPTS=-Xmx256m RECEIVER_ARGS="--workers 1" benchmarks/receiver-load.sh   # receiver's JVM options, flags
#
# Loopback only (127.0.0.1). Bounded: each run stops after its records or 120 s. Run it on a quiet machine:
# the socket-overflow counter is the whole network namespace's.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
netcon="$here/netcon"
RECORDS="${RECORDS:-1000000}"
SIZE="${SIZE:-100}"
HOSTS="${HOSTS:-1 100 10000}"
UDP_PORT="${UDP_PORT:-26666}"
HTTP_PORT="${HTTP_PORT:-29666}"
IDLE_SOURCES="${IDLE_SOURCES:-10000}"
WARMUP="${WARMUP:-300000}"
RATE="${RATE:-0}"
RAW="${RAW:-1}"
ROUNDS="${ROUNDS:-1}"
HEAP="${HEAP:-1}"

data="$(mktemp -d /tmp/netcon-load.XXXXXX)"
rx_pid=""
cleanup() {
  [ -n "$rx_pid" ] && kill "$rx_pid" 2>/dev/null && wait "$rx_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

json_number() { # json_number KEY JSON: the first numeric value of "KEY"
  printf '%s' "$2" | grep -o "\"$1\":[0-9.]*" | head -n 1 | cut -d: -f2
}

stats() { curl -fsS "http://127.0.0.1:$HTTP_PORT/stats"; }

start_receiver() {
  rm -rf "$data"/*
  NETCON_JAVA_OPTS="${RECEIVER_JAVA_OPTS:-}" "$netcon" receive --listen "127.0.0.1:$UDP_PORT" --http "127.0.0.1:$HTTP_PORT" --data-dir "$data" \
    --max-sources 50000 ${RECEIVER_ARGS:-} >"$data.receiver.log" 2>&1 &
  rx_pid=$!
  for _ in $(seq 1 100); do
    stats >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "receiver did not start:" >&2; cat "$data.receiver.log" >&2; exit 1
}

stop_receiver() {
  kill "$rx_pid"; wait "$rx_pid" 2>/dev/null || true; rx_pid=""
}

cpu_seconds() { # user+system CPU seconds of a process
  awk '{ printf "%.2f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"
}

totals_number() { # totals_number KEY JSON: KEY of the "totals" object
  printf '%s' "$2" | grep -o '"totals":{[^}]*' | grep -o "\"$1\":[0-9]*" | cut -d: -f2
}

# Sends WARMUP records from $1 hosts and waits until the receiver has accounted for them.
warm_up() {
  local per_host=$(( WARMUP / $1 )); [ "$per_host" -ge 2 ] || per_host=2
  "$netcon" blast --target "127.0.0.1:$UDP_PORT" --hosts "$1" --records "$per_host" --size "$SIZE" \
    --hostname-prefix warm >/dev/null
  local s
  for _ in $(seq 1 300); do
    s="$(stats)"
    [ $(( $(totals_number delivered "$s") + $(totals_number missing "$s") )) -ge $(( per_host * $1 )) ] && return 0
    sleep 0.1
  done
}

echo "# netcon receiver load: $RECORDS records of $SIZE bytes per run (rate ${RATE}/s, 0: as fast as blast can)," \
  "after $WARMUP warm-up records; $(nproc) CPUs; $(uname -r)"
"$netcon" --version >/dev/null # build first, outside the measurement
for round in $(seq 1 "$ROUNDS"); do
  echo "# round $round"
  printf '%-7s %10s %10s %10s %12s %10s %10s %8s\n' hosts sent delivered missing "records/s" overflows queuefull cpu_s
  for hosts in $HOSTS; do
    start_receiver
    warm_up "$hosts"
    before="$(stats)"
    overflows0="$(json_number socketOverflows "$before")"
    delivered0="$(totals_number delivered "$before")"
    missing0="$(totals_number missing "$before")"
    cpu0="$(cpu_seconds "$rx_pid")"
    per_host=$(( RECORDS / hosts ))
    [ "$per_host" -ge 2 ] || per_host=2
    start_ns=$(date +%s%N)
    summary="$("$netcon" blast --target "127.0.0.1:$UDP_PORT" --hosts "$hosts" --records "$per_host" --size "$SIZE" \
      --rate "$RATE" --hostname-prefix load --json)"
    sent="$(printf '%s' "$summary" | grep -o '"totals":{[^}]*}' | grep -o '"sent":[0-9]*' | cut -d: -f2)"
    # Wait until every record is accounted for (delivered, or missing after the gap timeout), at most 120 s.
    last_delivered=-1; stable=0; end_ns=$start_ns
    for _ in $(seq 1 1200); do
      s="$(stats)"
      delivered=$(( $(totals_number delivered "$s") - delivered0 ))
      missing=$(( $(totals_number missing "$s") - missing0 ))
      if [ "$delivered" != "$last_delivered" ]; then
        last_delivered=$delivered; end_ns=$(date +%s%N); stable=0
      else
        stable=$((stable + 1))
      fi
      [ $((delivered + missing)) -ge "$sent" ] && [ "$stable" -ge 2 ] && break
      [ "$stable" -ge 30 ] && break # 3 s without progress: what was lost stays lost
      sleep 0.1
    done
    after="$(stats)"
    overflows=$(( $(json_number socketOverflows "$after") - overflows0 ))
    queue_full="$(json_number queueFull "$after")"
    cpu=$(awk "BEGIN { printf \"%.1f\", $(cpu_seconds "$rx_pid") - $cpu0 }")
    rate=$(awk "BEGIN { printf \"%.0f\", $delivered / (($end_ns - $start_ns) / 1e9) }")
    printf '%-7s %10s %10s %10s %12s %10s %10s %8s\n' "$hosts" "$sent" "$delivered" "$missing" "$rate" "$overflows" \
      "${queue_full:-0}" "$cpu"
    stop_receiver
  done
  if [ "$RAW" = 1 ]; then
    echo "# round $round: the raw loopback limit (bare batched sender -> bare receivers), and blast against them"
    java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Dnetcon.jar="$here/cli/target/netcon.jar" \
      -cp "$here/benchmarks/target/benchmarks.jar" dev.netcon.bench.raw.RawUdpBaseline --seconds 3 --rounds 1 --only blast \
      | sed -n '/^sender/,/^$/p'
  fi
done

if [ "$HEAP" = 1 ]; then
# Heap per idle source: heap after a full GC with IDLE_SOURCES sources that sent two records each and then
# went quiet (past the store's 10 s idle release, docs/storage.md), minus the heap with none, divided by
# IDLE_SOURCES; and the same while they are still "busy" (3 s after).
start_receiver
heap_used() {
  jcmd "$rx_pid" GC.run >/dev/null
  sleep 1
  jcmd "$rx_pid" GC.heap_info | awk '/garbage-first heap|def new generation|PSYoungGen/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); print v * 1024; exit } }'
}
base=$(heap_used)
"$netcon" blast --target "127.0.0.1:$UDP_PORT" --hosts "$IDLE_SOURCES" --records 2 --size "$SIZE" --hostname-prefix idle >/dev/null
sleep 3
recent=$(heap_used)
sleep 10
loaded=$(heap_used)
sources="$(stats | grep -o '"source":' | wc -l)"
echo "heap per source 3 s after its last record: $(( (recent - base) / IDLE_SOURCES )) bytes"
echo "heap per idle source: $(( (loaded - base) / IDLE_SOURCES )) bytes ($sources sources; heap used $base -> $loaded bytes after full GC)"
stop_receiver
fi

