#!/usr/bin/env bash
# Builds a self-contained bundle for benchmarking on a GPU machine that has no Java, no Maven and no network:
#   bundle/java/            a jlink'd Java runtime with only the modules the CLI jar needs (found by jdeps)
#   bundle/clconv-cli.jar   the CLI jar (JOCL's native library inside)
#   bundle/lib/libOpenCL.so.1  an OpenCL ICD loader, used only where the machine has none
# Carry the repository with bundle/ (ignored by git) to the GPU machine and run scripts/bench-device.sh there.
# The bundle must stay under 60 MiB; this script fails if it does not. Its last line is the bundle's path.
#   BUNDLE_DIR=path   where to build it (default: bundle/ in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
bundle="${BUNDLE_DIR:-$root/bundle}"
build="$root/target/bundle-build"
limit_mib=60
icd_loader=/usr/lib/x86_64-linux-gnu/libOpenCL.so.1

for tool in mvn jlink jdeps; do
    command -v "$tool" >/dev/null || { echo "device-bundle: $tool is needed (a JDK 17 and Maven)" >&2; exit 1; }
done
[[ -e "$icd_loader" ]] || { echo "device-bundle: $icd_loader is missing (apt-get install ocl-icd-libopencl1)" >&2; exit 1; }

echo "device-bundle: building the CLI jar ..." >&2
mvn -q -B ${MAVEN_OFFLINE:+-o} -DskipTests -Dclconv.buildDir="$build" package >&2
jar="$build/clconv-cli.jar"

modules="$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 "$jar")"
echo "device-bundle: Java modules the jar needs: $modules" >&2

rm -rf "$bundle"
mkdir -p "$bundle/lib"
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
      --output "$bundle/java"
cp "$jar" "$bundle/clconv-cli.jar"
# -L: the loader is a symlink to the versioned file; the bundle needs the file itself.
cp -L "$icd_loader" "$bundle/lib/libOpenCL.so.1"
# Which commit the bundle was built from, for the logs on the GPU machine (which may get no .git).
if commit="$(git -C "$root" rev-parse HEAD 2>/dev/null)"; then
    echo "$commit" > "$bundle/COMMIT"
fi

"$bundle/java/bin/java" -jar "$bundle/clconv-cli.jar" --version >&2

size_kib="$(du -sk "$bundle" | cut -f1)"
printf 'device-bundle: %s: %s MiB (runtime %s, jar %s, ICD loader %s)\n' "$bundle" "$(awk "BEGIN {printf \"%.1f\", $size_kib / 1024}")" \
    "$(du -sh "$bundle/java" | cut -f1)" "$(du -sh "$bundle/clconv-cli.jar" | cut -f1)" \
    "$(du -sh "$bundle/lib" | cut -f1)" >&2
if (( size_kib > limit_mib * 1024 )); then
    echo "device-bundle: the bundle is larger than $limit_mib MiB" >&2
    exit 1
fi
echo "$bundle"
