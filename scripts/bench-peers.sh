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
# The Vector API module switches on the CPU backend's fast kernels (the JVM warns on stderr that it incubates).
# shellcheck disable=SC2086  # CLCONV_JAVA_OPTS holds several options on purpose
exec java --add-modules jdk.incubator.vector -Dlogback.configurationFile=clconv-cli-logback.xml ${CLCONV_JAVA_OPTS:-} -cp "$classpath" \
    org.clconv.peers.PeersCommand "$@"
