#!/usr/bin/env bash
# The GPU benchmark, for a machine with Python + PyTorch (CUDA) but no Java, no Maven and no network.
# Run from the repository root with bundle/ (from scripts/device-bundle.sh) carried along:
#   scripts/bench-device.sh
# It finds the vendor's OpenCL driver (registering libnvidia-opencl.so.1 in a temporary ICD folder when the
# machine has none registered), prints the OpenCL devices, checks random layers on the device against the
# CPU backend, runs the `gpu` suite on OpenCL, runs the same layers through PyTorch on CUDA (cuDNN, TF32 off)
# and prints one table: layer, clconv ms, PyTorch ms, ratio, % of the measured bandwidth and FMA ceilings.
# Logs and JSON go to $OUT when it is set (else to a temporary folder, printed at the end).
#   BUNDLE_DIR=path          the bundle (default: bundle/)
#   BENCH_SUITE=gpu          the suite (a name or a JSON file); BENCH_LAYERS='mb_*' filters it
#   BENCH_DEVICE=name|index  the OpenCL device (default: clconv's default device)
#   BENCH_TORCH_DEVICE=cuda  PyTorch's device; falls back to the CPU where CUDA is unavailable
#   PYTHON=python3           the Python with PyTorch (default: the first of python3, /usr/bin/python3 that has it)
#   BENCH_MIN_TIME=0.3 BENCH_WARMUP=0.2 BENCH_VERIFY=12   timing and conformance settings
# It is sized to finish in under 5 minutes on a large GPU; every step has a timeout.
set -uo pipefail
cd "$(dirname "$0")/.."
bundle="${BUNDLE_DIR:-bundle}"
java="$bundle/java/bin/java"
jar="$bundle/clconv-cli.jar"
out="${OUT:-$(mktemp -d -t clconv-bench-device.XXXXXX)}"
mkdir -p "$out"
tmp="$(mktemp -d -t clconv-icd.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
log="$out/bench-device.log"
status=0

say() { echo "== $*" | tee -a "$log" >&2; }
# Runs a step with a time limit, its output both shown and logged; a failed step is recorded, later ones still run.
step() {
    local limit="$1"; shift
    timeout "$limit" "$@" 2> >(tee -a "$log" >&2) | tee -a "$log"
    local rc="${PIPESTATUS[0]}"
    if (( rc != 0 )); then
        say "step failed with exit code $rc: $*"
        status=1
    fi
    return "$rc"
}

[[ -x "$java" && -f "$jar" ]] || { echo "bench-device: no bundle at $bundle (run scripts/device-bundle.sh first)" >&2; exit 1; }
# shellcheck source=preload-libjsig.sh
source scripts/preload-libjsig.sh
preload_libjsig "$java"

# The OpenCL ICD loader: the machine's own if it has one, else the bundle's.
if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1 '; then
    export LD_LIBRARY_PATH="$(cd "$bundle/lib" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "no system OpenCL ICD loader; using the bundle's"
fi

# The NVIDIA OpenCL driver: container images often carry the library without an ICD file naming it.
find_nvidia_opencl() {
    { ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1 / {print $NF}'
      ls /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1 \
         /usr/local/nvidia/lib64/libnvidia-opencl.so.1 /usr/lib/wsl/lib/libnvidia-opencl.so.1 2>/dev/null
      find /usr /opt -maxdepth 6 -name 'libnvidia-opencl.so.1' 2>/dev/null
    } | head -n 1
}
vendors="${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}"
if ! grep -qs nvidia "$vendors"/*.icd 2>/dev/null; then
    nvidia="$(find_nvidia_opencl)"
    if [[ -n "$nvidia" ]]; then
        mkdir -p "$tmp/vendors"
        cp "$vendors"/*.icd "$tmp/vendors/" 2>/dev/null || true
        echo "$nvidia" > "$tmp/vendors/nvidia.icd"
        export OCL_ICD_VENDORS="$tmp/vendors"
        say "registered $nvidia in a temporary ICD folder ($OCL_ICD_VENDORS)"
    else
        say "no NVIDIA OpenCL driver (libnvidia-opencl.so.1) found; using the registered OpenCL platforms ($vendors)." \
            "In a container, NVIDIA_DRIVER_CAPABILITIES (now '${NVIDIA_DRIVER_CAPABILITIES:-unset}') must include compute."
    fi
fi

# shellcheck disable=SC2206  # CLCONV_JAVA_OPTS holds several options on purpose
clconv=("$java" ${CLCONV_JAVA_OPTS:-} -jar "$jar")
device_args=(${BENCH_DEVICE:+--device "$BENCH_DEVICE"})
suite_args=(--suite "${BENCH_SUITE:-gpu}" ${BENCH_LAYERS:+--layers "$BENCH_LAYERS"})
timing=(--min-time "${BENCH_MIN_TIME:-0.3}" --warmup "${BENCH_WARMUP:-0.2}" --repeats "${BENCH_REPEATS:-10}"
        --max-time "${BENCH_MAX_TIME:-5}")

say "bundle $(cat "$bundle/COMMIT" 2>/dev/null || echo '(unknown commit)'), output in $out"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee -a "$log"

say "OpenCL devices"
step 60 "${clconv[@]}" devices

say "conformance: random layers on OpenCL against the CPU backend"
step 120 "${clconv[@]}" bench --backend opencl "${device_args[@]}" --verify "${BENCH_VERIFY:-12}"

say "clconv: suite ${BENCH_SUITE:-gpu} on OpenCL"
step 240 "${clconv[@]}" bench --backend opencl "${device_args[@]}" "${suite_args[@]}" "${timing[@]}" \
    --json "$out/clconv.json" > "$out/clconv.md"

# The first Python that has PyTorch: $PYTHON, then the one on the PATH, then the system's.
python=""
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$candidate" -c 'import torch' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [[ -s "$out/clconv.json" && -n "$python" ]]; then
    torch_device="${BENCH_TORCH_DEVICE:-cuda}"
    if [[ "$torch_device" == cuda ]] && ! "$python" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
        say "torch.cuda is not available; PyTorch runs on the CPU"
        torch_device=cpu
    fi
    say "PyTorch ($torch_device) on the same layers, and the comparison"
    step 180 "$python" scripts/torch_peer.py --clconv-json "$out/clconv.json" --device "$torch_device" \
        --json "$out/pytorch.json" "${timing[@]}" > "$out/table.md"
    echo
    cat "$out/clconv.md"
    echo
    cat "$out/table.md"
else
    say "no PyTorch here (or no clconv results); clconv's table only"
    cat "$out/clconv.md"
fi
say "logs and JSON in $out"
exit "$status"
