#!/usr/bin/env bash
# Load benchmark for the example caching proxy: cache-hit throughput and latency (1 KiB, 64 KiB, 1 MiB)
# measured with wrk, optionally interleaved with nginx proxy_cache and Varnish in front of the same
# origin; request collapsing (100 concurrent misses); a 1 GiB pass-through under -Xmx128m.
# Everything listens on 127.0.0.1 and is stopped by process id on exit. See bench/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
readonly JAR="$REPO_DIR/examples/target/cacheproxy-example.jar"
# nginx and varnishd live in /usr/sbin, which is not on every user's PATH.
export PATH="$PATH:/usr/sbin:/sbin"

# The JVM flags of our proxy for the hit benchmark; see bench/README.md for why these.
readonly DEFAULT_JVM_OPTS="-Xms512m -Xmx512m -XX:+UseG1GC"
JVM_OPTS="${CACHEPROXY_BENCH_JVM_OPTS:-$DEFAULT_JVM_OPTS}"

VS_NGINX=false
VS_VARNISH=false
SKIP_1G=false
QUICK=false
KEEP=false
DURATION=""
WARMUP=""
ROUNDS=""
CONNECTIONS=32
THREADS=1
COLLAPSE_CLIENTS=100
COLLAPSE_DELAY_MS=1000

usage() {
    cat <<'EOF'
usage: bench/load.sh [options]

Measures the example caching proxy on 127.0.0.1 with wrk: cache hits of 1 KiB, 64 KiB and 1 MiB
(requests/s, p50, p99), request collapsing (100 concurrent requests for one uncached URL), and a
1 GiB pass-through with -Xmx128m.

  --vs-nginx         also measure nginx proxy_cache in front of the same origin, interleaved
  --vs-varnish       also measure Varnish in front of the same origin, interleaved
  --duration SECS    measured seconds per wrk run (default 10; 2 with --quick)
  --warmup SECS      unmeasured wrk seconds per server and size before measuring (default 5; 2 with --quick)
  --rounds N         measured rounds per server and size; the best is reported (default 2; 1 with --quick)
  --connections N    wrk connections (default 32)
  --threads N        wrk threads (default 1)
  --quick            a short smoke run: 2 s warm-up, 2 s per case, 1 round
  --skip-1g          skip the 1 GiB pass-through
  --keep             keep the temporary directory (logs, configs) instead of deleting it
  --help             show this and exit

Installs wrk, nginx-light, curl (and varnish with --vs-varnish) with apt-get when they are missing,
which needs root (or password-less sudo). Builds examples/target/cacheproxy-example.jar when missing.
Set CACHEPROXY_BENCH_JVM_OPTS to change our proxy's JVM flags (default: -Xms512m -Xmx512m -XX:+UseG1GC).
EOF
}

die() {
    echo "load.sh: $*" >&2
    exit 1
}

need_value() {
    [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"
    [[ "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "$1 needs a positive whole number, not '$2'"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --vs-nginx) VS_NGINX=true ;;
        --vs-varnish) VS_VARNISH=true ;;
        --duration) need_value "$@"; DURATION="$2"; shift ;;
        --warmup) need_value "$@"; WARMUP="$2"; shift ;;
        --rounds) need_value "$@"; ROUNDS="$2"; shift ;;
        --connections) need_value "$@"; CONNECTIONS="$2"; shift ;;
        --threads) need_value "$@"; THREADS="$2"; shift ;;
        --quick) QUICK=true ;;
        --skip-1g) SKIP_1G=true ;;
        --keep) KEEP=true ;;
        --help | -h) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
if $QUICK; then
    DURATION="${DURATION:-2}"; WARMUP="${WARMUP:-2}"; ROUNDS="${ROUNDS:-1}"
else
    DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-5}"; ROUNDS="${ROUNDS:-2}"
fi
[[ "$CONNECTIONS" -ge "$THREADS" ]] || die "--connections must be at least --threads"

# ---------------------------------------------------------------------------------------------------
# Tools

install_missing() {
    local packages=()
    command -v curl >/dev/null || packages+=(curl)
    command -v wrk >/dev/null || packages+=(wrk)
    command -v nginx >/dev/null || packages+=(nginx-light)
    if $VS_VARNISH; then
        command -v varnishd >/dev/null || packages+=(varnish)
    fi
    if ! command -v java >/dev/null || ! command -v jstat >/dev/null; then
        packages+=(openjdk-17-jdk-headless)
    fi
    if [[ ! -f "$JAR" ]] && ! command -v mvn >/dev/null; then
        packages+=(maven)
    fi
    [[ ${#packages[@]} -gt 0 ]] || return 0

    local sudo=()
    if [[ "$EUID" -ne 0 ]]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            die "missing ${packages[*]}; installing them needs root: run as root, or run 'apt-get install ${packages[*]}' first"
        fi
    fi
    command -v apt-get >/dev/null || die "missing ${packages[*]} and there is no apt-get to install them with"
    echo "load.sh: installing ${packages[*]} (apt-get update first)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; then
        # Some releases have no nginx-light; the full nginx package serves just as well.
        local fallback=("${packages[@]/nginx-light/nginx}")
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${fallback[@]}" >/dev/null \
            || die "apt-get install ${fallback[*]} failed"
    fi
}

install_missing
if [[ ! -f "$JAR" ]]; then
    echo "load.sh: building $JAR (mvn -B -q package -DskipTests)"
    (cd "$REPO_DIR" && mvn -B -q package -DskipTests) || die "the build failed"
fi

# ---------------------------------------------------------------------------------------------------
# Processes we start, and cleaning up after them

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cacheproxy-bench.XXXXXX")"
# nginx's workers run as nobody when started by root: they must be able to read the files it serves.
chmod 755 "$WORK"
mkdir -p "$WORK/logs"
PIDS=()

start_bg() { # start_bg NAME COMMAND... : runs it in the background, logging to $WORK/logs/NAME.log; sets STARTED_PID
    local name="$1"
    shift
    "$@" >"$WORK/logs/$name.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}

stop_pid() { # stop_pid PID : TERM, up to 10 s to exit, then KILL; reaps it and sets STOPPED_STATUS
    local pid="$1" i
    STOPPED_STATUS=0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "load.sh: process $pid did not stop on TERM within 10 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || STOPPED_STATUS=$?
}

cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
    if $KEEP; then
        echo "load.sh: kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Fixed-range high ports below the usual ephemeral range (32768+), so a port we check stays ours.
NEXT_PORT=$((20000 + RANDOM % 10000))
alloc_port() { # alloc_port VAR : the next free port into VAR
    local tries
    for ((tries = 0; tries < 500; tries++)); do
        NEXT_PORT=$((NEXT_PORT + 1))
        if ! port_in_use "$NEXT_PORT"; then
            printf -v "$1" '%s' "$NEXT_PORT"
            return 0
        fi
    done
    die "no free port found near $NEXT_PORT"
}

wait_http() { # wait_http NAME PID URL : until URL answers (any status), at most 60 s
    local name="$1" pid="$2" url="$3" i
    for ((i = 0; i < 600; i++)); do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/logs/$name.log" >&2; die "$name exited while starting (log above)"; }
        curl -s -o /dev/null --max-time 2 "$url" && return 0
        sleep 0.1
    done
    tail -n 20 "$WORK/logs/$name.log" >&2
    die "$name did not answer $url within 60 s"
}

start_ours() { # start_ours NAME PORT ORIGIN_URL "JVM OPTIONS" [PROXY FLAGS...] ; sets STARTED_PID
    local name="$1" port="$2" origin="$3" jvm_opts
    read -r -a jvm_opts <<<"$4"
    shift 4
    start_bg "$name" java "${jvm_opts[@]}" -jar "$JAR" --origin "$origin" --port "$port" --bind 127.0.0.1 "$@"
    local pid="$STARTED_PID" i
    for ((i = 0; i < 600; i++)); do
        grep -q '^cacheproxy: caching proxy on' "$WORK/logs/$name.log" && return 0
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/logs/$name.log" >&2; die "$name exited while starting (log above)"; }
        sleep 0.1
    done
    die "$name did not start within 60 s"
}

# ---------------------------------------------------------------------------------------------------
# Origins and servers

readonly SIZES=(1KiB 64KiB 1MiB)
declare -A SIZE_BYTES=([1KiB]=1024 [64KiB]=65536 [1MiB]=1048576)
readonly BIG_BYTES=$((1024 * 1024 * 1024))

free_kib="$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')"
[[ "$free_kib" -ge $((256 * 1024)) ]] || die "less than 256 MiB free in $WORK"

mkdir -p "$WORK/www/big"
for size in "${SIZES[@]}"; do
    head -c "${SIZE_BYTES[$size]}" /dev/urandom >"$WORK/www/$size.bin"
done
if ! $SKIP_1G; then
    # Sparse: takes no disk space, and nginx serves it as fast as the page cache allows.
    truncate -s "$BIG_BYTES" "$WORK/www/big/1GiB.bin"
fi
chmod -R a+rX "$WORK/www"

alloc_port ORIGIN_PORT
alloc_port SLOW_PORT
alloc_port OURS_PORT
alloc_port NGINX_PORT
alloc_port VARNISH_PORT
alloc_port OURS_SLOW_PORT
alloc_port OURS_BIG_PORT

# The origin: a separate nginx serving static files with one worker, logging each request so that we can
# count what reached it. It only sees misses, so it is never the bottleneck of the hit benchmark.
mkdir -p "$WORK/origin"
cat >"$WORK/origin/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/origin/nginx.pid;
error_log $WORK/origin/error.log warn;
events { worker_connections 4096; }
http {
    types { application/octet-stream bin; }
    default_type application/octet-stream;
    access_log $WORK/origin/access.log;
    sendfile on;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$ORIGIN_PORT;
        root $WORK/www;
        location / {
            add_header Cache-Control "public, max-age=3600" always;
        }
    }
}
EOF
touch "$WORK/origin/access.log"

# nginx under test: its own prefix, config, pid file, cache and temp dirs. worker_processes auto (two
# workers here), since our JVM may use both cores too.
mkdir -p "$WORK/nginx/cache"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    # tcp_nopush stays off (the default): with proxy_cache and sendfile it stalls each 64 KiB hit by about
    # 40 ms on loopback (TCP_CORK against delayed ACKs), which would measure a misconfiguration.
    keepalive_requests 1000000;
    proxy_cache_path $WORK/nginx/cache levels=1:2 keys_zone=bench:16m max_size=1g inactive=1h use_temp_path=off;
    upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 32; }
    upstream slow { server 127.0.0.1:$SLOW_PORT; keepalive 32; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_cache bench;
        proxy_cache_valid 200 1h;
        proxy_read_timeout 60s;
        add_header X-Cache \$upstream_cache_status always;
        location / {
            proxy_pass http://origin;
        }
        location /slow/ {
            proxy_pass http://slow;
            # nginx's request collapsing, for the collapsing case.
            proxy_cache_lock on;
            proxy_cache_lock_timeout 30s;
            proxy_cache_lock_age 30s;
        }
    }
}
EOF

cat >"$WORK/varnish.vcl" <<EOF
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$ORIGIN_PORT"; }
backend slow { .host = "127.0.0.1"; .port = "$SLOW_PORT"; .first_byte_timeout = 60s; }
sub vcl_recv {
    if (req.url ~ "^/slow/") { set req.backend_hint = slow; } else { set req.backend_hint = origin; }
}
sub vcl_deliver {
    if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; }
}
EOF

SERVERS=(cacheproxy)
$VS_NGINX && SERVERS+=(nginx)
$VS_VARNISH && SERVERS+=(varnish)
declare -A BASE_URL=(
    [cacheproxy]="http://127.0.0.1:$OURS_PORT"
    [nginx]="http://127.0.0.1:$NGINX_PORT"
    [varnish]="http://127.0.0.1:$VARNISH_PORT"
)
declare -A SERVER_PID=()
declare -A HIT_HEADER=([cacheproxy]='^cache-status: *cacheproxy; *hit' [nginx]='^x-cache: *HIT' [varnish]='^x-cache: *HIT')

start_bg origin nginx -p "$WORK/origin/" -c "$WORK/origin/nginx.conf" -e "$WORK/origin/error.log" -g 'daemon off;'
wait_http origin "$STARTED_PID" "http://127.0.0.1:$ORIGIN_PORT/1KiB.bin"

echo "== cacheproxy load benchmark"
echo "machine:     $(nproc) cores, $(uname -sr); everything (wrk too) shares these cores"
echo "java:        $(java -version 2>&1 | head -n 1)"
echo "wrk:         $(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }'), -t$THREADS -c$CONNECTIONS --latency"
echo "runs:        warm-up ${WARMUP}s, then $ROUNDS round(s) of ${DURATION}s per server and size, interleaved; best req/s of the rounds reported with that round's p50/p99"
echo "cacheproxy:  java $JVM_OPTS -jar examples/target/cacheproxy-example.jar (default stores)"
echo "origin:      nginx (1 worker) serving static files with Cache-Control: public, max-age=3600"
if $VS_NGINX; then
    echo "nginx:       $(nginx -v 2>&1 | sed 's/^nginx version: //'), proxy_cache, worker_processes auto"
    start_bg nginx nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;'
    SERVER_PID[nginx]="$STARTED_PID"
    wait_http nginx "$STARTED_PID" "${BASE_URL[nginx]}/"
fi
if $VS_VARNISH; then
    echo "varnish:     $(varnishd -V 2>&1 | head -n 1 | sed 's/^varnishd (//; s/ revision.*//'), -s malloc,256m, default thread pools"
    varnish_jail=()
    # The default unix jail needs root; an ordinary user runs varnishd without one.
    [[ "$EUID" -eq 0 ]] || varnish_jail=(-j none)
    start_bg varnish varnishd -F "${varnish_jail[@]}" -a "127.0.0.1:$VARNISH_PORT" -f "$WORK/varnish.vcl" \
        -n "$WORK/varnish" -s malloc,256m
    SERVER_PID[varnish]="$STARTED_PID"
    wait_http varnish "$STARTED_PID" "${BASE_URL[varnish]}/"
fi
start_ours cacheproxy "$OURS_PORT" "http://127.0.0.1:$ORIGIN_PORT" "$JVM_OPTS"
OURS_PID="$STARTED_PID"
SERVER_PID[cacheproxy]="$OURS_PID"
echo

# ---------------------------------------------------------------------------------------------------
# Cache hits

origin_requests() {
    wc -l <"$WORK/origin/access.log" | tr -d ' '
}

to_ms() { # to_ms 310.00us -> 0.310
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { printf "%.3f", substr(v, 1, length(v) - 2) / 1000 }
        else if (v ~ /ms$/) { printf "%.3f", substr(v, 1, length(v) - 2) }
        else if (v ~ /m$/) { printf "%.3f", substr(v, 1, length(v) - 1) * 60000 }
        else if (v ~ /s$/) { printf "%.3f", substr(v, 1, length(v) - 1) * 1000 }
        else { print "nan" } }'
}

declare -A RPS P50 P99 ERRORS ORIGIN_REQS NOT_HIT

report_if_exited() { # report_if_exited SERVER : when it is no longer running, says so with its exit status and log
    local pid="${SERVER_PID[$1]:-}" status=0
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null && return 0
    wait "$pid" 2>/dev/null || status=$?
    echo "load.sh: $1 (pid $pid) is no longer running: exit status $status; the end of its log:" >&2
    tail -n 20 "$WORK/logs/$1.log" >&2
}

# prime_and_check SERVER SIZE : fetches twice; the second must be a hit
prime_and_check() {
    local server="$1" size="$2" url headers
    url="${BASE_URL[$server]}/$size.bin"
    curl -s -o /dev/null --max-time 10 "$url" || true
    headers="$(curl -s -D - -o /dev/null --max-time 10 "$url" | tr -d '\r' || true)"
    if grep -qiE "${HIT_HEADER[$server]}" <<<"$headers"; then
        NOT_HIT["$size|$server"]=""
    else
        NOT_HIT["$size|$server"]="second request not a hit"
        report_if_exited "$server"
        echo "WARNING: $server: the second request for $size.bin was not a hit:" >&2
        grep -iE '^(cache-status|x-cache|age):' <<<"$headers" >&2 || echo "  (no cache header)" >&2
    fi
}

# measure SERVER SIZE : one measured wrk run; keeps it when it beats the best so far
measure() {
    local server="$1" size="$2" out before after rps p50 p99 non2xx socket
    out="$WORK/logs/wrk-$size-$server-$RANDOM.txt"
    before="$(origin_requests)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "${BASE_URL[$server]}/$size.bin" >"$out" 2>&1 || true
    after="$(origin_requests)"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    if [[ -z "$rps" ]]; then
        cat "$out" >&2
        report_if_exited "$server"
        die "wrk failed against $server"
    fi
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
    socket="$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")"
    local key="$size|$server"
    if [[ -z "${RPS[$key]:-}" ]] || awk -v a="$rps" -v b="${RPS[$key]}" 'BEGIN { exit !(a > b) }'; then
        RPS[$key]="$rps"
        P50[$key]="$p50"
        P99[$key]="$p99"
    fi
    ERRORS[$key]=$((${ERRORS[$key]:-0} + ${non2xx:-0} + ${socket:-0}))
    ORIGIN_REQS[$key]=$((${ORIGIN_REQS[$key]:-0} + after - before))
    printf '  %-6s %-10s round: %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms\n' "$size" "$server" "$rps" "$p50" "$p99"
}

ratio() { # ratio A B -> A/B with two decimals, or n/a
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

echo "== cache hits (each server is primed, checked for a hit, and warmed up per size)"
for size in "${SIZES[@]}"; do
    for server in "${SERVERS[@]}"; do
        prime_and_check "$server" "$size"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 5s "${BASE_URL[$server]}/$size.bin" >/dev/null 2>&1 || true
    done
    for ((round = 1; round <= ROUNDS; round++)); do
        # Alternate the order per round, so that no server always runs right after another one.
        order=("${SERVERS[@]}")
        if ((round % 2 == 0)); then
            order=()
            for ((i = ${#SERVERS[@]} - 1; i >= 0; i--)); do order+=("${SERVERS[$i]}"); done
        fi
        for server in "${order[@]}"; do
            measure "$server" "$size"
        done
    done
done
echo

echo "== cache hits: results (best of $ROUNDS round(s) of ${DURATION}s, wrk -t$THREADS -c$CONNECTIONS)"
printf '%-6s %-10s %10s %9s %9s %7s %7s  %s\n' size server "req/s" "p50 ms" "p99 ms" errors "origin" "ratio of cacheproxy (req/s; p99)"
for size in "${SIZES[@]}"; do
    ours="$size|cacheproxy"
    for server in "${SERVERS[@]}"; do
        key="$size|$server"
        note=""
        if [[ "$server" != cacheproxy ]]; then
            note="$(ratio "${RPS[$ours]}" "${RPS[$key]}")x; p99 $(ratio "${P99[$ours]}" "${P99[$key]}")x"
        fi
        [[ -z "${NOT_HIT[$key]}" ]] || note="$note (${NOT_HIT[$key]})"
        printf '%-6s %-10s %10.0f %9.3f %9.3f %7s %7s  %s\n' "$size" "$server" "${RPS[$key]}" "${P50[$key]}" \
            "${P99[$key]}" "${ERRORS[$key]}" "${ORIGIN_REQS[$key]}" "$note"
    done
done
echo "(errors: non-2xx responses and socket errors; origin: requests that reached the origin while measuring)"
echo

PEERS=("${SERVERS[@]:1}")
FAILED=0
verdict() { # verdict CONDITION_TRUE(0/1) TEXT
    if [[ "$1" -eq 1 ]]; then
        printf '  PASS  %s\n' "$2"
    else
        printf '  FAIL  %s\n' "$2"
        FAILED=$((FAILED + 1))
    fi
}

echo "== targets"
if [[ ${#PEERS[@]} -eq 0 ]]; then
    echo "  n/a   hit throughput and p99 against peers: run with --vs-nginx and/or --vs-varnish"
else
    for size in 1KiB 64KiB; do
        fastest="" best_p99_peer=""
        for peer in "${PEERS[@]}"; do
            key="$size|$peer"
            if [[ -z "$fastest" ]] || awk -v a="${RPS[$key]}" -v b="${RPS[$size|$fastest]}" 'BEGIN { exit !(a > b) }'; then
                fastest="$peer"
            fi
            if [[ -z "$best_p99_peer" ]] || awk -v a="${P99[$key]}" -v b="${P99[$size|$best_p99_peer]}" 'BEGIN { exit !(a < b) }'; then
                best_p99_peer="$peer"
            fi
        done
        ours_rps="${RPS[$size|cacheproxy]}"
        peer_rps="${RPS[$size|$fastest]}"
        r="$(ratio "$ours_rps" "$peer_rps")"
        ok=$(awk -v a="$ours_rps" -v b="$peer_rps" 'BEGIN { print (a >= 1.1 * b) ? 1 : 0 }')
        verdict "$ok" "$(printf '%-5s hit throughput >= 1.1x the faster peer: %.0f vs %.0f req/s (%s) = %sx' \
            "$size" "$ours_rps" "$peer_rps" "$fastest" "$r")"
        ours_p99="${P99[$size|cacheproxy]}"
        peer_p99="${P99[$size|$best_p99_peer]}"
        ok=$(awk -v a="$ours_p99" -v b="$peer_p99" 'BEGIN { print (a <= b) ? 1 : 0 }')
        verdict "$ok" "$(printf '%-5s p99 no worse than the better peer: %.3f vs %.3f ms (%s)' \
            "$size" "$ours_p99" "$peer_p99" "$best_p99_peer")"
    done
    [[ ${#PEERS[@]} -eq 2 ]] || echo "  note: only ${PEERS[*]} measured; the target is against the faster of nginx and Varnish"
fi
# Free the cores for the next cases.
stop_pid "$OURS_PID"
echo

# ---------------------------------------------------------------------------------------------------
# Request collapsing

echo "== collapsing: $COLLAPSE_CLIENTS concurrent requests for one uncached URL; the origin answers after ${COLLAPSE_DELAY_MS} ms"
start_bg slow-origin java "$SCRIPT_DIR/SlowOrigin.java" "$SLOW_PORT" "$COLLAPSE_DELAY_MS"
wait_http slow-origin "$STARTED_PID" "http://127.0.0.1:$SLOW_PORT/count"
start_ours cacheproxy-slow "$OURS_SLOW_PORT" "http://127.0.0.1:$SLOW_PORT" "$JVM_OPTS"
OURS_SLOW_PID="$STARTED_PID"
declare -A COLLAPSE_URL=(
    [cacheproxy]="http://127.0.0.1:$OURS_SLOW_PORT"
    [nginx]="http://127.0.0.1:$NGINX_PORT"
    [varnish]="http://127.0.0.1:$VARNISH_PORT"
)

printf '%-10s %7s %7s %7s %10s  %s\n' server origin "200s" wall-s identical "cache status of the $COLLAPSE_CLIENTS answers"
OURS_COLLAPSE_ORIGIN=""
OURS_COLLAPSE_OK=0
for server in "${SERVERS[@]}"; do
    path="/slow/$server-$RANDOM$RANDOM"
    dir="$WORK/collapse-$server"
    mkdir -p "$dir"
    # A separate connection per request: curl cannot reuse connections across processes.
    start_ns="$(date +%s%N)"
    seq 1 "$COLLAPSE_CLIENTS" | xargs -P "$COLLAPSE_CLIENTS" -I{} \
        curl -s --max-time 60 -o "$dir/{}.body" -D "$dir/{}.head" "${COLLAPSE_URL[$server]}$path" || true
    end_ns="$(date +%s%N)"
    wall="$(awk -v a="$start_ns" -v b="$end_ns" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')"
    reached="$(curl -s --max-time 5 "http://127.0.0.1:$SLOW_PORT/count?path=$path" | tr -d '[:space:]')"
    # The reference copy, straight from the origin (after counting, so it is not counted).
    curl -s --max-time 10 -o "$dir/reference" "http://127.0.0.1:$SLOW_PORT$path"
    reference="$(sha256sum <"$dir/reference" | cut -d' ' -f1)"
    ok200="$(cat "$dir"/*.head 2>/dev/null | tr -d '\r' | grep -cE '^HTTP/[0-9.]+ 200' || true)"
    same=0
    for ((i = 1; i <= COLLAPSE_CLIENTS; i++)); do
        if [[ -f "$dir/$i.body" ]] && [[ "$(sha256sum <"$dir/$i.body" | cut -d' ' -f1)" == "$reference" ]]; then
            same=$((same + 1))
        fi
    done
    case "$server" in
        cacheproxy) status_re='^cache-status:' ;;
        *) status_re='^x-cache:' ;;
    esac
    statuses="$(cat "$dir"/*.head 2>/dev/null | tr -d '\r' | grep -iE "$status_re" \
        | sed -E 's/^[^:]*: *//; s/^cacheproxy; *//; s/;.*//' | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
    printf '%-10s %7s %7s %7s %10s  %s\n' "$server" "$reached" "$ok200" "$wall" "$same/$COLLAPSE_CLIENTS" "$statuses"
    if [[ "$server" == cacheproxy ]]; then
        OURS_COLLAPSE_ORIGIN="$reached"
        [[ "$same" -eq "$COLLAPSE_CLIENTS" ]] && OURS_COLLAPSE_OK=1
    fi
done
echo "(origin: requests that reached the origin; identical: bodies equal to the origin's, byte for byte)"
verdict "$([[ "$OURS_COLLAPSE_ORIGIN" == 1 ]] && echo 1 || echo 0)" \
    "$COLLAPSE_CLIENTS concurrent misses -> 1 origin request: cacheproxy sent $OURS_COLLAPSE_ORIGIN"
verdict "$OURS_COLLAPSE_OK" "all $COLLAPSE_CLIENTS bodies from cacheproxy complete and identical to the origin's"
stop_pid "$OURS_SLOW_PID"
echo

# ---------------------------------------------------------------------------------------------------
# 1 GiB pass-through

if $SKIP_1G; then
    echo "== 1 GiB pass-through: skipped (--skip-1g)"
else
    echo "== 1 GiB pass-through: our proxy with -Xmx128m (larger than --max-object-size, so streamed and not stored)"
    # Drop the hit benchmark's heap flags; keep the collector and anything else.
    big_jvm_opts="-Xms128m -Xmx128m -XX:+ExitOnOutOfMemoryError $(tr ' ' '\n' <<<"$JVM_OPTS" | grep -vE '^-Xm[sx]' | tr '\n' ' ')"
    # The default 256 MiB off-heap store would not fit the direct memory that -Xmx128m allows by default.
    start_ours cacheproxy-big "$OURS_BIG_PORT" "http://127.0.0.1:$ORIGIN_PORT" "$big_jvm_opts" --offheap-size 32MiB
    big_flags="--offheap-size 32MiB (default --max-object-size 8MiB)"
    OURS_BIG_PID="$STARTED_PID"
    echo "  cacheproxy: java $big_jvm_opts -jar ... $big_flags"
    big_path="/big/1GiB.bin"

    direct="$(curl -s --max-time 600 -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' \
        "http://127.0.0.1:$ORIGIN_PORT$big_path" || true)"

    # Heap samples from one jstat process (every 250 ms, bounded), RSS from /proc, while the transfer runs.
    jstat -gc "$OURS_BIG_PID" 250 2400 >"$WORK/logs/jstat-big.txt" 2>&1 &
    jstat_pid=$!
    PIDS+=("$jstat_pid")
    : >"$WORK/logs/rss-big.txt"
    (
        for ((i = 0; i < 2400; i++)); do
            awk '/^VmRSS:/ { print $2 }' "/proc/$OURS_BIG_PID/status" 2>/dev/null || exit 0
            sleep 0.25
        done
    ) >>"$WORK/logs/rss-big.txt" &
    rss_pid=$!
    PIDS+=("$rss_pid")

    via="$(curl -s --max-time 600 -o /dev/null -D "$WORK/logs/big-headers.txt" \
        -w '%{http_code} %{size_download} %{speed_download}' "http://127.0.0.1:$OURS_BIG_PORT$big_path" || true)"
    sleep 0.5
    stop_pid "$jstat_pid"
    stop_pid "$rss_pid"

    read -r direct_code direct_size direct_speed <<<"$direct"
    read -r via_code via_size via_speed <<<"$via"
    big_status="$(tr -d '\r' <"$WORK/logs/big-headers.txt" | grep -i '^cache-status:' | sed 's/^[^:]*: *//' || true)"
    printf '  %-22s status %s, %s bytes, %8.1f MiB/s\n' "origin directly:" "$direct_code" "$direct_size" \
        "$(awk -v s="$direct_speed" 'BEGIN { print s / 1048576 }')"
    printf '  %-22s status %s, %s bytes, %8.1f MiB/s  (%sx the direct speed)\n' "through cacheproxy:" "$via_code" "$via_size" \
        "$(awk -v s="$via_speed" 'BEGIN { print s / 1048576 }')" "$(ratio "$via_speed" "$direct_speed")"
    echo "  Cache-Status: ${big_status:-(none)}"
    # jstat -gc columns: used heap = S0U + S1U + EU + OU, in KB.
    heap="$(awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 ~ /^[0-9.]+$/ { used = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]; n++
            if (n == 1 || used < min) min = used; if (used > max) max = used }
        END { if (n) printf "%d samples, used heap min %.1f MiB, max %.1f MiB", n, min / 1024, max / 1024; else print "no samples" }' \
        "$WORK/logs/jstat-big.txt")"
    rss="$(awk '{ n++; if ($1 > max) max = $1; if (n == 1 || $1 < min) min = $1 }
        END { if (n) printf "%d samples, RSS min %.1f MiB, max %.1f MiB", n, min / 1024, max / 1024; else print "no samples" }' \
        "$WORK/logs/rss-big.txt")"
    echo "  heap during transfer:  $heap (-Xmx128m)"
    echo "  memory of the process: $rss"
    oom=0
    grep -q 'OutOfMemoryError' "$WORK/logs/cacheproxy-big.log" && oom=1
    if kill -0 "$OURS_BIG_PID" 2>/dev/null; then
        alive=1
        stop_pid "$OURS_BIG_PID"
        echo "  the proxy was still running after the transfer; stopped with TERM, exit status $STOPPED_STATUS"
    else
        alive=0
        wait "$OURS_BIG_PID" 2>/dev/null && big_exit=0 || big_exit=$?
        echo "  the proxy had exited by itself, with status $big_exit"
    fi
    if [[ "$oom" -eq 0 ]]; then
        echo "  no OutOfMemoryError in its log"
    else
        echo "  OutOfMemoryError in its log"
    fi
    verdict "$([[ "$via_code" == 200 && "$via_size" == "$BIG_BYTES" && "$alive" -eq 1 && "$oom" -eq 0 ]] && echo 1 || echo 0)" \
        "1 GiB through -Xmx128m: complete ($via_size of $BIG_BYTES bytes), no OutOfMemoryError"
fi
echo

if [[ "$FAILED" -eq 0 ]]; then
    echo "== all targets met"
else
    echo "== $FAILED target(s) not met"
fi
