#!/usr/bin/env bash
# Fault drills for the example caching proxy's disk tier, on real file systems (needs root for tmpfs):
#   1. the issue's configuration: a 16 MiB tmpfs under --store-dir with --disk-size 64MiB;
#   2. a disk tier that fits, on a tmpfs that another process then fills up, and that later gets its
#      space back: large and small objects fetched through the proxy all along (four runs);
#   3. kill -9 while large responses are being written, then a restart on the same directory;
#   4. a clean stop (SIGTERM), then a restart that finds the cache.
# Prints what the clients got: statuses, whether every body matched the origin's checksum, hits, and
# the proxy's WARN/ERROR lines. Everything listens on 127.0.0.1. Not part of the test suite.
# FAULTS_JAR names another build of the example jar; FAULTS_PROXY_PORT and FAULTS_ORIGIN_PORT the ports.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
readonly JAR="${FAULTS_JAR:-$REPO_DIR/examples/target/cacheproxy-example.jar}"
PROXY_PORT="${FAULTS_PROXY_PORT:-18081}"
ORIGIN_PORT="${FAULTS_ORIGIN_PORT:-18001}"
JVM_OPTS="${CACHEPROXY_FAULTS_JVM_OPTS:--Xmx256m}"

die() {
    echo "faults.sh: $*" >&2
    exit 1
}

[[ "$(id -u)" == 0 ]] || die "needs root, to mount tmpfs file systems"
if [[ ! -f "$JAR" ]]; then
    (cd "$REPO_DIR" && mvn -B -q -DskipTests package) || die "cannot build $JAR"
fi

WORK="$(mktemp -d)"
ORIGIN_PID=""
PROXY_PID=""
MOUNTS=()
cleanup() {
    [[ -n "$PROXY_PID" ]] && kill -9 "$PROXY_PID" 2>/dev/null || true
    [[ -n "$ORIGIN_PID" ]] && kill "$ORIGIN_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    for mount in "${MOUNTS[@]}"; do
        umount "$mount" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

mount_tmpfs() { # DIR SIZE
    mkdir -p "$1"
    mount -t tmpfs -o "size=$2" tmpfs "$1"
    MOUNTS+=("$1")
}

start_proxy() { # LOG ARGS...
    local log="$1"
    shift
    # shellcheck disable=SC2086 # JVM_OPTS is a list of flags
    java $JVM_OPTS -jar "$JAR" --origin "http://127.0.0.1:$ORIGIN_PORT" --port "$PROXY_PORT" "$@" >"$log" 2>&1 &
    PROXY_PID=$!
    for _ in $(seq 1 150); do
        if grep -q "caching proxy on" "$log" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$PROXY_PID" 2>/dev/null; then
            wait "$PROXY_PID" && STARTED_STATUS=0 || STARTED_STATUS=$?
            PROXY_PID=""
            return 1
        fi
        sleep 0.2
    done
    die "the proxy neither started nor exited; see $log"
}

stop_proxy() { # SIGNAL
    kill "-$1" "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=""
}

# Fetches the paths through the proxy and prints one summary line of what the clients got.
fetch_and_summarise() { # LABEL PATHS...
    local label="$1"
    shift
    local out="$WORK/fetch.out"
    local started ended
    started=$(date +%s.%N)
    java "$SCRIPT_DIR/Soak.java" fetch "http://127.0.0.1:$PROXY_PORT" "$@" >"$out" 2>&1 || true
    ended=$(date +%s.%N)
    awk -v label="$label" -v seconds="$(echo "$ended - $started" | bc)" '
        / -> no response/ { none++ ; next }
        / -> / { statuses[$3]++; total++;
                 if ($0 ~ /BODY MISMATCH/) bad++;
                 if ($0 ~ /; hit/) hits++;
                 if ($0 ~ /; stored/) stored++ }
        END { line = sprintf("  %-44s %4d responses in %5.1f s:", label, total, seconds);
              for (s in statuses) line = line sprintf(" %s x%d", s, statuses[s]);
              printf "%s; bodies wrong: %d; no answer: %d; hits: %d; said stored: %d\n", line, bad + 0, none + 0, hits + 0, stored + 0 }' "$out"
}

log_lines() { # LOG
    local count
    count=$(grep -c -E ':(WARN|ERROR) |InternalError|Exception' "$1" || true)
    echo "  proxy log: $count WARN/ERROR/exception lines; InternalError: $(grep -c InternalError "$1" || true)"
    grep -E ':(WARN|ERROR) ' "$1" | sed -E 's/^[0-9-]+ [0-9:.]+:(WARN|ERROR) *:([^:]+):[^:]*: (.{0,150}).*/    \1 \2 \3/' \
        | sort | uniq -c | sort -rn | head -6 || true
}

LARGE=()
SMALL=()
# 6 x 2 MiB and 100 x 4 KiB: Ehcache gives each 2 MiB entry a 4 MiB block, so this fills the 24 MiB tier
# (see README, "Size the disk tier"): once full, refetches find little; what counts here is no fault.
for i in $(seq 1 6); do LARGE+=("/obj/large-$i?size=2097152&ttl=600"); done
for i in $(seq 1 100); do SMALL+=("/obj/small-$i?size=4096&ttl=600"); done

java "$SCRIPT_DIR/Soak.java" origin "$ORIGIN_PORT" >"$WORK/origin.log" 2>&1 &
ORIGIN_PID=$!
sleep 2

echo "== 1. The issue's configuration: --store-dir on a 16 MiB tmpfs, --offheap-size 12MiB --disk-size 64MiB"
mount_tmpfs "$WORK/tiny" 16m
STARTED_STATUS=0
if start_proxy "$WORK/case1.log" --store-dir "$WORK/tiny" --offheap-size 12MiB --disk-size 64MiB; then
    echo "  the proxy started (unexpected)"
    stop_proxy TERM
else
    echo "  refused at start with exit status $STARTED_STATUS:"
    sed 's/^/    /' "$WORK/case1.log" | grep -v '^\s*at ' | head -3
fi
echo "  tmpfs after: $(df -h --output=used,size "$WORK/tiny" | tail -1)"

echo "== 2. A disk tier that fits (24 MiB on a 40 MiB tmpfs), then the tmpfs filled up by another file, then freed"
for run in 1 2 3 4; do
    dir="$WORK/fill-$run"
    mount_tmpfs "$dir" 40m
    start_proxy "$WORK/case2-$run.log" --store-dir "$dir/cache" --offheap-size 8MiB --disk-size 24MiB --max-object-size 4MiB \
        || die "run $run: the proxy did not start: $(head -3 "$WORK/case2-$run.log")"
    dd if=/dev/zero of="$dir/filler" bs=1M 2>/dev/null || true
    echo " run $run: tmpfs full ($(df -h --output=avail "$dir" | tail -1 | tr -d ' ') free) while the proxy runs"
    fetch_and_summarise "disk full: 2 MiB and 4 KiB objects, first" "${LARGE[@]}" "${SMALL[@]}"
    fetch_and_summarise "disk full: the same again" "${LARGE[@]}" "${SMALL[@]}"
    rm -f "$dir/filler"
    fetch_and_summarise "space back: new objects" "${LARGE[@]/large-/large-b}" "${SMALL[@]/small-/small-b}"
    fetch_and_summarise "space back: the same again" "${LARGE[@]/large-/large-b}" "${SMALL[@]/small-/small-b}"
    stop_proxy TERM
    log_lines "$WORK/case2-$run.log"
done

echo "== 3. kill -9 while 2 MiB responses are being written, then a restart on the same directory"
mount_tmpfs "$WORK/crash" 200m
start_proxy "$WORK/case3a.log" --store-dir "$WORK/crash/cache" --offheap-size 16MiB --disk-size 128MiB \
    || die "the proxy did not start: $(head -3 "$WORK/case3a.log")"
CRASH_PATHS=()
# 40 x 2 MiB: within the 128 MiB disk tier.
for i in $(seq 1 40); do CRASH_PATHS+=("/obj/crash-$i?size=2097152&ttl=600"); done
java "$SCRIPT_DIR/Soak.java" fetch "http://127.0.0.1:$PROXY_PORT" "${CRASH_PATHS[@]}" >"$WORK/crash-writes.out" 2>&1 &
WRITER=$!
# Killed in the middle: once some responses are stored and more are being written.
for _ in $(seq 1 300); do
    [[ "$(grep -c ' -> 200' "$WORK/crash-writes.out" 2>/dev/null || true)" -ge 15 ]] && break
    sleep 0.1
done
stop_proxy KILL
wait "$WRITER" 2>/dev/null || true
echo "  killed after $(grep -c ' -> 200' "$WORK/crash-writes.out" || true) of ${#CRASH_PATHS[@]} responses"
if start_proxy "$WORK/case3b.log" --store-dir "$WORK/crash/cache" --offheap-size 16MiB --disk-size 128MiB; then
    echo "  restarted on the same directory"
    fetch_and_summarise "after the crash: every object" "${CRASH_PATHS[@]}"
    fetch_and_summarise "after the crash: again" "${CRASH_PATHS[@]}"
    log_lines "$WORK/case3b.log"
else
    echo "  did NOT restart (exit status $STARTED_STATUS):"
    head -5 "$WORK/case3b.log"
fi

echo "== 4. A clean stop (SIGTERM), then a restart that finds the cache"
stop_proxy TERM
start_proxy "$WORK/case4.log" --store-dir "$WORK/crash/cache" --offheap-size 16MiB --disk-size 128MiB \
    || die "the proxy did not restart: $(head -3 "$WORK/case4.log")"
fetch_and_summarise "after a clean stop: every object" "${CRASH_PATHS[@]}"
stop_proxy TERM
log_lines "$WORK/case4.log"
