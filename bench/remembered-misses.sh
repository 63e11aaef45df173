#!/usr/bin/env bash
# Remembered misses (hit-for-miss): 32 concurrent clients on a URL whose responses are `private`, from an
# origin that takes 200 ms, through the example proxy with remembered misses off (--remember-misses 0:
# each request waits behind the one before it, request collapsing queues them) and on (the default:
# after the first response, every request goes to the origin at once). Prints p50/p90/p99 for each.
# Everything listens on 127.0.0.1 and is stopped by process id on exit. See bench/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
readonly JAR="$REPO_DIR/examples/target/cacheproxy-example.jar"

CLIENTS=32
ROUNDS=20
DELAY_MS=200
ORIGIN_PORT=0
PROXY_PORT=0

usage() {
    cat <<'USAGE'
usage: bench/remembered-misses.sh [--clients N] [--rounds N] [--delay-ms N] [--origin-port P] [--proxy-port P]

N concurrent clients (default 32) each send ROUNDS GETs (default 20), all at the same moment each round,
for one URL whose origin answers `Cache-Control: private` after DELAY_MS (default 200). Measured once
through the example proxy with --remember-misses 0 (before) and once with the default (after).
Ports default to free ones. Builds examples/target/cacheproxy-example.jar when missing.
USAGE
}

die() {
    echo "remembered-misses.sh: $*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --clients) CLIENTS="${2:?--clients needs a value}"; shift ;;
        --rounds) ROUNDS="${2:?--rounds needs a value}"; shift ;;
        --delay-ms) DELAY_MS="${2:?--delay-ms needs a value}"; shift ;;
        --origin-port) ORIGIN_PORT="${2:?--origin-port needs a value}"; shift ;;
        --proxy-port) PROXY_PORT="${2:?--proxy-port needs a value}"; shift ;;
        --help | -h) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
for value in "$CLIENTS" "$ROUNDS" "$DELAY_MS" "$ORIGIN_PORT" "$PROXY_PORT"; do
    [[ "$value" =~ ^[0-9]+$ ]] || die "options take whole numbers, not '$value'"
done

if [[ ! -f "$JAR" ]]; then
    echo "remembered-misses.sh: building $JAR (mvn -B -q package -DskipTests)"
    (cd "$REPO_DIR" && mvn -B -q package -DskipTests) || die "the build failed"
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
[[ "$ORIGIN_PORT" -ne 0 ]] || ORIGIN_PORT="$(free_port)"
[[ "$PROXY_PORT" -ne 0 ]] || PROXY_PORT="$(free_port)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cacheproxy-hfm.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() { # wait_for URL : until it answers, for at most 30 s
    local i
    for ((i = 0; i < 300; i++)); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.1
    done
    die "$1 did not answer within 30 s"
}

java "$SCRIPT_DIR/SlowOrigin.java" "$ORIGIN_PORT" "$DELAY_MS" >"$WORK/origin.log" 2>&1 &
PIDS+=("$!")
wait_for "http://127.0.0.1:$ORIGIN_PORT/count"

measure() { # measure LABEL FLAGS... : one proxy run, then its figures
    local label="$1"
    shift
    java -Xmx256m -jar "$JAR" --origin "http://127.0.0.1:$ORIGIN_PORT" --port "$PROXY_PORT" --offheap-size 32MiB "$@" \
        >"$WORK/proxy-$label.log" 2>&1 &
    local proxy=$!
    PIDS+=("$proxy")
    wait_for "http://127.0.0.1:$PROXY_PORT/count"
    local path="/private/$label-$RANDOM"
    # Warm the JIT on another private path, then measure.
    java "$SCRIPT_DIR/ConcurrentGets.java" "http://127.0.0.1:$PROXY_PORT/private/warm-$label" "$CLIENTS" 3 >/dev/null
    local before
    before="$(curl -s "http://127.0.0.1:$ORIGIN_PORT/count")"
    local figures
    figures="$(java "$SCRIPT_DIR/ConcurrentGets.java" "http://127.0.0.1:$PROXY_PORT$path" "$CLIENTS" "$ROUNDS")"
    local after
    after="$(curl -s "http://127.0.0.1:$ORIGIN_PORT/count")"
    printf '%-28s %s origin_requests=%d\n' "$label" "$figures" "$((after - before))"
    kill -TERM "$proxy" 2>/dev/null || true
    wait "$proxy" 2>/dev/null || true
}

echo "== $CLIENTS concurrent clients x $ROUNDS rounds on a private URL; the origin answers after ${DELAY_MS} ms"
measure "remembered-misses-off" --remember-misses 0
measure "remembered-misses-on"
