#!/usr/bin/env bash
# Failover benchmark: load on the example proxy in front of a pool of three backends while one of them
# is killed (kill -9) and restarted. Reports client errors (required: zero, every GET could be answered
# by a live backend), the time to eject the dead backend and to take it back, and the latency before,
# during and after the fault. Everything listens on 127.0.0.1 and is stopped by process id on exit.
# See bench/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
readonly JAR="$REPO_DIR/examples/target/cacheproxy-example.jar"

BASE_PORT=25100
SECONDS_TOTAL=40
KILL_AT=10
RESTART_AT=20
CLIENTS=16
HEALTH=true
KEEP=false

usage() {
    cat <<'USAGE'
usage: bench/failover.sh [options]

Starts three backends (java bench/FailoverBackend.java) and the example proxy with --origin given
three times, puts CLIENTS threads of uncacheable GETs on the proxy (java bench/FailoverLoad.java),
kills one backend with kill -9 at KILL_AT seconds and restarts it at RESTART_AT seconds.

  --base-port N     the proxy listens on N, the backends on N+1..N+3 (default 25100)
  --seconds N       how long the load runs (default 40)
  --kill-at N       when the backend is killed, in seconds from the start of the load (default 10)
  --restart-at N    when it is started again (default 20)
  --clients N       concurrent client threads (default 16)
  --no-health       passive ejection only (default: also --health-path /health, every 5 s)
  --keep            keep the temporary directory (logs) instead of deleting it
  --help            show this and exit

Builds examples/target/cacheproxy-example.jar when missing.
USAGE
}

die() {
    echo "failover.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --base-port) BASE_PORT="$2"; shift 2 ;;
        --seconds) SECONDS_TOTAL="$2"; shift 2 ;;
        --kill-at) KILL_AT="$2"; shift 2 ;;
        --restart-at) RESTART_AT="$2"; shift 2 ;;
        --clients) CLIENTS="$2"; shift 2 ;;
        --no-health) HEALTH=false; shift ;;
        --keep) KEEP=true; shift ;;
        --help|-h) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
done
[ "$KILL_AT" -lt "$RESTART_AT" ] && [ "$RESTART_AT" -lt "$SECONDS_TOTAL" ] || die "need --kill-at < --restart-at < --seconds"

WORK="$(mktemp -d -t cacheproxy-failover.XXXXXX)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
    if [ "$KEEP" = true ]; then
        echo "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

wait_for_port() {
    local port="$1" tries=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -lt 300 ] || die "nothing listens on port $port after 30 s"
        sleep 0.1
    done
}

if [ ! -f "$JAR" ]; then
    (cd "$REPO_DIR" && mvn -B -q -o -DskipTests package) || die "could not build $JAR"
fi

PROXY_PORT="$BASE_PORT"
B1=$((BASE_PORT + 1)); B2=$((BASE_PORT + 2)); B3=$((BASE_PORT + 3))
TOKEN="failover-benchmark-token-$RANDOM$RANDOM"

start_backend() {
    local port="$1" name="$2"
    java -XX:TieredStopAtLevel=1 -Xmx64m "$SCRIPT_DIR/FailoverBackend.java" "$port" "$name" >>"$WORK/backend-$name.log" 2>&1 &
    echo $!
}

PID1=$(start_backend "$B1" one); PIDS+=("$PID1")
PID2=$(start_backend "$B2" two); PIDS+=("$PID2")
PID3=$(start_backend "$B3" three); PIDS+=("$PID3")
for port in "$B1" "$B2" "$B3"; do wait_for_port "$port"; done

HEALTH_FLAGS=()
[ "$HEALTH" = true ] && HEALTH_FLAGS=(--health-path /health)
java -Xmx256m -jar "$JAR" --port "$PROXY_PORT" --offheap-size 16MiB --max-object-size 1MiB \
    --origin "http://127.0.0.1:$B1" --origin "http://127.0.0.1:$B2" --origin "http://127.0.0.1:$B3" \
    "${HEALTH_FLAGS[@]}" --admin-token "$TOKEN" >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!; PIDS+=("$PROXY_PID")
wait_for_port "$PROXY_PORT"
curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/warm" || die "the proxy does not answer; see $WORK/proxy.log"

echo "cacheproxy failover benchmark: $CLIENTS clients for $SECONDS_TOTAL s; backend two (port $B2) killed at $KILL_AT s, restarted at $RESTART_AT s"
echo "  health checks: $HEALTH; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
EVENTS="$WORK/events"
: >"$EVENTS"
java -Xmx256m "$SCRIPT_DIR/FailoverLoad.java" "http://127.0.0.1:$PROXY_PORT" "$SECONDS_TOTAL" "$CLIENTS" "$TOKEN" \
    "http://127.0.0.1:$B2" "$EVENTS" >"$WORK/load.out" 2>&1 &
LOAD_PID=$!; PIDS+=("$LOAD_PID")
# The load program takes a moment to compile and start: time the fault from its first answer.
tries=0
until grep -q '^load started' "$WORK/load.out" 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 600 ] || die "the load did not start; see $WORK/load.out"
    sleep 0.1
done
sleep "$KILL_AT"
kill -9 "$PID2"
echo "kill $(date +%s%3N)" >>"$EVENTS"
sleep $((RESTART_AT - KILL_AT))
PID2=$(start_backend "$B2" two); PIDS+=("$PID2")
wait_for_port "$B2"
echo "restart $(date +%s%3N)" >>"$EVENTS"
wait "$LOAD_PID" || true
grep -v '^load started' "$WORK/load.out"
echo "state changes the proxy logged:"
grep -E 'ejected|back in the pool|down after|up after|panic' "$WORK/proxy.log" | sed 's/^/  /' || echo "  (none)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
