#!/usr/bin/env bash
# Runs the shaded example jar as the README runs it: the example proxy with its demo origin (no
# --origin) and the Tomcat filter demo. Checks that --help works, that a bad flag exits non-zero, and
# that a page is a miss and then a hit (with Age) through each, and through the example proxy over
# HTTPS with HTTP/2 too, with a certificate made here by openssl.
set -euo pipefail
# Checks read captured output with here-strings, not "echo | grep -q": under pipefail, grep -q leaving
# early can kill echo with SIGPIPE and fail a check that matched.
cd "$(dirname "$0")/.."
jar=examples/target/cacheproxy-example.jar
[[ -f "$jar" ]] || { echo "smoke: $jar is missing; build first" >&2; exit 1; }

pids=()
logs=()
dirs=()
stop_everything() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -f "${logs[@]}"
  rm -rf "${dirs[@]}"
}
trap stop_everything EXIT

fail() {
  echo "smoke: $*" >&2
  exit 1
}

# start NAME READY_TEXT COMMAND...: runs the command in the background and sets $started to the URL it
# announces as "READY_TEXT http://...", once it has. (Not run in $(...): the pids must reach the trap.)
start() {
  local name=$1 ready=$2 log pid
  shift 2
  log=$(mktemp)
  logs+=("$log")
  "$@" > "$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 150); do
    grep -q "$ready" "$log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "$name died"; }
    sleep 0.1
  done
  started=$(grep -o "$ready https\?://[0-9.]*:[0-9]*" "$log" | awk 'NR == 1 {print $NF}')
  [[ -n "$started" ]] || { cat "$log" >&2; fail "$name did not start"; }
}

# miss_then_hit NAME URL [CURL_FLAGS...]: the first GET is a miss, the second a hit with Age.
miss_then_hit() {
  local name=$1 url=$2 first second
  shift 2
  first=$(curl -s -D - -o /dev/null "$@" "$url" | tr -d '\r')
  second=$(curl -s -D - -o /dev/null "$@" "$url" | tr -d '\r')
  grep -qi '^Cache-Status: cacheproxy; fwd=uri-miss' <<< "$first" || { echo "$first" >&2; fail "$name: the first request was not a miss"; }
  grep -qi '^Cache-Status: cacheproxy; hit' <<< "$second" || { echo "$second" >&2; fail "$name: the second request was not a hit"; }
  grep -qi '^Age: ' <<< "$second" || fail "$name: the hit has no Age"
  echo "smoke: $name at $url answered a miss, then a hit"
}

proxy_help=$(java -jar "$jar" --help)
grep -q -- '--origin' <<< "$proxy_help" || fail "--help does not list --origin"
if java -jar "$jar" --no-such-flag 2>/dev/null; then fail "a bad flag exited 0"; fi
start "the example proxy" 'caching proxy on' java -jar "$jar" --port 0
miss_then_hit "example proxy" "$started/hello"

# The caching filter in an embedded Tomcat, as the README runs it.
demo_help=$(java -cp "$jar" dev.cacheproxy.examples.TomcatFilterDemo --help)
grep -q -- '--port' <<< "$demo_help" || fail "TomcatFilterDemo --help does not list --port"
start "TomcatFilterDemo" 'caching filter on' java -cp "$jar" dev.cacheproxy.examples.TomcatFilterDemo --port 0
miss_then_hit "TomcatFilterDemo" "$started/hello"

# The example proxy over HTTPS: a certificate for 127.0.0.1 made now (no key is kept in the repository),
# a miss then a hit over HTTP/2, and the same certificate checked by curl.
tls_dir=$(mktemp -d)
dirs+=("$tls_dir")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" 2>/dev/null \
  || fail "openssl could not make a certificate"
start "the example proxy over HTTPS" 'caching proxy on' java -jar "$jar" --port 0 \
  --tls-cert "$tls_dir/cert.pem" --tls-key "$tls_dir/key.pem"
[[ "$started" == https://* ]] || fail "the example proxy did not announce an https:// URL: $started"
miss_then_hit "example proxy over HTTPS" "$started/hello" --http2 --cacert "$tls_dir/cert.pem"
h2=$(curl -s -D - -o /dev/null --http2 --cacert "$tls_dir/cert.pem" "$started/hello" | tr -d '\r')
grep -q '^HTTP/2 200' <<< "$h2" || { echo "$h2" >&2; fail "the HTTPS hit was not answered over HTTP/2"; }
echo "smoke: the HTTPS hit came over HTTP/2"
h1=$(curl -s -D - -o /dev/null --http1.1 --cacert "$tls_dir/cert.pem" "$started/hello" | tr -d '\r')
grep -q '^HTTP/1.1 200' <<< "$h1" || { echo "$h1" >&2; fail "a client offering only http/1.1 by ALPN was not answered"; }
echo "smoke: a client offering only http/1.1 by ALPN got HTTP/1.1"
if timeout 60 java -jar "$jar" --port 0 --tls-cert "$tls_dir/cert.pem" --tls-key "$tls_dir/cert.pem" 2>/dev/null; then
  fail "a certificate given as its own key exited 0"
fi
