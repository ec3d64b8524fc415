#!/usr/bin/env python3
"""PyTorch as a benchmark peer of clconv: times torch.nn.functional.conv2d on the layers of a clconv suite.

Layers come from a manifest written by clconv (scripts/bench-peers.sh) or from the JSON report of
`clconv bench` (its "suite" entry), in clconv's suite format. When a layer lists .npy files (input,
weights, biases, expected output), PyTorch runs on exactly those tensors and its output is checked against
clconv's before any timing; otherwise it runs on random tensors (timing only, e.g. on a GPU machine).

Timing follows clconv's rules: a warm-up of at least two calls and --warmup seconds, then at least --repeats
calls and --min-time seconds (a layer slower than --max-time stops after three). On CUDA each call is timed
by CUDA events (device time) and by the wall clock around the call plus a synchronize; cuDNN's autotuner is
on and TF32 is off, so both sides compute in fp32.

With --clconv-json, prints one table comparing clconv's results in that report with PyTorch's.
"""
import argparse
import ctypes
import ctypes.util
import json
import math
import os
import sys
import time


def raise_malloc_thresholds():
    """glibc hands freed blocks above its mmap threshold (dynamic, from 128 KiB) straight back to the kernel, so
    PyTorch would fault in fresh pages for every large output and its batch-32 layers would time page faults.
    32 MiB (the most glibc accepts) covers those tensors, and a high trim threshold keeps freed heap for reuse.
    Set here, before torch allocates anything, unless the caller set MALLOC_*_THRESHOLD_ itself."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return {k: os.environ.get(k) for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    m_trim_threshold, m_mmap_threshold = -1, -3
    settings = {"mmap_threshold": 32 << 20, "trim_threshold": 2 ** 31 - 1}
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        ok = (libc.mallopt(m_mmap_threshold, settings["mmap_threshold"]) == 1
              and libc.mallopt(m_trim_threshold, settings["trim_threshold"]) == 1)
    except (OSError, AttributeError):
        ok = False
    return settings if ok else {"error": "mallopt unavailable (not glibc?)"}


MALLOC = raise_malloc_thresholds()

import torch  # noqa: E402  (after mallopt, so its allocations follow it too)
import torch.nn.functional as F  # noqa: E402

TOLERANCE = 1e-4  # the same relative L2 tolerance as clconv's OutputCheck
MIN_SAMPLES = 3
MIN_WARMUP_CALLS = 2


def log(message):
    print(message, file=sys.stderr, flush=True)


def pair(value):
    return list(value) if isinstance(value, list) else [value, value]


def stages_of(layer):
    """The layer's convolutions in clconv's suite format: one, or depthwise then pointwise."""
    if "separable" in layer:
        return layer["separable"]
    return [{k: v for k, v in layer.items() if k not in ("name", "input", "files")}]


def resolved_pads(spec):
    """(top, bottom, left, right) as clconv resolves them: 'same' puts an odd extra row/column at the end."""
    kernel, dilation = pair(spec.get("kernel", 1)), pair(spec.get("dilation", 1))
    padding = spec.get("padding", 0)
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        total_h, total_w = dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    ph, pw = pair(padding)
    return ph, ph, pw, pw


def conv(x, spec, weight, bias):
    top, bottom, left, right = resolved_pads(spec)
    mode = spec.get("padding_mode", "zeros")
    if mode != "zeros":
        x = F.pad(x, (left, right, top, bottom), mode=mode)
        top = bottom = left = right = 0
    if top != bottom or left != right:  # asymmetric zero pads ('same' with an even kernel)
        x = F.pad(x, (left, right, top, bottom))
        top = bottom = left = right = 0
    y = F.conv2d(x, weight, bias, stride=tuple(pair(spec.get("stride", 1))), padding=(top, left),
                 dilation=tuple(pair(spec.get("dilation", 1))), groups=spec.get("groups", 1))
    activation = spec.get("activation", "none")
    if activation == "relu":
        y = F.relu(y)
    elif activation == "relu6":
        y = F.relu6(y)
    return y


def tensors(layer, device):
    """Input, weights and biases: from clconv's .npy files when listed, else uniform random in [-1, 1)."""
    files = layer.get("files")
    stages = stages_of(layer)
    if files:
        load = lambda path: load_npy(path).to(device)
        x = load(files["input"])
        weights = [load(p) for p in files["weights"]]
        biases = [load(p) if p else None for p in files["biases"]]
        return x, weights, biases
    generator = torch.Generator(device="cpu").manual_seed(1)
    rand = lambda shape: (torch.rand(shape, generator=generator) * 2 - 1).to(device)
    x = rand(layer["input"])
    weights, biases = [], []
    channels = layer["input"][1]
    for spec in stages:
        kh, kw = pair(spec.get("kernel", 1))
        out, per_group = spec["out_channels"], channels // spec.get("groups", 1)
        weights.append(rand([out, per_group, kh, kw]) / math.sqrt(per_group * kh * kw))
        biases.append(rand([out]) if spec.get("bias", True) else None)
        channels = out
    return x, weights, biases


def load_npy(path):
    """numpy only where .npy files are exchanged (bench-peers), so a GPU machine's Python needs just torch."""
    import numpy as np
    return torch.from_numpy(np.load(path))


def quantile(sorted_values, q):
    """Linear interpolation between closest ranks: numpy's default, and clconv's Stats."""
    rank = q * (len(sorted_values) - 1)
    lower = math.floor(rank)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (rank - lower) * (sorted_values[upper] - sorted_values[lower])


def summary(samples_ns):
    s = sorted(ns / 1e6 for ns in samples_ns)
    q1, median, q3 = (quantile(s, q) for q in (0.25, 0.5, 0.75))
    return {"median_ms": median, "q1_ms": q1, "q3_ms": q3, "min_ms": s[0], "max_ms": s[-1],
            "spread_pct": 0.0 if median == 0 else 100 * (q3 - q1) / 2 / median, "samples": len(s)}


def measure(call, args, cuda):
    """Warm-up, then timed calls; returns (wall samples, device samples or None) in nanoseconds."""
    start, calls = time.perf_counter(), 0
    while (calls < MIN_WARMUP_CALLS or time.perf_counter() - start < args.warmup) and (
            calls == 0 or time.perf_counter() - start < args.max_time):
        call()
        calls += 1
    if cuda:
        torch.cuda.synchronize()
    wall, device = [], []
    start = time.perf_counter()
    while True:
        if cuda:
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            t0 = time.perf_counter_ns()
            begin.record()
            call()
            end.record()
            torch.cuda.synchronize()
            wall.append(time.perf_counter_ns() - t0)
            device.append(begin.elapsed_time(end) * 1e6)
        else:
            t0 = time.perf_counter_ns()
            call()
            wall.append(time.perf_counter_ns() - t0)
        elapsed = time.perf_counter() - start
        if (len(wall) >= args.repeats and elapsed >= args.min_time) or (
                len(wall) >= MIN_SAMPLES and elapsed >= args.max_time):
            return wall, (device if cuda else None)


def relative_l2(actual, expected):
    a, e = actual.double(), expected.double()
    norm = torch.linalg.norm(e).item()
    diff = torch.linalg.norm(a - e).item()
    return diff / norm if norm else diff


def run_layer(layer, args, device):
    cuda = device.type == "cuda"
    x, weights, biases = tensors(layer, device)
    stages = stages_of(layer)

    def call():
        y = x
        for spec, w, b in zip(stages, weights, biases):
            y = conv(y, spec, w, b)
        return y

    result = {"name": layer["name"]}
    with torch.inference_mode():
        output = call()
        if layer.get("files", {}).get("expected"):
            expected = load_npy(layer["files"]["expected"]).to(device)
            if tuple(output.shape) != tuple(expected.shape):
                result["error"] = f"output shape {tuple(output.shape)} != clconv's {tuple(expected.shape)}"
                return result
            error = relative_l2(output, expected)
            result["relative_l2_error"] = error
            if not error <= TOLERANCE:
                result["error"] = f"output differs from clconv's: relative L2 error {error:.3g} > {TOLERANCE:g}"
                return result
        wall, dev = measure(call, args, cuda)
    result["wall"] = summary(wall)
    result["median_ms"] = result["wall"]["median_ms"]
    if dev is not None:
        result["device"] = summary(dev)
        result["device_median_ms"] = result["device"]["median_ms"]
    return result


def choose_device(requested):
    if requested == "cuda" and not torch.cuda.is_available():
        log("torch_peer: CUDA is not available here; running PyTorch on the CPU instead")
        return torch.device("cpu")
    return torch.device(requested)


def layers_of(document):
    return document["suite"]["layers"] if "suite" in document else document["layers"]


def clconv_target(report):
    """The backend the comparison is about: OpenCL when the report has it (the GPU run), else its first."""
    names = [t["name"] for t in report.get("targets", [])]
    return "opencl" if "opencl" in names else (names[0] if names else None)


def clconv_rows(report, target):
    """Per layer: that target's timed result in clconv's report."""
    rows = {}
    for layer in report.get("layers", []):
        for r in layer["results"]:
            if r.get("target") == target and "median_ms" in r:
                rows[layer["name"]] = r
    return rows


def print_table(report, torch_results, device_label):
    target = clconv_target(report)
    clconv = clconv_rows(report, target)
    header = ["layer", f"clconv {target} kernel ms", f"clconv {target} wall ms", f"PyTorch {device_label} ms",
              "ratio clconv/PyTorch", "bound", "% BW", "% FMA"]
    rows, ratios, clocks = [header], [], set()
    for t in torch_results:
        c = clconv.get(t["name"])
        if c is None or "median_ms" not in t:
            why = t.get("error") or "clconv has no timing"
            rows.append([t["name"], "", "", why, "", "", "", ""])
            continue
        mine = c["kernel_ms"]
        clocks.add(c["kernel_time_from"])
        theirs = t.get("device_median_ms", t["median_ms"])
        ratios.append(mine / theirs)
        roof = c["roofline"]
        rows.append([t["name"], f"{mine:.3f}", f"{c['median_ms']:.3f}", f"{theirs:.3f}", f"{mine / theirs:.2f}",
                     roof["bound"], f"{roof['pct_of_bandwidth']:.0f}", f"{roof['pct_of_fma']:.0f}"])
    if ratios:
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        rows.append(["geometric mean", "", "", "", f"{geomean:.2f}", "", "", ""])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(rows[0]))
    print(line(["-" * w for w in widths]))
    for r in rows[1:]:
        print(line(r))
    print()
    print(f"The ratio compares clconv's kernel time ({' / '.join(sorted(clocks)) or 'none'}) with PyTorch's "
          + ("CUDA event time" if device_label == "cuda" else "wall time")
          + "; clconv's wall time is a call on device-resident tensors; % of clconv's measured ceilings.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--manifest", help="layers with their .npy files, written by clconv")
    source.add_argument("--clconv-json", help="a `clconv bench --json` report: run its layers and print a comparison")
    parser.add_argument("--device", default=os.environ.get("BENCH_TORCH_DEVICE", "cpu"),
                        help="cpu or cuda (falls back to cpu when CUDA is unavailable)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--min-time", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--max-time", type=float, default=20.0)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = choose_device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
    label = "cuda" if device.type == "cuda" else "cpu"
    description = (torch.cuda.get_device_name(device) if device.type == "cuda"
                   else f"CPU, {torch.get_num_threads()} threads")
    log(f"torch_peer: PyTorch {torch.__version__} on {description}")

    with open(args.manifest or args.clconv_json) as f:
        document = json.load(f)
    layers = layers_of(document)
    results = []
    for i, layer in enumerate(layers):
        try:
            r = run_layer(layer, args, device)
        except (RuntimeError, ValueError) as e:  # e.g. CUDA out of memory: report it and go on
            r = {"name": layer["name"], "error": f"{type(e).__name__}: {e}"}
            if device.type == "cuda":
                torch.cuda.empty_cache()
        if "median_ms" in r:
            extra = f", device {r['device_median_ms']:.3f} ms" if "device_median_ms" in r else ""
            log(f"[{i + 1}/{len(layers)}] {layer['name']} on pytorch-{label}: {r['median_ms']:.3f} ms "
                f"± {r['wall']['spread_pct']:.1f}%{extra}, {r['wall']['samples']} samples")
        else:
            log(f"[{i + 1}/{len(layers)}] {layer['name']} on pytorch-{label}: FAILED: {r['error']}")
        results.append(r)

    out = {"peer": "pytorch", "torch": torch.__version__, "device": label, "description": description,
           "threads": torch.get_num_threads(), "tf32": False if label == "cuda" else None,
           "cudnn_benchmark": True if label == "cuda" else None,
           "malloc": MALLOC,
           "layers": results}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    if args.clconv_json:
        print_table(document, results, label)
    return 0 if all("median_ms" in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
