#!/usr/bin/python3
"""Writes the golden conv2d cases that GoldenTest checks every backend against, using real PyTorch.

Each case is a folder under src/test/resources/golden/ with input.npy, weight.npy, bias.npy (only when the
layer has a bias) and expected.npy, all float32 NCHW. The layer's parameters go into manifest.properties,
spelled the way the CLI spells them, so the Java side parses them with the library's own parsers. Channels
and kernel size are not written: they follow from the weight's shape, as in torch.

The expected output is computed by torch.nn.Conv2d in float64 (on the float32 input and weights) and then
rounded to float32, so the golden values carry no float32 accumulation error of their own.

Run:  /usr/bin/python3 scripts/make-golden.py     (Debian's python3-torch, torch 1.13)
The output is deterministic (fixed seed), so rerunning it only changes files when the cases change.
"""
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden")
SEED = 20240531


def case(name, cin, cout, kernel, input_hw, batch=1, stride=1, padding=0, dilation=1, groups=1, bias=True,
         padding_mode="zeros", activation="none", scale=1.0, nonfinite=()):
    """nonfinite: ((n, c, y, x), value) pairs written into the input after it is drawn (NaN, +inf, -inf)."""
    return dict(name=name, cin=cin, cout=cout, kernel=kernel, input_hw=input_hw, batch=batch, stride=stride,
                padding=padding, dilation=dilation, groups=groups, bias=bias, padding_mode=padding_mode,
                activation=activation, scale=scale, nonfinite=nonfinite)


NAN = float("nan")
INF = float("inf")


# Each case names the corner of torch.nn.Conv2d it pins down.
CASES = [
    case("basic_3x3_pad1", 3, 4, 3, (9, 9), padding=1),
    case("asym_kernel_2x5_pad_1_2", 2, 3, (2, 5), (7, 10), padding=(1, 2)),
    case("strided_2_3_pad_1_0", 3, 4, 3, (11, 13), batch=2, stride=(2, 3), padding=(1, 0)),
    case("dilated_2_3", 2, 3, 3, (11, 12), dilation=(2, 3), padding=(2, 3)),
    case("same_even_kernel_4", 2, 3, 4, (8, 7), padding="same"),
    case("same_even_kernel_2x4_dilation_1x3", 2, 2, (2, 4), (7, 13), padding="same", dilation=(1, 3)),
    case("same_odd_kernel_dilated_2", 3, 2, 3, (9, 8), padding="same", dilation=2),
    case("valid_kernel_3x2", 3, 4, (3, 2), (6, 9), padding="valid"),
    case("grouped_6_to_9_groups_3", 6, 9, 3, (7, 7), padding=1, groups=3),
    case("depthwise_mult1", 4, 4, 3, (8, 9), padding=1, groups=4),
    case("depthwise_mult3_k5_stride2", 3, 9, 5, (11, 10), stride=2, padding=2, groups=3),
    case("pointwise_1x1", 8, 5, 1, (6, 7), batch=2),
    case("pointwise_grouped_1x1", 8, 4, 1, (5, 6), groups=2, bias=False),
    case("reflect_pad1", 3, 3, 3, (7, 8), padding=1, padding_mode="reflect"),
    case("reflect_at_limit", 2, 3, 3, (5, 6), padding=(4, 5), padding_mode="reflect"),
    case("reflect_same_even_kernel_dilated", 2, 2, (3, 4), (9, 11), padding="same", dilation=(2, 1),
         padding_mode="reflect"),
    case("reflect_strided_2", 3, 2, 3, (9, 8), stride=2, padding=(2, 1), padding_mode="reflect"),
    case("replicate_pad_beyond_input", 2, 3, 3, (3, 3), padding=4, padding_mode="replicate"),
    case("replicate_grouped_7x1_dilated", 4, 6, (7, 1), (13, 5), stride=(3, 1), padding=(6, 0), dilation=(4, 1),
         groups=2, padding_mode="replicate"),
    case("circular_at_limit", 2, 3, 3, (4, 5), padding=(4, 5), padding_mode="circular"),
    case("circular_same_even_kernel", 3, 3, (4, 2), (7, 6), padding="same", padding_mode="circular"),
    case("circular_depthwise_mult2", 3, 6, 3, (6, 7), padding=(1, 2), groups=3, padding_mode="circular"),
    case("relu_basic", 3, 5, 3, (8, 8), padding=1, activation="relu"),
    case("relu6_scaled", 3, 5, 3, (8, 8), padding=1, activation="relu6", scale=4.0),
    case("relu6_depthwise_mult2_no_bias", 4, 8, 3, (9, 7), stride=(1, 2), padding=1, groups=4, bias=False,
         activation="relu6", scale=4.0),
    case("no_bias_strided_dilated_batch3", 3, 4, 3, (13, 12), batch=3, stride=2, dilation=2, padding=1,
         bias=False),
    case("kernel_equals_input", 2, 3, (5, 7), (5, 7)),
    case("one_pixel_input_pad1", 3, 2, 3, (1, 1), padding=1),
    case("stride_larger_than_kernel", 2, 3, 2, (11, 11), stride=3, activation="relu"),
    # NaN and +-inf inputs: where they spread (borders copied by the padding modes, inf - inf = NaN) and what
    # relu/relu6 make of them (NaN stays NaN, relu(-inf) = 0, relu6(+inf) = 6). Appended last, so the random
    # stream of the cases above, and their files, stay as they were.
    case("nonfinite_zeros_pad_relu", 3, 4, 3, (7, 8), padding=1, activation="relu",
         nonfinite=(((0, 0, 0, 0), NAN), ((0, 1, 0, 5), INF), ((0, 2, 3, 3), -INF))),
    case("nonfinite_reflect_relu6", 2, 3, 3, (6, 7), padding=2, padding_mode="reflect", activation="relu6",
         scale=4.0, nonfinite=(((0, 0, 0, 3), NAN), ((0, 1, 5, 6), INF))),
    case("nonfinite_replicate_depthwise_mult2", 3, 6, 3, (6, 6), padding=3, groups=3, padding_mode="replicate",
         nonfinite=(((0, 0, 0, 0), NAN), ((0, 2, 5, 5), -INF), ((0, 1, 2, 3), INF))),
    case("nonfinite_circular_strided_inf_minus_inf", 2, 3, 3, (7, 9), stride=2, padding=(1, 2),
         padding_mode="circular", activation="relu",
         nonfinite=(((0, 0, 3, 4), INF), ((0, 0, 3, 5), -INF), ((0, 1, 6, 0), NAN))),
    case("nonfinite_pointwise_relu6", 4, 5, 1, (5, 6), batch=2, activation="relu6",
         nonfinite=(((0, 1, 2, 2), NAN), ((1, 3, 4, 5), INF), ((1, 0, 0, 0), -INF))),
    case("nonfinite_same_dilated_grouped", 4, 4, 3, (9, 9), padding="same", dilation=2, groups=2,
         nonfinite=(((0, 0, 8, 8), INF), ((0, 3, 0, 4), NAN))),
    # Layers the CPU backend's fast paths take: Winograd (16+ channels per group, outputs 16+ wide; sizes that are
    # not multiples of its tile leave part tiles; non-finite inputs send it back to a direct path) and the in-place
    # 3x3 stride-2 depthwise path (odd sizes put the bottom row and the right column on the padding).
    case("winograd_3x3_pad1_relu_batch2", 24, 20, 3, (9, 38), batch=2, padding=1, activation="relu"),
    case("winograd_3x3_valid_grouped", 32, 32, 3, (8, 19), padding="valid", groups=2),
    case("nonfinite_winograd_3x3", 16, 16, 3, (6, 34), padding=1,
         nonfinite=(((0, 0, 2, 10), INF), ((0, 5, 3, 11), -INF), ((0, 9, 0, 33), NAN))),
    case("depthwise_3x3_stride2_pad1_relu6", 16, 16, 3, (13, 37), stride=2, padding=1, groups=16,
         activation="relu6", scale=4.0),
    case("depthwise_3x3_stride2_mult2", 8, 16, 3, (12, 40), stride=2, padding=1, groups=8, bias=False),
    # Dilated 3x3 layers that the CPU backend computes by Winograd on their phase mosaic (blocks of outputs of one
    # phase, junk between them; different dilations per axis; non-finite inputs send it back to a direct path).
    case("winograd_dilated_3_same_relu6", 16, 24, 3, (14, 40), padding="same", dilation=3, activation="relu6"),
    case("winograd_dilated_2x4_grouped_batch2", 32, 32, 3, (11, 37), batch=2, padding=(2, 4), dilation=(2, 4),
         groups=2),
    case("nonfinite_winograd_dilated_2", 16, 16, 3, (9, 36), padding=2, dilation=2,
         nonfinite=(((0, 0, 4, 7), INF), ((0, 7, 8, 35), NAN))),
]


def pair(v):
    return tuple(v) if isinstance(v, tuple) else (v, v)


def spell(v):
    """The CLI spelling: 'a' or 'a,b' (height,width), or same/valid."""
    if isinstance(v, str):
        return v
    h, w = pair(v)
    return str(h) if h == w else "%d,%d" % (h, w)


def expected_output(c, x, w, b):
    conv = torch.nn.Conv2d(c["cin"], c["cout"], c["kernel"], stride=c["stride"], padding=c["padding"],
                           dilation=c["dilation"], groups=c["groups"], bias=c["bias"],
                           padding_mode=c["padding_mode"]).double()
    with torch.no_grad():
        conv.weight.copy_(w.double())
        if b is not None:
            conv.bias.copy_(b.double())
        y = conv(x.double())
    if c["activation"] == "relu":
        y = torch.relu(y)
    elif c["activation"] == "relu6":
        y = F.relu6(y)
    return y.float()


def write_case(c, gen):
    kh, kw = pair(c["kernel"])
    h, w_ = c["input_hw"]
    x = torch.randn(c["batch"], c["cin"], h, w_, generator=gen) * c["scale"]
    for index, value in c["nonfinite"]:
        x[index] = value
    w = torch.randn(c["cout"], c["cin"] // c["groups"], kh, kw, generator=gen) * 0.5
    b = torch.randn(c["cout"], generator=gen) if c["bias"] else None
    y = expected_output(c, x, w, b)
    folder = os.path.join(ROOT, c["name"])
    os.makedirs(folder)
    np.save(os.path.join(folder, "input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(folder, "weight.npy"), w.numpy().astype(np.float32))
    if b is not None:
        np.save(os.path.join(folder, "bias.npy"), b.numpy().astype(np.float32))
    np.save(os.path.join(folder, "expected.npy"), y.numpy().astype(np.float32))
    return tuple(y.shape)


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    gen = torch.Generator().manual_seed(SEED)
    lines = ["# Written by scripts/make-golden.py with torch %s; do not edit by hand." % torch.__version__,
             "cases=" + ",".join(c["name"] for c in CASES)]
    for c in CASES:
        shape = write_case(c, gen)
        n = c["name"]
        lines += ["%s.stride=%s" % (n, spell(c["stride"])),
                  "%s.padding=%s" % (n, spell(c["padding"])),
                  "%s.dilation=%s" % (n, spell(c["dilation"])),
                  "%s.groups=%d" % (n, c["groups"]),
                  "%s.bias=%s" % (n, "true" if c["bias"] else "false"),
                  "%s.padding_mode=%s" % (n, c["padding_mode"]),
                  "%s.activation=%s" % (n, c["activation"]),
                  "%s.output_shape=%s" % (n, ",".join(str(d) for d in shape))]
    with open(os.path.join(ROOT, "manifest.properties"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d cases to %s" % (len(CASES), os.path.normpath(ROOT)))


if __name__ == "__main__":
    main()
