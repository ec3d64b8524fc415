#!/usr/bin/env bash
# Builds the benchmark code (Maven profile `bench`: src/bench with ONNX Runtime and JMH, never part of the
# library's build) in its own build folder and prints the classpath to run it with; Maven's output goes to
# stderr. Used by bench-peers.sh and jmh.sh.
#   CLCONV_BENCH_BUILD=dir   the build folder (default: target/bench-build)
#   MAVEN_OFFLINE=1          build with -o
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CLCONV_BENCH_BUILD:-target/bench-build}"
mvn -q -B ${MAVEN_OFFLINE:+-o} -Pbench -Dclconv.buildDir="$build" -DskipTests \
    compile dependency:build-classpath -Dmdep.outputFile="$build/bench.classpath" >&2
echo "$(cd "$build" && pwd)/classes:$(cat "$build/bench.classpath")"
