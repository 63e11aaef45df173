#!/usr/bin/env bash
# Runs the shaded example jar as the README's first command does (demo origin, no --origin) and checks
# that a page is a miss and then a hit, that --help works and that a bad flag exits non-zero.
set -euo pipefail
# Checks read captured output with here-strings, not "echo | grep -q": under pipefail, grep -q leaving
# early can kill echo with SIGPIPE and fail a check that matched.
cd "$(dirname "$0")/.."
jar=examples/target/cacheproxy-example.jar
[[ -f "$jar" ]] || { echo "smoke: $jar is missing; build first" >&2; exit 1; }

proxy_help=$(java -jar "$jar" --help)
grep -q -- '--origin' <<< "$proxy_help" || { echo "smoke: --help does not list --origin" >&2; exit 1; }
if java -jar "$jar" --no-such-flag 2>/dev/null; then echo "smoke: a bad flag exited 0" >&2; exit 1; fi

log=$(mktemp)
java -jar "$jar" --port 0 > "$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q 'caching proxy on' "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "smoke: the example proxy died:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
proxy=$(grep -o 'caching proxy on http://[0-9.:]*' "$log" | awk '{print $4}')
[[ -n "$proxy" ]] || { echo "smoke: the example proxy did not start:" >&2; cat "$log" >&2; exit 1; }

first=$(curl -s -D - -o /dev/null "$proxy/hello" | tr -d '\r')
second=$(curl -s -D - -o /dev/null "$proxy/hello" | tr -d '\r')
grep -q '^Cache-Status: cacheproxy; fwd=uri-miss' <<< "$first" || { echo "smoke: first request was not a miss:"; echo "$first"; exit 1; } >&2
grep -q '^Cache-Status: cacheproxy; hit' <<< "$second" || { echo "smoke: second request was not a hit:"; echo "$second"; exit 1; } >&2
grep -q '^Age: ' <<< "$second" || { echo "smoke: the hit has no Age"; exit 1; } >&2
echo "smoke: example proxy at $proxy answered a miss, then a hit"

# The caching filter in an embedded Tomcat, as the README runs it.
demo_help=$(java -cp "$jar" dev.cacheproxy.examples.TomcatFilterDemo --help)
grep -q -- '--port' <<< "$demo_help" || { echo "smoke: TomcatFilterDemo --help does not list --port" >&2; exit 1; }
tomcat_log=$(mktemp)
java -cp "$jar" dev.cacheproxy.examples.TomcatFilterDemo --port 0 > "$tomcat_log" 2>&1 &
tomcat_pid=$!
trap 'kill "$pid" "$tomcat_pid" 2>/dev/null || true; wait "$pid" "$tomcat_pid" 2>/dev/null || true; rm -f "$log" "$tomcat_log"' EXIT
for _ in $(seq 1 150); do
  grep -q 'caching filter on' "$tomcat_log" && break
  kill -0 "$tomcat_pid" 2>/dev/null || { echo "smoke: TomcatFilterDemo died:" >&2; cat "$tomcat_log" >&2; exit 1; }
  sleep 0.1
done
app=$(grep -o 'caching filter on http://[0-9.:]*' "$tomcat_log" | awk '{print $4}')
[[ -n "$app" ]] || { echo "smoke: TomcatFilterDemo did not start:" >&2; cat "$tomcat_log" >&2; exit 1; }
first=$(curl -s -D - -o /dev/null "$app/hello" | tr -d '\r')
second=$(curl -s -D - -o /dev/null "$app/hello" | tr -d '\r')
grep -q '^Cache-Status: cacheproxy; fwd=uri-miss' <<< "$first" || { echo "smoke: filter's first request was not a miss:"; echo "$first"; exit 1; } >&2
grep -q '^Cache-Status: cacheproxy; hit' <<< "$second" || { echo "smoke: filter's second request was not a hit:"; echo "$second"; exit 1; } >&2
echo "smoke: TomcatFilterDemo at $app answered a miss, then a hit"
