package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.PaddingMode;

/**
 * Where each kernel tap of one axis (rows or columns) reads the input, for every output coordinate.
 * Output {@code o} with tap {@code k} reads padded coordinate {@code o*stride + k*dilation - padBefore}. The
 * outputs whose coordinate lies inside the input form one contiguous interior span per tap; loops over that span
 * need no bounds checks and vectorise. Only the few border outputs outside it go through
 * {@link PaddingMode#sourceIndex}, which is how padding is handled without a padded copy of the input.
 */
final class AxisTaps {
    private final int outSize;
    private final int inSize;
    private final int stride;
    private final int dilation;
    private final int padBefore;
    private final PaddingMode mode;
    private final int[] interiorFrom;
    private final int[] interiorTo;

    AxisTaps(int outSize, int inSize, int kernel, int stride, int dilation, int padBefore, PaddingMode mode) {
        this.outSize = outSize;
        this.inSize = inSize;
        this.stride = stride;
        this.dilation = dilation;
        this.padBefore = padBefore;
        this.mode = mode;
        this.interiorFrom = new int[kernel];
        this.interiorTo = new int[kernel];
        for (int k = 0; k < kernel; k++) {
            int offset = offset(k);
            // smallest o with o*stride + offset >= 0, largest with o*stride + offset <= inSize - 1
            int from = clamp(Math.floorDiv(-offset + stride - 1, stride), 0, outSize);
            int to = clamp(Math.floorDiv(inSize - 1 - offset, stride) + 1, from, outSize);
            interiorFrom[k] = from;
            interiorTo[k] = to;
        }
    }

    /** Builds the row taps of a geometry. */
    static AxisTaps rows(ConvGeometry g) {
        Conv2d c = g.spec();
        return new AxisTaps(g.outH(), g.inH(), c.kernelH(), c.strideH(), c.dilationH(), c.padTop(), c.paddingMode());
    }

    /** Builds the column taps of a geometry. */
    static AxisTaps columns(ConvGeometry g) {
        Conv2d c = g.spec();
        return new AxisTaps(g.outW(), g.inW(), c.kernelW(), c.strideW(), c.dilationW(), c.padLeft(), c.paddingMode());
    }

    /** The input coordinate of output 0 for tap k (negative inside the leading padding). */
    int offset(int k) {
        return k * dilation - padBefore;
    }

    int stride() {
        return stride;
    }

    int outSize() {
        return outSize;
    }

    /** First output whose tap k lies inside the input. */
    int interiorFrom(int k) {
        return interiorFrom[k];
    }

    /** One past the last output whose tap k lies inside the input (== interiorFrom when there is none). */
    int interiorTo(int k) {
        return interiorTo[k];
    }

    /** The input index that output o reads through tap k, or -1 when it reads a padding zero. */
    int source(int k, int o) {
        return mode.sourceIndex(o * stride + offset(k), inSize);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
