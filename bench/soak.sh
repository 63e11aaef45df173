#!/usr/bin/env bash
# Soak test of the example caching proxy: mixed traffic (hits, misses, private, 1 MiB bodies,
# revalidations, purges) for MINUTES minutes (default 20) with the origin restarted every minute.
# Prints once a minute what the clients got (errors by kind) and the proxy's heap after a full GC,
# resident memory, threads and open file descriptors. Everything listens on 127.0.0.1 and is stopped
# by process id on exit. Not part of the test suite. See bench/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
JAR="$REPO_DIR/examples/target/cacheproxy-example.jar"

MINUTES=20
PROXY_PORT=18080
ORIGIN_PORT=18000
CLIENTS=8
RATE=300
STORE_DIR=""
JVM_OPTS="${CACHEPROXY_SOAK_JVM_OPTS:--Xms256m -Xmx256m -XX:+UseG1GC}"

usage() {
    cat <<'EOF'
usage: bench/soak.sh [options]

  --minutes N        how long to run (default 20)
  --proxy-port N     the proxy's port (default 18080)
  --origin-port N    the origin's port (default 18000)
  --clients N        concurrent clients (default 8)
  --rate N           requests per second, all clients together (default 300)
  --store-dir DIR    give the proxy a disk tier in DIR (default: memory only)
  --jar FILE         the example proxy's jar (default: examples/target/cacheproxy-example.jar, built when missing)
  --help             show this and exit

The proxy runs with CACHEPROXY_SOAK_JVM_OPTS (default: -Xms256m -Xmx256m -XX:+UseG1GC). Prints one line
a minute: requests, ok, hit ratio, errors by kind, the proxy's heap after GC (MiB), RSS (MiB), threads
and file descriptors. Exits 1 when a client saw an error that the origin's restarts do not explain.
EOF
}

die() {
    echo "soak.sh: $*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) MINUTES="$2"; shift ;;
        --proxy-port) PROXY_PORT="$2"; shift ;;
        --origin-port) ORIGIN_PORT="$2"; shift ;;
        --clients) CLIENTS="$2"; shift ;;
        --rate) RATE="$2"; shift ;;
        --store-dir) STORE_DIR="$2"; shift ;;
        --jar) JAR="$2"; shift ;;
        --help | -h) usage; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done

if [[ ! -f "$JAR" ]]; then
    (cd "$REPO_DIR" && mvn -B -q -DskipTests package) || die "cannot build $JAR"
fi

WORK="$(mktemp -d)"
PROXY_PID=""
cleanup() {
    if [[ -n "$PROXY_PID" ]] && kill -0 "$PROXY_PID" 2>/dev/null; then
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

TOKEN="soak-admin-token-$(date +%s)"
STORE_FLAGS=()
if [[ -n "$STORE_DIR" ]]; then
    STORE_FLAGS=(--store-dir "$STORE_DIR" --disk-size 1GiB)
fi

# shellcheck disable=SC2086 # JVM_OPTS is a list of flags
java $JVM_OPTS -jar "$JAR" --origin "http://127.0.0.1:$ORIGIN_PORT" --port "$PROXY_PORT" \
    --admin-token "$TOKEN" "${STORE_FLAGS[@]}" >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 100); do
    grep -q "caching proxy on" "$WORK/proxy.log" 2>/dev/null && break
    kill -0 "$PROXY_PID" 2>/dev/null || { cat "$WORK/proxy.log" >&2; die "the proxy did not start"; }
    sleep 0.2
done

echo "soak: $MINUTES minutes, $CLIENTS clients at $RATE requests/s through the proxy (pid $PROXY_PID, $JVM_OPTS)"
echo "soak: traffic: 50% hits (4 KiB), 10% 1 MiB bodies, 15% misses, 12% revalidations (ttl 2 s), 10% private, 3% purges"
echo "soak: the origin restarts every minute (down for about 1 s); 5xx answers overlapping a restart are 'explained'"
STATUS=0
java "$SCRIPT_DIR/Soak.java" soak "http://127.0.0.1:$PROXY_PORT" "$PROXY_PID" "$ORIGIN_PORT" "$MINUTES" "$TOKEN" \
    "$CLIENTS" "$RATE" || STATUS=$?

echo "soak: the proxy's log, WARN and ERROR lines by logger and first words:"
grep -E ':(WARN|ERROR) ' "$WORK/proxy.log" | sed -E 's/^[0-9-]+ [0-9:.]+:(WARN|ERROR) *:([^:]+):[^:]*: ([^(]{0,60}).*/\1 \2 \3/' \
    | sort | uniq -c | sort -rn | head -20 || true
echo "soak: stopping the proxy with SIGTERM (graceful)"
kill "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null || true
PROXY_PID=""
tail -3 "$WORK/proxy.log"
exit "$STATUS"
