#!/usr/bin/env bash
# Side-by-side benchmark on this machine, in one run: clconv's backends, ONNX Runtime (Java API) and PyTorch
# on the CPU (/usr/bin/python3), same layers, same tensors, same thread count; every peer's output is checked
# against clconv's before it is timed. Prints clconv's roofline table, then per layer the time of each and
# clconv / best peer with geometric means. All options of `clconv bench` apply, e.g.
#   scripts/bench-peers.sh --threads 2 --json peers.json
#   scripts/bench-peers.sh --layers 'mb_dw*' --min-time 0.5
# (--python and --torch-script choose the PyTorch peer; --keep-files DIR keeps the exchanged .npy files.)
set -euo pipefail
cd "$(dirname "$0")/.."
classpath="$(scripts/bench-classpath.sh)"
# shellcheck source=preload-libjsig.sh
source scripts/preload-libjsig.sh
preload_libjsig java
# The Vector API module switches on the CPU backend's fast kernels (the JVM warns on stderr that it incubates);
# the trap limit keeps C2 from boxing their vectors (see scripts/clconv, and README, "JVM flags for the CPU backend").
# A fixed heap touched once at start: on a VM the first touch of a page can cost tens of microseconds, and a JVM
# growing into fresh heap timed page faults instead of layers (seed_dw 1.4 ms instead of 0.07), or, growing inside
# GC pauses, stalled its compilers for seconds (see scripts/clconv) -- the JVM's counterpart of the glibc malloc
# settings the PyTorch peer gets. ONNX Runtime runs in this JVM too. CLCONV_JAVA_OPTS overrides.
# shellcheck disable=SC2086  # CLCONV_JAVA_OPTS holds several options on purpose
exec java --add-modules jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -Xms1g -Xmx1g -XX:+AlwaysPreTouch \
    -Dlogback.configurationFile=clconv-cli-logback.xml ${CLCONV_JAVA_OPTS:-} -cp "$classpath" \
    org.clconv.peers.PeersCommand "$@"
