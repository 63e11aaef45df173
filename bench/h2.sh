#!/usr/bin/env bash
# Cache hits over HTTPS with HTTP/2: the example proxy against nginx proxy_cache, both with the same
# certificate (made here with openssl) in front of the same origin, measured with h2load (Debian's
# nghttp2-client), interleaved, best of N rounds. Everything listens on 127.0.0.1 and is stopped by
# process id on exit. See bench/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
readonly JAR="$REPO_DIR/examples/target/cacheproxy-example.jar"
export PATH="$PATH:/usr/sbin:/sbin"

JVM_OPTS="${CACHEPROXY_BENCH_JVM_OPTS:--Xms512m -Xmx512m -XX:+UseG1GC}"
DURATION=10
WARMUP=3
PREWARM=15
ROUNDS=2
CLIENTS=32
STREAMS=10
PORT_BASE=""
KEEP=false

usage() {
    cat <<'EOF'
usage: bench/h2.sh [options]

Cache hits of 1 KiB and 64 KiB over HTTPS with HTTP/2 (TLS 1.3), the example proxy against nginx
proxy_cache with the same certificate, measured with h2load; prints requests/s, mean latency and the
ratio of ours to nginx's.

  --duration SECS    measured seconds per h2load run (default 10)
  --warmup SECS      h2load's warm-up before each measured run (default 3)
  --prewarm SECS     an unmeasured h2load run per server and size before the rounds, so that the JVM
                     has compiled its TLS and HTTP/2 paths (default 15)
  --rounds N         measured rounds per server and size, interleaved; the best is reported (default 2)
  --clients N        h2load connections (default 32)
  --streams N        concurrent streams per connection (default 10)
  --port-base N      use ports N to N+3 (default: free ports found near a random one)
  --keep             keep the temporary directory (logs, configs, certificate)
  --help             show this and exit

Installs nginx-light, nghttp2-client, openssl and curl with apt-get when they are missing (needs
root or password-less sudo). Builds examples/target/cacheproxy-example.jar when missing.
EOF
}

die() {
    echo "h2.sh: $*" >&2
    exit 1
}

need_number() {
    [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "$1 needs a positive whole number"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) need_number "$@"; DURATION="$2"; shift ;;
        --warmup) need_number "$@"; WARMUP="$2"; shift ;;
        --prewarm) need_number "$@"; PREWARM="$2"; shift ;;
        --rounds) need_number "$@"; ROUNDS="$2"; shift ;;
        --clients) need_number "$@"; CLIENTS="$2"; shift ;;
        --streams) need_number "$@"; STREAMS="$2"; shift ;;
        --port-base) need_number "$@"; PORT_BASE="$2"; shift ;;
        --keep) KEEP=true ;;
        --help | -h) usage; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done

install_missing() {
    local packages=()
    command -v curl >/dev/null || packages+=(curl)
    command -v openssl >/dev/null || packages+=(openssl)
    command -v h2load >/dev/null || packages+=(nghttp2-client)
    command -v nginx >/dev/null || packages+=(nginx-light)
    command -v java >/dev/null || packages+=(openjdk-17-jdk-headless)
    if [[ ! -f "$JAR" ]] && ! command -v mvn >/dev/null; then
        packages+=(maven)
    fi
    [[ ${#packages[@]} -gt 0 ]] || return 0
    local sudo=()
    if [[ "$EUID" -ne 0 ]]; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null || die "missing ${packages[*]}; run as root or apt-get install them first"
        sudo=(sudo)
    fi
    echo "h2.sh: installing ${packages[*]} (apt-get update first)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; then
        local fallback=("${packages[@]/nginx-light/nginx}") # some releases have no nginx-light
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${fallback[@]}" >/dev/null \
            || die "apt-get install ${fallback[*]} failed"
    fi
}

install_missing
if [[ ! -f "$JAR" ]]; then
    echo "h2.sh: building $JAR (mvn -B -q package -DskipTests)"
    (cd "$REPO_DIR" && mvn -B -q package -DskipTests) || die "the build failed"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cacheproxy-h2.XXXXXX")"
chmod 755 "$WORK" # nginx's workers (nobody) read the files and the certificate
mkdir -p "$WORK/logs" "$WORK/www" "$WORK/origin" "$WORK/nginx/cache"
PIDS=()

start_bg() { # start_bg NAME COMMAND... ; sets STARTED_PID
    local name="$1"
    shift
    "$@" >"$WORK/logs/$name.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}

cleanup() {
    local status=$? pid i
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if $KEEP; then echo "h2.sh: kept $WORK"; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
NEXT_PORT=$((${PORT_BASE:-$((20000 + RANDOM % 10000))} - 1))
alloc_port() { # alloc_port VAR
    local tries
    for ((tries = 0; tries < 500; tries++)); do
        NEXT_PORT=$((NEXT_PORT + 1))
        port_in_use "$NEXT_PORT" || { printf -v "$1" '%s' "$NEXT_PORT"; return 0; }
    done
    die "no free port near $NEXT_PORT"
}
alloc_port ORIGIN_PORT
alloc_port OURS_PORT
alloc_port NGINX_PORT

wait_https() { # wait_https NAME PID URL
    local name="$1" pid="$2" url="$3" i
    for ((i = 0; i < 600; i++)); do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/logs/$name.log" >&2; die "$name exited while starting"; }
        curl -s -o /dev/null --max-time 2 --cacert "$WORK/cert.pem" "$url" && return 0
        sleep 0.1
    done
    die "$name did not answer $url within 60 s"
}

# One certificate for both, made now: EC P-256 for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
chmod 644 "$WORK/key.pem" # read by nginx's master (root) only in practice; this directory is deleted on exit

readonly SIZES=(1KiB 64KiB)
declare -A SIZE_BYTES=([1KiB]=1024 [64KiB]=65536)
for size in "${SIZES[@]}"; do
    head -c "${SIZE_BYTES[$size]}" /dev/urandom >"$WORK/www/$size.bin"
done
chmod -R a+rX "$WORK/www"

cat >"$WORK/origin/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/origin/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$ORIGIN_PORT;
        root $WORK/www;
        location / { add_header Cache-Control "public, max-age=3600"; }
    }
}
EOF

# nginx under test: HTTP/2 over TLS 1.2/1.3 with the same certificate, proxy_cache in front of the origin.
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    proxy_cache_path $WORK/nginx/cache levels=1:2 keys_zone=bench:16m max_size=1g inactive=1h use_temp_path=off;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl http2;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        http2_max_concurrent_streams 128;
        # nginx closes a connection after 1000 requests by default; h2load does not reconnect, and the
        # example proxy has no such limit.
        keepalive_requests 100000000;
        location / {
            proxy_pass http://127.0.0.1:$ORIGIN_PORT;
            proxy_cache bench;
            proxy_cache_valid 200 1h;
            add_header X-Cache \$upstream_cache_status;
        }
    }
}
EOF

start_bg origin nginx -p "$WORK/origin/" -c "$WORK/origin/nginx.conf" -e "$WORK/origin/error.log" -g 'daemon off;'
start_bg nginx nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;'
NGINX_PID="$STARTED_PID"
read -r -a jvm_opts <<<"$JVM_OPTS"
start_bg cacheproxy java "${jvm_opts[@]}" -jar "$JAR" --origin "http://127.0.0.1:$ORIGIN_PORT" --port "$OURS_PORT" \
    --bind 127.0.0.1 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
OURS_PID="$STARTED_PID"

declare -A BASE=([cacheproxy]="https://127.0.0.1:$OURS_PORT" [nginx]="https://127.0.0.1:$NGINX_PORT")
declare -A HIT=([cacheproxy]='^cache-status: *cacheproxy; *hit' [nginx]='^x-cache: *HIT')
wait_https nginx "$NGINX_PID" "${BASE[nginx]}/1KiB.bin"
wait_https cacheproxy "$OURS_PID" "${BASE[cacheproxy]}/1KiB.bin"

# Each URL is a hit over HTTP/2 on both before anything is measured.
for server in cacheproxy nginx; do
    for size in "${SIZES[@]}"; do
        for _ in 1 2 3; do
            head=$(curl -s -D - -o /dev/null --http2 --cacert "$WORK/cert.pem" "${BASE[$server]}/$size.bin" | tr -d '\r')
        done
        grep -q '^HTTP/2 200' <<<"$head" || die "$server did not answer $size over HTTP/2: $head"
        grep -qi "${HIT[$server]}" <<<"$head" || die "$server did not answer $size from its cache: $head"
    done
done

# h2load's summary: "finished in 10.00s, 41234.50 req/s, ..." and "time for request: min max mean sd".
measure() { # measure SERVER SIZE : prints "REQ_PER_S MEAN_LATENCY"
    local out
    out=$(h2load -c "$CLIENTS" -m "$STREAMS" -t 1 -D "$DURATION" --warm-up-time="$WARMUP" \
        "${BASE[$1]}/$2.bin" 2>&1) || { echo "$out" >&2; die "h2load failed against $1"; }
    echo "$out" >>"$WORK/logs/h2load-$1-$2.log"
    grep -q ' 0 total' <<<"$out" && { echo "$out" >&2; die "h2load completed no request against $1"; }
    grep -q ' 0 failed' <<<"$out" || { echo "$out" >&2; die "h2load saw failed requests against $1"; }
    grep -q 'Application protocol: h2' <<<"$out" || { echo "$out" >&2; die "h2load did not speak h2 to $1"; }
    local rate mean
    rate=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
    mean=$(awk '/^time for request:/ { print $6 }' <<<"$out")
    echo "$rate $mean"
}

echo "h2.sh: h2load -c $CLIENTS -m $STREAMS -t 1, ${WARMUP} s warm-up + ${DURATION} s, best of $ROUNDS interleaved rounds"
for server in cacheproxy nginx; do
    for size in "${SIZES[@]}"; do
        h2load -c "$CLIENTS" -m "$STREAMS" -t 1 -D "$PREWARM" "${BASE[$server]}/$size.bin" >"$WORK/logs/prewarm-$server-$size.log" 2>&1 \
            || die "h2load failed against $server while warming up"
    done
done
echo "h2.sh: $(nginx -v 2>&1 | sed 's/^nginx version: //') (worker_processes auto) against the example proxy ($JVM_OPTS), $(nproc) cores"
declare -A BEST_RATE BEST_MEAN
for size in "${SIZES[@]}"; do
    for ((round = 1; round <= ROUNDS; round++)); do
        for server in cacheproxy nginx; do
            result=$(measure "$server" "$size") || exit 1
            read -r rate mean <<<"$result"
            key="$server/$size"
            if [[ -z "${BEST_RATE[$key]:-}" ]] || awk -v a="$rate" -v b="${BEST_RATE[$key]}" 'BEGIN { exit !(a > b) }'; then
                BEST_RATE[$key]="$rate"
                BEST_MEAN[$key]="$mean"
            fi
            echo "  round $round $size $server: $rate req/s, mean $mean"
        done
    done
done

echo
printf '| %-6s | %-10s | %10s | %12s |\n' size server req/s "mean latency"
printf '|--------|------------|------------|--------------|\n'
for size in "${SIZES[@]}"; do
    for server in cacheproxy nginx; do
        printf '| %-6s | %-10s | %10s | %12s |\n' "$size" "$server" "${BEST_RATE[$server/$size]}" "${BEST_MEAN[$server/$size]}"
    done
done
echo
for size in "${SIZES[@]}"; do
    awk -v size="$size" -v ours="${BEST_RATE[cacheproxy/$size]}" -v theirs="${BEST_RATE[nginx/$size]}" \
        'BEGIN { printf "h2.sh: %s hits over HTTPS/h2: cacheproxy / nginx = %.2f\n", size, ours / theirs }'
done
