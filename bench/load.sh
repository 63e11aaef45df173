#!/usr/bin/env bash
# Load benchmark for the example caching proxy, measured with wrk and optionally interleaved with nginx
# proxy_cache and Varnish in front of the same origin: cache hits on one object (1 KiB, 64 KiB, 1 MiB),
# hits on many connections, hits on many objects requested at random, the latency a miss adds over the
# origin, memory per stored object, allocation per request of our proxy, request collapsing, and a
# 1 GiB pass-through under -Xmx128m. Everything listens on 127.0.0.1 and is stopped by process id on
# exit. See bench/README.md.
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
QUICK=false
KEEP=false
PROFILE_DIR=""
DURATION=""
WARMUP=""
ROUNDS=""
CONNECTIONS_LIST=""
OBJECTS_LIST=""
CASES_LIST="hits,connections,objects,miss,collapsing,1g"
THREADS=1
PORT_FROM=20000
PORT_TO=32767
COLLAPSE_CLIENTS=100
COLLAPSE_DELAY_MS=1000
# The targets of issue 14, checked at the end of a run.
readonly ALLOC_TARGET_BYTES=1024
readonly MISS_OVERHEAD_TARGET_MS=0.2

usage() {
    cat <<'EOF'
usage: bench/load.sh [options]

Measures the example caching proxy on 127.0.0.1 with wrk, each case interleaved with the peers:
  hits         one object of 1 KiB, 64 KiB and 1 MiB, hit again and again
  connections  the 1 KiB hit on more connections (each --connections value after the first)
  objects      N distinct 1 KiB objects requested at random (each --objects value), after priming
               each server with every one of them; then memory per stored object
  miss         the latency a miss adds over asking the origin directly (one connection, fresh URLs)
  collapsing   100 concurrent requests for one uncached URL on a slow origin
  1g           a 1 GiB pass-through with -Xmx128m
For our proxy every measured run also reports the allocation per request (whole process, from the
JVM's per-thread allocation counters) and the young collections during the run.

  --vs-nginx          also measure nginx proxy_cache in front of the same origin, interleaved
  --vs-varnish        also measure Varnish in front of the same origin, interleaved
  --cases LIST        which cases, comma-separated (default all: hits,connections,objects,miss,collapsing,1g)
  --objects LIST      object counts for the objects case (default 100000,1000000; 10000 with --quick)
  --connections LIST  wrk connections: the first for every case, each further one adds a 1 KiB hit
                      case on that many (default 32,1000; 32,200 with --quick)
  --duration SECS     measured seconds per wrk run (default 10; 2 with --quick)
  --warmup SECS       unmeasured wrk seconds per server and case before measuring (default 5; 2 with --quick)
  --rounds N          measured rounds per server and case; the best is reported (default 2; 1 with --quick)
  --threads N         wrk threads (default 1)
  --ports FROM-TO     the ports its servers may listen on (default 20000-32767)
  --quick             a short smoke run: 2 s warm-up, 2 s per case, 1 round, 10000 objects, 200 connections
  --skip-1g           the same as leaving 1g out of --cases
  --keep              keep the temporary directory (logs, configs) instead of deleting it
  --profile DIR       after each case's measured rounds, one more unmeasured run of our proxy under Java
                      Flight Recorder (settings=profile); the recordings go to DIR/CASE.jfr and, with a
                      JDK 21+ `jfr` on the PATH or in JFR_HOME/bin, the hottest methods, the allocation by
                      site and the GC pauses are printed after the results
  --help              show this and exit

Installs wrk, nginx-light, curl (and varnish with --vs-varnish) with apt-get when they are missing,
which needs root (or password-less sudo). Builds examples/target/cacheproxy-example.jar when missing.
Set CACHEPROXY_BENCH_JVM_OPTS to change our proxy's JVM flags (default: -Xms512m -Xmx512m -XX:+UseG1GC),
and CACHEPROXY_BENCH_FLAGS to add flags of the example proxy (e.g. "--heap-size 8MiB").
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

need_list() {
    [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"
    [[ "$2" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "$1 needs positive whole numbers separated by commas, not '$2'"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --vs-nginx) VS_NGINX=true ;;
        --vs-varnish) VS_VARNISH=true ;;
        --cases) [[ $# -ge 2 ]] || die "--cases needs a value"; CASES_LIST="$2"; shift ;;
        --objects) need_list "$@"; OBJECTS_LIST="$2"; shift ;;
        --connections) need_list "$@"; CONNECTIONS_LIST="$2"; shift ;;
        --duration) need_value "$@"; DURATION="$2"; shift ;;
        --warmup) need_value "$@"; WARMUP="$2"; shift ;;
        --rounds) need_value "$@"; ROUNDS="$2"; shift ;;
        --threads) need_value "$@"; THREADS="$2"; shift ;;
        --ports)
            [[ $# -ge 2 && "$2" =~ ^([0-9]+)-([0-9]+)$ ]] || die "--ports needs a range such as 24000-24999"
            PORT_FROM="${BASH_REMATCH[1]}"; PORT_TO="${BASH_REMATCH[2]}"
            ((PORT_FROM >= 1024 && PORT_TO <= 65535 && PORT_TO - PORT_FROM >= 20)) || die "--ports needs at least 20 ports between 1024 and 65535"
            shift ;;
        --quick) QUICK=true ;;
        --skip-1g) CASES_LIST="$(tr ',' '\n' <<<"$CASES_LIST" | grep -vx 1g | paste -sd, -)" ;;
        --keep) KEEP=true ;;
        --profile) [[ $# -ge 2 && -n "$2" ]] || die "--profile needs a directory"; PROFILE_DIR="$2"; shift ;;
        --help | -h) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
if $QUICK; then
    DURATION="${DURATION:-2}"; WARMUP="${WARMUP:-2}"; ROUNDS="${ROUNDS:-1}"
    OBJECTS_LIST="${OBJECTS_LIST:-10000}"; CONNECTIONS_LIST="${CONNECTIONS_LIST:-32,200}"
else
    DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-5}"; ROUNDS="${ROUNDS:-2}"
    OBJECTS_LIST="${OBJECTS_LIST:-100000,1000000}"; CONNECTIONS_LIST="${CONNECTIONS_LIST:-32,1000}"
fi
IFS=, read -r -a OBJECT_COUNTS <<<"$OBJECTS_LIST"
IFS=, read -r -a CONNECTION_COUNTS <<<"$CONNECTIONS_LIST"
CONNECTIONS="${CONNECTION_COUNTS[0]}"
MORE_CONNECTIONS=("${CONNECTION_COUNTS[@]:1}")
[[ "$CONNECTIONS" -ge "$THREADS" ]] || die "--connections must be at least --threads"
declare -A WANT=()
IFS=, read -r -a wanted_cases <<<"$CASES_LIST"
for c in "${wanted_cases[@]}"; do
    case "$c" in
        hits | connections | objects | miss | collapsing | 1g) WANT[$c]=1 ;;
        "") ;;
        *) die "unknown case '$c' in --cases (known: hits,connections,objects,miss,collapsing,1g)" ;;
    esac
done
wants() { [[ -n "${WANT[$1]:-}" ]]; }
MAX_OBJECTS=0
if wants objects; then
    for n in "${OBJECT_COUNTS[@]}"; do ((n > MAX_OBJECTS)) && MAX_OBJECTS=$n; done
fi

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
    if ! command -v java >/dev/null || ! command -v jstat >/dev/null || ! command -v jcmd >/dev/null; then
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
# A thousand connections need a thousand descriptors in wrk and in every server, plus their files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
for c in "${CONNECTION_COUNTS[@]}"; do
    [[ "$(ulimit -n)" == unlimited || "$(ulimit -n)" -gt $((c + 256)) ]] \
        || die "--connections $c needs more open files than the limit of $(ulimit -n) (ulimit -n)"
done

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
NEXT_PORT=$((PORT_FROM + RANDOM % (PORT_TO - PORT_FROM + 1)))
alloc_port() { # alloc_port VAR : the next free port of the range into VAR
    local tries
    for ((tries = 0; tries < 500; tries++)); do
        NEXT_PORT=$((NEXT_PORT + 1))
        ((NEXT_PORT <= PORT_TO)) || NEXT_PORT="$PORT_FROM"
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
        grep -qs '^cacheproxy: caching proxy on' "$WORK/logs/$name.log" && return 0
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/logs/$name.log" >&2; die "$name exited while starting (log above)"; }
        sleep 0.1
    done
    die "$name did not start within 60 s"
}

mib_at_least() { # mib_at_least BYTES MIN_MIB : BYTES in whole MiB, rounded up, at least MIN_MIB
    awk -v b="$1" -v m="$2" 'BEGIN { v = int((b + 1048575) / 1048576); print (v > m) ? v : m }'
}

# ---------------------------------------------------------------------------------------------------
# Origins and servers

readonly SIZES=(1KiB 64KiB 1MiB)
declare -A SIZE_BYTES=([1KiB]=1024 [64KiB]=65536 [1MiB]=1048576)
readonly BIG_BYTES=$((1024 * 1024 * 1024))

free_kib="$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')"
need_kib=$((256 * 1024 + MAX_OBJECTS * 12))
[[ "$free_kib" -ge "$need_kib" ]] || die "less than $((need_kib / 1024)) MiB free in $WORK (nginx's cache keeps one file per object)"

mkdir -p "$WORK/www/big"
for size in "${SIZES[@]}"; do
    head -c "${SIZE_BYTES[$size]}" /dev/urandom >"$WORK/www/$size.bin"
done
if wants 1g; then
    # Sparse: takes no disk space, and nginx serves it as fast as the page cache allows.
    truncate -s "$BIG_BYTES" "$WORK/www/big/1GiB.bin"
fi
chmod -R a+rX "$WORK/www"

# Room for every object of the largest objects case in every server, so that none evicts: about 1.5 KiB
# per object stored (body and head) with a margin, and never less than the defaults.
STORE_MIB="$(mib_at_least $((MAX_OBJECTS * 3072)) 256)"
NGINX_ZONE_MIB="$(mib_at_least $((MAX_OBJECTS * 256)) 16)"        # nginx: about 8000 keys per MiB of keys_zone
NGINX_MAX_MIB="$(mib_at_least $((MAX_OBJECTS * 16384)) 1024)"     # counted in file-system blocks
OURS_FLAGS=()
if [[ "$STORE_MIB" -gt 256 ]]; then
    OURS_FLAGS+=(--offheap-size "${STORE_MIB}MiB")
    # Ehcache's off-heap tier is direct memory, which the JVM caps at -Xmx unless told otherwise.
    grep -q 'MaxDirectMemorySize' <<<"$JVM_OPTS" || JVM_OPTS="$JVM_OPTS -XX:MaxDirectMemorySize=$((STORE_MIB + 256))m"
fi
# A token for the admin endpoint's /stats (memory per stored object); the endpoint only listens on loopback here.
ADMIN_TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OURS_FLAGS+=(--admin-token "$ADMIN_TOKEN")
# Extra flags for our proxy, e.g. to compare store settings: CACHEPROXY_BENCH_FLAGS="--heap-size 8MiB".
read -r -a extra_flags <<<"${CACHEPROXY_BENCH_FLAGS:-}"
OURS_FLAGS+=("${extra_flags[@]}")

alloc_port ORIGIN_PORT
alloc_port SLOW_PORT
alloc_port OURS_PORT
alloc_port NGINX_PORT
alloc_port VARNISH_PORT
alloc_port OURS_SLOW_PORT
alloc_port OURS_BIG_PORT

# The origin: a separate nginx serving static files with one worker, logging each request so that we can
# count what reached it. It only sees misses, so it is never the bottleneck of a hit benchmark. Every
# /obj/... path is a distinct object with the same 1 KiB body.
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
        location /obj/ {
            try_files /1KiB.bin =404;
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
worker_rlimit_nofile 65536;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    sendfile on;
    # tcp_nopush stays off (the default): with proxy_cache and sendfile it stalls each 64 KiB hit by about
    # 40 ms on loopback (TCP_CORK against delayed ACKs), which would measure a misconfiguration.
    keepalive_requests 1000000;
    proxy_cache_path $WORK/nginx/cache levels=1:2 keys_zone=bench:${NGINX_ZONE_MIB}m max_size=${NGINX_MAX_MIB}m inactive=1h use_temp_path=off;
    upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 32; }
    upstream slow { server 127.0.0.1:$SLOW_PORT; keepalive 32; }
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
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

# wrk scripts. random.lua: N objects at random. prime.lua: each of N objects once, in order, then writes
# a marker file and stops (wrk itself runs on until its duration, so the caller stops it). miss.lua: a
# new object on every request.
cat >"$WORK/random.lua" <<'EOF'
local n = 1
function init(args)
    n = tonumber(args[1])
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
function request()
    return wrk.format(nil, "/obj/" .. math.random(n))
end
EOF
cat >"$WORK/prime.lua" <<'EOF'
local n, sent, answered, failed, marker = 1, 0, 0, 0, nil
function init(args)
    n = tonumber(args[1])
    marker = args[2]
end
function request()
    sent = sent + 1
    return wrk.format(nil, "/obj/" .. (((sent - 1) % n) + 1))
end
function response(status, headers, body)
    answered = answered + 1
    if status ~= 200 then failed = failed + 1 end
    if answered == n then
        local f = io.open(marker, "w")
        f:write(failed, "\n")
        f:close()
        wrk.thread:stop()
    end
end
EOF
cat >"$WORK/miss.lua" <<'EOF'
local prefix, i = "", 0
function init(args)
    prefix = args[1]
end
function request()
    i = i + 1
    return wrk.format(nil, "/obj/miss-" .. prefix .. "-" .. i)
end
EOF

SERVERS=(cacheproxy)
$VS_NGINX && SERVERS+=(nginx)
$VS_VARNISH && SERVERS+=(varnish)
declare -A BASE_URL=(
    [cacheproxy]="http://127.0.0.1:$OURS_PORT"
    [nginx]="http://127.0.0.1:$NGINX_PORT"
    [varnish]="http://127.0.0.1:$VARNISH_PORT"
    [origin]="http://127.0.0.1:$ORIGIN_PORT"
)
declare -A SERVER_PID=()
declare -A HIT_HEADER=([cacheproxy]='^cache-status: *cacheproxy; *hit' [nginx]='^x-cache: *HIT' [varnish]='^x-cache: *HIT')

start_bg origin nginx -p "$WORK/origin/" -c "$WORK/origin/nginx.conf" -e "$WORK/origin/error.log" -g 'daemon off;'
wait_http origin "$STARTED_PID" "http://127.0.0.1:$ORIGIN_PORT/1KiB.bin"

echo "== cacheproxy load benchmark"
echo "machine:     $(nproc) cores, $(uname -sr); everything (wrk too) shares these cores; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java:        $(java -version 2>&1 | head -n 1)"
echo "wrk:         $(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }'), -t$THREADS -c$CONNECTIONS --latency (other connection counts where said)"
echo "runs:        warm-up ${WARMUP}s per server and case, then $ROUNDS round(s) of ${DURATION}s, interleaved; best req/s of the rounds reported with that round's p50/p99"
echo "cases:       ${CASES_LIST}; objects ${OBJECTS_LIST}; connections ${CONNECTIONS_LIST}"
echo "cacheproxy:  java $JVM_OPTS -jar examples/target/cacheproxy-example.jar ${OURS_FLAGS[*]/$ADMIN_TOKEN/TOKEN}"
echo "origin:      nginx (1 worker) serving static files with Cache-Control: public, max-age=3600"
if $VS_NGINX; then
    echo "nginx:       $(nginx -v 2>&1 | sed 's/^nginx version: //'), proxy_cache (keys_zone ${NGINX_ZONE_MIB}m, max_size ${NGINX_MAX_MIB}m), worker_processes auto"
    start_bg nginx nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;'
    SERVER_PID[nginx]="$STARTED_PID"
    wait_http nginx "$STARTED_PID" "${BASE_URL[nginx]}/"
fi
if $VS_VARNISH; then
    echo "varnish:     $(varnishd -V 2>&1 | head -n 1 | sed 's/^varnishd (//; s/ revision.*//'), -s malloc,${STORE_MIB}m, default thread pools"
    varnish_jail=()
    # The default unix jail needs root; an ordinary user runs varnishd without one.
    [[ "$EUID" -eq 0 ]] || varnish_jail=(-j none)
    start_bg varnish varnishd -F "${varnish_jail[@]}" -a "127.0.0.1:$VARNISH_PORT" -f "$WORK/varnish.vcl" \
        -n "$WORK/varnish" -s "malloc,${STORE_MIB}m"
    SERVER_PID[varnish]="$STARTED_PID"
    wait_http varnish "$STARTED_PID" "${BASE_URL[varnish]}/"
fi
OURS_PID=""
if wants hits || wants connections || wants objects || wants miss; then
    start_ours cacheproxy "$OURS_PORT" "http://127.0.0.1:$ORIGIN_PORT" "$JVM_OPTS" "${OURS_FLAGS[@]}"
    OURS_PID="$STARTED_PID"
    SERVER_PID[cacheproxy]="$OURS_PID"
fi
echo

# ---------------------------------------------------------------------------------------------------
# Measuring

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

# The JVM's own counters of our proxy: bytes allocated per live thread (HotSpot counts them for every
# thread; a thread dump with -e prints them), and young collections with their pause time.
jvm_sample() { # jvm_sample PID FILE
    {
        jcmd "$1" Thread.print -e 2>/dev/null | awk '/^"/ && / allocated=/ {
            tid = ""; alloc = ""
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^allocated=/) alloc = substr($i, 11)
                if ($i ~ /^tid=/) tid = substr($i, 5)
            }
            unit = alloc; gsub(/[0-9]/, "", unit); value = alloc; gsub(/[^0-9]/, "", value)
            mult = (unit == "K") ? 1024 : (unit == "M") ? 1048576 : (unit == "G") ? 1073741824 : 1
            print "thread", tid, value * mult
        }'
        jcmd "$1" PerfCounter.print 2>/dev/null | awk -F= '
            /^sun.gc.collector.0.invocations=/ { print "ygc", $2 }
            /^sun.gc.collector.0.time=/ { print "ygct", $2 }
            /^sun.os.hrt.frequency=/ { print "hz", $2 }'
    } >"$2"
}

# jvm_delta BEFORE AFTER : "BYTES YGC YGC_MS": bytes allocated by the threads alive at the end (for those
# alive at both ends, the difference), young collections and their total pause in ms
jvm_delta() {
    awk 'FNR == NR { if ($1 == "thread") before[$2] = $3; else b[$1] = $2; next }
        $1 == "thread" { bytes += $3 - (($2 in before) ? before[$2] : 0) }
        $1 != "thread" { a[$1] = $2 }
        END { hz = (a["hz"] > 0) ? a["hz"] : 1e9
              printf "%d %d %.1f\n", bytes, a["ygc"] - b["ygc"], (a["ygct"] - b["ygct"]) * 1000 / hz }' "$1" "$2"
}

declare -A RPS P50 P99 ERRORS ORIGIN_REQS NOT_HIT ALLOC GCS WARMUP_USED CASE_LABEL CASE_CONNS
CASES=()

report_if_exited() { # report_if_exited SERVER : when it is no longer running, says so with its exit status and log
    local pid="${SERVER_PID[$1]:-}" status=0
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null && return 0
    wait "$pid" 2>/dev/null || status=$?
    echo "load.sh: $1 (pid $pid) is no longer running: exit status $status; the end of its log:" >&2
    tail -n 20 "$WORK/logs/$1.log" >&2
}

# check_hit CASE SERVER PATH : fetches PATH twice; the second must be a hit
check_hit() {
    local case="$1" server="$2" url headers
    url="${BASE_URL[$server]}$3"
    curl -s -o /dev/null --max-time 10 "$url" || true
    headers="$(curl -s -D - -o /dev/null --max-time 10 "$url" | tr -d '\r' || true)"
    if grep -qiE "${HIT_HEADER[$server]}" <<<"$headers"; then
        NOT_HIT["$case|$server"]=""
    else
        NOT_HIT["$case|$server"]="second request not a hit"
        report_if_exited "$server"
        echo "WARNING: $server: the second request for $3 was not a hit:" >&2
        grep -iE '^(cache-status|x-cache|age):' <<<"$headers" >&2 || echo "  (no cache header)" >&2
    fi
}

# wrk_args CASE : the wrk arguments after the URL's base, for a case
run_wrk() { # run_wrk CASE SERVER SECONDS OUT [--latency]
    local case="$1" server="$2" seconds="$3" out="$4" latency="${5:-}" conns target
    conns="${CASE_CONNS[$case]}"
    target="${CASE_TARGET[$case]}"
    local cmd=(wrk -t"$THREADS" -c"$conns" -d"${seconds}s" --timeout 5s)
    [[ -z "$latency" ]] || cmd+=(--latency)
    case "$target" in
        random:*) cmd+=(-s "$WORK/random.lua" "${BASE_URL[$server]}/" -- "${target#random:}") ;;
        miss) cmd+=(-s "$WORK/miss.lua" "${BASE_URL[$server]}/" -- "$server$RANDOM$RANDOM") ;;
        *) cmd+=("${BASE_URL[$server]}$target") ;;
    esac
    "${cmd[@]}" >"$out" 2>&1 || true
}

# measure CASE SERVER : one measured wrk run; keeps it when it beats the best so far
measure() {
    local case="$1" server="$2" out before after rps p50 p99 non2xx socket requests key="$1|$2"
    out="$WORK/logs/wrk-$case-$server-$RANDOM.txt"
    before="$(origin_requests)"
    [[ "$server" != cacheproxy ]] || jvm_sample "$OURS_PID" "$WORK/logs/jvm-before"
    run_wrk "$case" "$server" "$DURATION" "$out" --latency
    [[ "$server" != cacheproxy ]] || jvm_sample "$OURS_PID" "$WORK/logs/jvm-after"
    after="$(origin_requests)"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    if [[ -z "$rps" ]]; then
        cat "$out" >&2
        report_if_exited "$server"
        die "wrk failed against $server"
    fi
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
    requests="$(awk '/requests in/ { print $1 }' "$out")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
    socket="$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")"
    local alloc="" gcs="" extra=""
    if [[ "$server" == cacheproxy ]]; then
        read -r bytes ygc ygc_ms <<<"$(jvm_delta "$WORK/logs/jvm-before" "$WORK/logs/jvm-after")"
        alloc="$(awk -v b="$bytes" -v r="$requests" 'BEGIN { if (r > 0) printf "%.0f", b / r; else print "n/a" }')"
        gcs="$ygc young GCs, ${ygc_ms} ms paused"
        extra="  alloc $alloc B/req  ($gcs)"
    fi
    if [[ -z "${RPS[$key]:-}" ]] || awk -v a="$rps" -v b="${RPS[$key]}" 'BEGIN { exit !(a > b) }'; then
        RPS[$key]="$rps"
        P50[$key]="$p50"
        P99[$key]="$p99"
        ALLOC[$key]="$alloc"
        GCS[$key]="$gcs"
    fi
    ERRORS[$key]=$((${ERRORS[$key]:-0} + ${non2xx:-0} + ${socket:-0}))
    ORIGIN_REQS[$key]=$((${ORIGIN_REQS[$key]:-0} + after - before))
    printf '  %-14s %-10s round: %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms%s\n' "$case" "$server" "$rps" "$p50" "$p99" "$extra"
}

# prime_objects SERVER N : requests /obj/1 .. /obj/N once each (bounded in time), then checks a hit
prime_objects() {
    local server="$1" n="$2" marker="$WORK/prime-$server-$2" before started elapsed pid limit i
    before="$(origin_requests)"
    started="$(date +%s)"
    # A generous bound: 200 misses/s at worst, plus a minute.
    limit=$((n / 200 + 60))
    rm -f "$marker"
    wrk -t1 -c"$CONNECTIONS" -d"${limit}s" --timeout 10s -s "$WORK/prime.lua" "${BASE_URL[$server]}/" -- "$n" "$marker" \
        >"$WORK/logs/prime-$server-$n.txt" 2>&1 &
    pid=$!
    for ((i = 0; i < limit * 10; i++)); do
        [[ -f "$marker" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    elapsed=$(($(date +%s) - started))
    [[ -f "$marker" ]] || die "priming $server with $n objects did not finish within ${limit}s"
    local failed
    failed="$(cat "$marker")"
    printf '  primed %-10s with %s objects in %ss (%s reached the origin, %s not 200)\n' "$server" "$n" "$elapsed" \
        "$(($(origin_requests) - before))" "$failed"
    PRIME_SECONDS["$server|$n"]="$elapsed"
}
declare -A PRIME_SECONDS=()

# run_case CASE : primes, warms up and measures every server, interleaved
run_case() {
    local case="$1" target="${CASE_TARGET[$1]}" server round i order
    echo "-- ${CASE_LABEL[$case]} (wrk -c${CASE_CONNS[$case]})"
    for server in "${SERVERS[@]}"; do
        case "$target" in
            random:*)
                prime_objects "$server" "${target#random:}"
                check_hit "$case" "$server" "/obj/$((RANDOM % ${target#random:} + 1))"
                WARMUP_USED[$case]="each server primed with every object once, then ${WARMUP}s of wrk"
                ;;
            /*)
                check_hit "$case" "$server" "$target"
                WARMUP_USED[$case]="one priming request and ${WARMUP}s of wrk per server"
                ;;
        esac
        run_wrk "$case" "$server" "$WARMUP" /dev/null
    done
    for ((round = 1; round <= ROUNDS; round++)); do
        # Alternate the order per round, so that no server always runs right after another one.
        order=("${CASE_SERVERS[@]}")
        if ((round % 2 == 0)); then
            order=()
            for ((i = ${#CASE_SERVERS[@]} - 1; i >= 0; i--)); do order+=("${CASE_SERVERS[$i]}"); done
        fi
        for server in "${order[@]}"; do
            measure "$case" "$server"
        done
    done
    [[ -z "$PROFILE_DIR" ]] || profile_case "$case"
}

# profile_case CASE : one more (unmeasured) run of our proxy under Java Flight Recorder
profile_case() {
    local case="$1" file
    mkdir -p "$PROFILE_DIR"
    file="$(cd "$PROFILE_DIR" && pwd)/$case.jfr"
    rm -f "$file"
    jcmd "$OURS_PID" JFR.start name="bench-$case" settings=profile >/dev/null
    run_wrk "$case" cacheproxy "$DURATION" "$WORK/logs/wrk-$case-profiled.txt"
    jcmd "$OURS_PID" JFR.stop name="bench-$case" filename="$file" >/dev/null
    PROFILED+=("$case")
}
PROFILED=()

# A `jfr` that has the `view` command (JDK 21+), or nothing.
jfr_with_views() {
    local candidate
    for candidate in ${JFR_HOME:+"$JFR_HOME/bin/jfr"} "$(command -v jfr || true)"; do
        [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" help view >/dev/null 2>&1 && { echo "$candidate"; return; }
    done
}

print_profiles() {
    local jfr case view
    [[ ${#PROFILED[@]} -gt 0 ]] || return 0
    echo
    echo "== profiles (one unmeasured run of ${DURATION}s per case under JFR; recordings in $PROFILE_DIR)"
    jfr="$(jfr_with_views)"
    if [[ -z "$jfr" ]]; then
        echo "  no jfr with views here (JDK 21+): open the recordings with JDK Mission Control or 'jfr view' of a newer JDK"
        return 0
    fi
    for case in "${PROFILED[@]}"; do
        for view in hot-methods allocation-by-site gc-pauses; do
            echo "-- $case: $view"
            "$jfr" view --width 160 "$view" "$PROFILE_DIR/$case.jfr" 2>&1 | sed -n '1,30p'
        done
    done
}

declare -A CASE_TARGET=()
add_case() { # add_case ID LABEL TARGET CONNECTIONS
    CASES+=("$1")
    CASE_LABEL[$1]="$2"
    CASE_TARGET[$1]="$3"
    CASE_CONNS[$1]="$4"
}
HIT_CASES=()
if wants hits; then
    for size in "${SIZES[@]}"; do
        add_case "hit-$size" "hits on one $size object" "/$size.bin" "$CONNECTIONS"
        HIT_CASES+=("hit-$size")
    done
fi
if wants connections; then
    for c in "${MORE_CONNECTIONS[@]}"; do
        add_case "conn-$c" "hits on one 1KiB object over $c connections" "/1KiB.bin" "$c"
        HIT_CASES+=("conn-$c")
    done
fi
if wants objects; then
    for n in "${OBJECT_COUNTS[@]}"; do
        add_case "objects-$n" "hits on $n distinct 1KiB objects at random" "random:$n" "$CONNECTIONS"
        HIT_CASES+=("objects-$n")
    done
fi

# Memory per stored object, for the largest objects case: our proxy's heap after a full collection
# (jcmd GC.run, GC.heap_info) and the bytes its store holds (admin /stats), Varnish's storage
# (varnishstat SMA.s0.g_bytes per MAIN.n_object), nginx's cache directory on disk (du), each as the
# growth from before the objects were stored to after.
ours_heap_used() {
    jcmd "$OURS_PID" GC.run >/dev/null 2>&1 || true
    jcmd "$OURS_PID" GC.heap_info 2>/dev/null | awk '/heap/ && /used/ {
        for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/[^0-9]/, "", v); print v * 1024; exit } }'
}
ours_store() { # prints "ENTRIES BYTES" of our store
    curl -s --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" "${BASE_URL[cacheproxy]}/_cacheproxy/stats" \
        | sed -n 's/.*"store":{"entries":\([0-9]*\),"bytes":\([0-9]*\).*/\1 \2/p'
}
varnish_store() { # prints "OBJECTS BYTES" of Varnish's malloc storage
    varnishstat -n "$WORK/varnish" -1 -f MAIN.n_object -f SMA.s0.g_bytes 2>/dev/null \
        | awk '$1 == "MAIN.n_object" { o = $2 } $1 == "SMA.s0.g_bytes" { b = $2 } END { print o + 0, b + 0 }'
}
nginx_store() { # prints "FILES BYTES" of nginx's cache directory
    echo "$(find "$WORK/nginx/cache" -type f | wc -l) $(($(du -sk "$WORK/nginx/cache" | cut -f1) * 1024))"
}
memory_sample() { # memory_sample SERVER : "OBJECTS BYTES HEAP_BYTES" (heap only for our proxy)
    case "$1" in
        cacheproxy) echo "$(ours_store) $(ours_heap_used)" ;;
        varnish) echo "$(varnish_store) 0" ;;
        nginx) echo "$(nginx_store) 0" ;;
    esac
}
declare -A MEM_BEFORE=() MEM_AFTER=()

CASE_SERVERS=("${SERVERS[@]}")
if [[ ${#CASES[@]} -gt 0 ]]; then
    echo "== cache hits (each server is primed, checked for a hit, and warmed up per case)"
    for case in "${CASES[@]}"; do
        if [[ "$case" == objects-* && ${#MEM_BEFORE[@]} -eq 0 ]]; then
            # Before the first objects case: what the servers hold before they store the objects.
            for server in "${SERVERS[@]}"; do MEM_BEFORE[$server]="$(memory_sample "$server")"; done
        fi
        run_case "$case"
    done
    if wants objects; then
        for server in "${SERVERS[@]}"; do MEM_AFTER[$server]="$(memory_sample "$server")"; done
    fi
    echo
fi

if wants miss; then
    add_case miss "a miss on a fresh 1KiB object each time, one connection, against the origin directly" miss 1
    CASE_SERVERS=(origin "${SERVERS[@]}")
    echo "== misses: every request for a URL not seen before (wrk -c1), the origin directly as the baseline"
    run_case miss
    WARMUP_USED[miss]="${WARMUP}s of misses per server"
    CASE_SERVERS=("${SERVERS[@]}")
    echo
fi

ratio() { # ratio A B -> A/B with two decimals, or n/a
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

if [[ ${#CASES[@]} -gt 0 ]]; then
    echo "== results (best of $ROUNDS round(s) of ${DURATION}s per server and case, wrk -t$THREADS)"
    printf '%-16s %-10s %10s %9s %9s %7s %8s %9s  %s\n' case server "req/s" "p50 ms" "p99 ms" errors origin "B/req" \
        "ratio of cacheproxy (req/s; p99)"
    for case in "${CASES[@]}"; do
        servers=("${SERVERS[@]}")
        [[ "$case" != miss ]] || servers=(origin "${SERVERS[@]}")
        ours="$case|cacheproxy"
        for server in "${servers[@]}"; do
            key="$case|$server"
            note=""
            if [[ "$server" != cacheproxy ]]; then
                note="$(ratio "${RPS[$ours]}" "${RPS[$key]}")x; p99 $(ratio "${P99[$ours]}" "${P99[$key]}")x"
            fi
            [[ -z "${NOT_HIT[$key]:-}" ]] || note="$note (${NOT_HIT[$key]})"
            printf '%-16s %-10s %10.0f %9.3f %9.3f %7s %8s %9s  %s\n' "$case" "$server" "${RPS[$key]}" "${P50[$key]}" \
                "${P99[$key]}" "${ERRORS[$key]}" "${ORIGIN_REQS[$key]}" "${ALLOC[$key]:--}" "$note"
        done
    done
    echo "(errors: non-2xx responses and socket errors; origin: requests that reached the origin while measuring;"
    echo " B/req: bytes our proxy allocated per request in that round, all threads, from the JVM's per-thread counters)"
    for case in "${CASES[@]}"; do
        printf '  %-16s warm-up: %s; cacheproxy in its best round: %s\n' "$case" "${WARMUP_USED[$case]:-}" "${GCS[$case|cacheproxy]:-}"
    done
    echo
fi

if wants objects && [[ ${#MEM_BEFORE[@]} -gt 0 ]]; then
    echo "== memory per stored object (after priming ${OBJECT_COUNTS[*]} objects of 1 KiB; growth over the servers' state before)"
    for server in "${SERVERS[@]}"; do
        read -r n0 b0 h0 <<<"${MEM_BEFORE[$server]}"
        read -r n1 b1 h1 <<<"${MEM_AFTER[$server]}"
        objects=$((n1 - n0))
        if [[ "$objects" -le 0 ]]; then
            printf '  %-10s could not count stored objects (%s -> %s)\n' "$server" "${MEM_BEFORE[$server]}" "${MEM_AFTER[$server]}"
            continue
        fi
        case "$server" in
            cacheproxy)
                awk -v n="$objects" -v b="$((b1 - b0))" -v h="$((h1 - h0))" 'BEGIN {
                    printf "  %-10s %8d objects: %6.0f B/object stored (off-heap, our entry format: head, body, times) + %5.0f B/object on the heap after a full GC = %6.0f B/object, %5.0f beyond the 1024-byte body\n",
                        "cacheproxy", n, b / n, h / n, (b + h) / n, (b + h) / n - 1024 }' ;;
            varnish)
                awk -v n="$objects" -v b="$((b1 - b0))" 'BEGIN {
                    printf "  %-10s %8d objects: %6.0f B/object (SMA.s0.g_bytes per MAIN.n_object), %5.0f beyond the 1024-byte body\n",
                        "varnish", n, b / n, b / n - 1024 }' ;;
            nginx)
                awk -v n="$objects" -v b="$((b1 - b0))" 'BEGIN {
                    printf "  %-10s %8d objects: %6.0f B/object on disk (du of the cache directory; file-system blocks), plus its keys_zone in shared memory\n",
                        "nginx", n, b / n }' ;;
        esac
    done
    echo "  (cacheproxy's off-heap figure is the bytes of its entries; Ehcache's own per-entry index is not in it)"
    echo
fi

print_profiles

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
if [[ ${#CASES[@]} -gt 0 ]]; then
    if [[ ${#PEERS[@]} -eq 0 ]]; then
        echo "  n/a   throughput and p99 against peers: run with --vs-nginx and/or --vs-varnish"
    else
        for case in "${HIT_CASES[@]}"; do
            [[ "$case" != hit-1MiB ]] || continue
            fastest="" best_p99_peer=""
            for peer in "${PEERS[@]}"; do
                key="$case|$peer"
                if [[ -z "$fastest" ]] || awk -v a="${RPS[$key]}" -v b="${RPS[$case|$fastest]}" 'BEGIN { exit !(a > b) }'; then
                    fastest="$peer"
                fi
                if [[ -z "$best_p99_peer" ]] || awk -v a="${P99[$key]}" -v b="${P99[$case|$best_p99_peer]}" 'BEGIN { exit !(a < b) }'; then
                    best_p99_peer="$peer"
                fi
            done
            ours_rps="${RPS[$case|cacheproxy]}"
            peer_rps="${RPS[$case|$fastest]}"
            ok=$(awk -v a="$ours_rps" -v b="$peer_rps" 'BEGIN { print (a >= 1.1 * b) ? 1 : 0 }')
            verdict "$ok" "$(printf '%-14s throughput >= 1.1x the faster peer: %.0f vs %.0f req/s (%s) = %sx' \
                "$case" "$ours_rps" "$peer_rps" "$fastest" "$(ratio "$ours_rps" "$peer_rps")")"
            ok=$(awk -v a="${P99[$case|cacheproxy]}" -v b="${P99[$case|$best_p99_peer]}" 'BEGIN { print (a <= b) ? 1 : 0 }')
            verdict "$ok" "$(printf '%-14s p99 no worse than the better peer: %.3f vs %.3f ms (%s)' \
                "$case" "${P99[$case|cacheproxy]}" "${P99[$case|$best_p99_peer]}" "$best_p99_peer")"
        done
        [[ ${#PEERS[@]} -eq 2 ]] || echo "  note: only ${PEERS[*]} measured; the target is against the faster of nginx and Varnish"
    fi
    for case in "${HIT_CASES[@]}"; do
        [[ "$case" == conn-* ]] || continue
        verdict "$([[ "${ERRORS[$case|cacheproxy]}" -eq 0 ]] && echo 1 || echo 0)" \
            "$(printf '%-14s no errors: cacheproxy had %s' "$case" "${ERRORS[$case|cacheproxy]}")"
    done
    if [[ -n "${ALLOC[hit-1KiB|cacheproxy]:-}" ]]; then
        a="${ALLOC[hit-1KiB|cacheproxy]}"
        verdict "$(awk -v a="$a" -v t="$ALLOC_TARGET_BYTES" 'BEGIN { print (a + 0 <= t) ? 1 : 0 }')" \
            "$(printf '%-14s allocation per hit <= %s B, whole process: %s B' hit-1KiB "$ALLOC_TARGET_BYTES" "$a")"
    fi
    if [[ -n "${P50[miss|cacheproxy]:-}" ]]; then
        overhead="$(awk -v a="${P50[miss|cacheproxy]}" -v b="${P50[miss|origin]}" 'BEGIN { printf "%.3f", a - b }')"
        verdict "$(awk -v o="$overhead" -v t="$MISS_OVERHEAD_TARGET_MS" 'BEGIN { print (o <= t) ? 1 : 0 }')" \
            "$(printf '%-14s a miss adds <= %s ms at p50 over the origin: %s ms (%.3f vs %.3f ms)' miss "$MISS_OVERHEAD_TARGET_MS" \
                "$overhead" "${P50[miss|cacheproxy]}" "${P50[miss|origin]}")"
    fi
fi
# Free the cores for the next cases.
[[ -z "$OURS_PID" ]] || stop_pid "$OURS_PID"
echo

# ---------------------------------------------------------------------------------------------------
# Request collapsing

if wants collapsing; then
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
fi

# ---------------------------------------------------------------------------------------------------
# 1 GiB pass-through

if ! wants 1g; then
    echo "== 1 GiB pass-through: skipped"
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
