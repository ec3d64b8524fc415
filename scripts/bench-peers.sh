#!/usr/bin/env bash
# Side-by-side benchmark on this machine, in one run: clconv's backends, ONNX Runtime (Java API) and PyTorch
# on the CPU (/usr/bin/python3), same layers, same tensors, same thread count; every peer's output is checked
# against clconv's before it is timed. Prints clconv's roofline table, then per layer the time of each and
# clconv / best peer with geometric means. All options of `clconv bench` apply, e.g.
#   scripts/bench-peers.sh --threads 2 --json peers.json
#   scripts/bench-peers.sh --layers 'mb_dw*' --min-time 0.5
# Builds with the Maven profile `bench` (ONNX Runtime and JMH are never dependencies of the library) into
# its own build folder, so it can run while other builds use target/.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CLCONV_BENCH_BUILD:-target/bench-build}"
mvn -q -B ${MAVEN_OFFLINE:+-o} -Pbench -Dclconv.buildDir="$build" -DskipTests \
    compile dependency:build-classpath -Dmdep.outputFile="$build/bench.classpath" >&2
exec java -Dlogback.configurationFile=clconv-cli-logback.xml ${CLCONV_JAVA_OPTS:-} -cp "$build/classes:$(cat "$build/bench.classpath")" \
    org.clconv.peers.PeersCommand "$@"
