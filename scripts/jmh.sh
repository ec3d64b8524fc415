#!/usr/bin/env bash
# JMH microbenchmarks of the CPU backend's hot paths (src/bench/java/org/clconv/jmh); never part of `mvn test`.
# Arguments go to JMH, e.g.
#   scripts/jmh.sh                                   every layer, on 1 thread and on all cores
#   scripts/jmh.sh -p layer=mb_pw256 -p threads=1    one case
#   scripts/jmh.sh -prof gc                          with a profiler (perfasm needs perf and hsdis)
set -euo pipefail
cd "$(dirname "$0")/.."
classpath="$(scripts/bench-classpath.sh)"
# shellcheck source=preload-libjsig.sh
source scripts/preload-libjsig.sh
preload_libjsig java
# The Vector API module switches on the CPU backend's fast kernels (the JVM warns on stderr that it incubates);
# the trap limit keeps C2 from boxing their vectors (see scripts/clconv, and README, "JVM flags for the CPU backend").
# shellcheck disable=SC2086  # CLCONV_JAVA_OPTS holds several options on purpose
exec java --add-modules jdk.incubator.vector -XX:PerMethodTrapLimit=100000 \
    -Dlogback.configurationFile=clconv-cli-logback.xml ${CLCONV_JAVA_OPTS:-} -cp "$classpath" \
    org.openjdk.jmh.Main CpuBackendBenchmark "$@"
