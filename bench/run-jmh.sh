#!/usr/bin/env bash
# Builds the JMH benchmarks (bench/jmh, Maven profile "bench") and runs them. Arguments go to JMH, e.g.
#   bench/run-jmh.sh                          # every benchmark, the settings in HotPathBenchmark
#   bench/run-jmh.sh -prof gc                 # with allocation per operation
#   bench/run-jmh.sh freshHitDecision -f 1 -wi 2 -i 3
# See bench/README.md.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo/bench/jmh/target/benchmarks.jar"
if [[ "${1:-}" == "--rebuild" || ! -f "$jar" ]]; then
    [[ "${1:-}" != "--rebuild" ]] || shift
    echo "run-jmh.sh: building $jar"
    (cd "$repo" && mvn -B -q -Pbench -pl bench/jmh -am package -DskipTests)
fi
exec java -jar "$jar" "$@"
