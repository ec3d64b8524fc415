#!/usr/bin/python3
"""End-to-end check of the command line against real PyTorch on random cases it has never seen.

For each case it draws a random torch.nn.Conv2d configuration that PyTorch accepts (every padding form and
padding mode, groups incl. depthwise with a channel multiplier, dilation, stride, bias on/off, activation),
writes input/weight/bias as .npy, runs `scripts/clconv conv` on each requested backend and compares the
result with torch.nn.functional (float32) by relative L2 error. Exits 1 if any case exceeds the tolerance.

Run:  /usr/bin/python3 scripts/torch-crosscheck.py [--cases 30] [--seed S] [--backends cpu,opencl]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def random_case(rng):
    groups = rng.choice([1, 1, 2, 3, "dw"])
    if groups == "dw":
        cin = rng.randint(1, 6)
        groups = cin
        cout = cin * rng.randint(1, 3)
    else:
        cin = groups * rng.randint(1, 3)
        cout = groups * rng.randint(1, 3)
    kh, kw = rng.randint(1, 7), rng.randint(1, 7)
    dh, dw = rng.randint(1, 4), rng.randint(1, 4)
    form = rng.choice(["explicit", "same", "valid"])
    sh, sw = (1, 1) if form == "same" else (rng.randint(1, 3), rng.randint(1, 3))
    mode = rng.choice(["zeros", "reflect", "replicate", "circular"])
    h = rng.randint(dh * (kh - 1) // 2 + 2, 20)
    w = rng.randint(dw * (kw - 1) // 2 + 2, 20)
    if form == "explicit":
        ph, pw = rng.randint(0, 4), rng.randint(0, 4)
        padding = (ph, pw)
        pads = (ph, ph, pw, pw)
    elif form == "same":
        th, tw = dh * (kh - 1), dw * (kw - 1)
        padding = "same"
        pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    else:
        padding = "valid"
        pads = (0, 0, 0, 0)
    limit_h, limit_w = max(pads[0], pads[1]), max(pads[2], pads[3])
    if mode == "reflect":
        h, w = max(h, limit_h + 1), max(w, limit_w + 1)
    if mode == "circular":
        h, w = max(h, limit_h), max(w, limit_w)
    h = max(h, dh * (kh - 1) + 1 - pads[0] - pads[1])
    w = max(w, dw * (kw - 1) + 1 - pads[2] - pads[3])
    return dict(n=rng.randint(1, 3), cin=cin, cout=cout, h=h, w=w, k=(kh, kw), stride=(sh, sw), padding=padding,
                dilation=(dh, dw), groups=groups, bias=rng.random() < 0.7, mode=mode,
                activation=rng.choice(["none", "relu", "relu6"]))


def torch_reference(c, x, wt, b):
    conv = torch.nn.Conv2d(c["cin"], c["cout"], c["k"], stride=c["stride"], padding=c["padding"],
                           dilation=c["dilation"], groups=c["groups"], bias=c["bias"], padding_mode=c["mode"])
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(wt))
        if c["bias"]:
            conv.bias.copy_(torch.from_numpy(b))
        y = conv(torch.from_numpy(x))
    if c["activation"] == "relu":
        y = F.relu(y)
    elif c["activation"] == "relu6":
        y = F.relu6(y)
    return y.numpy()


def pair(v):
    return "%d,%d" % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    ap.add_argument("--backends", default="cpu,opencl")
    ap.add_argument("--tolerance", type=float, default=1e-5)
    args = ap.parse_args()
    print("seed %d" % args.seed, flush=True)
    rng = random.Random(args.seed)
    np_rng = np.random.default_rng(args.seed)
    worst = 0.0
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.cases):
            c = random_case(rng)
            x = np_rng.standard_normal((c["n"], c["cin"], c["h"], c["w"]), dtype=np.float32)
            wt = np_rng.standard_normal((c["cout"], c["cin"] // c["groups"]) + c["k"], dtype=np.float32)
            b = np_rng.standard_normal(c["cout"], dtype=np.float32)
            expected = torch_reference(c, x, wt, b)
            paths = {name: os.path.join(tmp, name + ".npy") for name in ("x", "w", "b")}
            np.save(paths["x"], x)
            np.save(paths["w"], wt)
            np.save(paths["b"], b)
            padding = c["padding"] if isinstance(c["padding"], str) else pair(c["padding"])
            for backend in args.backends.split(","):
                out = os.path.join(tmp, "y-%s.npy" % backend)
                cmd = [os.path.join(ROOT, "scripts", "clconv"), "conv", "--input", paths["x"], "--weight", paths["w"],
                       "--stride", pair(c["stride"]), "--padding", padding, "--dilation", pair(c["dilation"]),
                       "--groups", str(c["groups"]), "--padding-mode", c["mode"], "--activation", c["activation"],
                       "--backend", backend, "--output", out]
                if c["bias"]:
                    cmd += ["--bias", paths["b"]]
                run = subprocess.run(cmd, capture_output=True, text=True)
                if run.returncode != 0:
                    failures += 1
                    print("FAIL case %d %s %s: exit %d: %s" % (i, backend, c, run.returncode, run.stderr.strip()))
                    continue
                actual = np.load(out)
                if actual.shape != expected.shape:
                    failures += 1
                    print("FAIL case %d %s %s: shape %s vs torch %s" % (i, backend, c, actual.shape, expected.shape))
                    continue
                den = np.linalg.norm(expected.astype(np.float64))
                err = np.linalg.norm(actual.astype(np.float64) - expected) / (den if den > 0 else 1.0)
                worst = max(worst, err)
                status = "ok  " if err <= args.tolerance else "FAIL"
                failures += status == "FAIL"
                print("%s case %d %-6s rel L2 %.2e  %s" % (status, i, backend, err, c), flush=True)
    print("%d cases x %s: %d failures, worst rel L2 %.2e (seed %d)" % (args.cases, args.backends, failures, worst,
                                                                       args.seed))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
