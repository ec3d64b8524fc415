package org.clconv.cpu;

/**
 * Accumulates the taps of a kernel into one output row (of one channel or a block of channels), the loop that
 * the depthwise and the direct path share. Kernel rows that fall into zero padding are skipped. With unit
 * stride, the columns split into the span where every column tap is inside the input and the rest: in that
 * common span taps are queued and added four per pass ({@link RowKernels#dot4} / {@link RowKernels#gemm4x4}),
 * elsewhere tap by tap with border mapping. Subclasses say how one tap and four taps are added.
 *
 * <p>One instance per chunk of work: it holds per-row scratch and is not thread-safe.
 */
abstract class RowAccumulator {
    private final AxisTaps rows;
    private final AxisTaps cols;
    private final int kernelH;
    private final int kernelW;
    private final int inW;
    private final int outW;
    private final int commonFrom;
    private final int commonTo;
    private final boolean fuseTaps;
    /** Queued interior taps: input offset of output x = 0, and the tap's weight index. */
    protected final int[] queuedInput = new int[RowKernels.TAPS_PER_PASS];
    protected final int[] queuedWeight = new int[RowKernels.TAPS_PER_PASS];
    private int queued;

    RowAccumulator(AxisTaps rows, AxisTaps cols, int kernelH, int kernelW, int inW) {
        this.rows = rows;
        this.cols = cols;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.inW = inW;
        this.outW = cols.outSize();
        int from = 0;
        int to = outW;
        for (int k = 0; k < kernelW; k++) {
            from = Math.max(from, cols.interiorFrom(k));
            to = Math.min(to, cols.interiorTo(k));
        }
        this.commonFrom = from;
        this.commonTo = Math.max(from, to);
        // Fusing pays for splitting every tap's border work into two calls only when the common span is most of
        // the row; it is not for widely dilated kernels on small maps (ASPP), where the spans barely overlap.
        this.fuseTaps = cols.stride() == 1 && 2 * (commonTo - commonFrom) >= outW;
    }

    /**
     * Adds all kernel taps on input channel plane {@code channelBase} to output row y. Tap (ky, kx) has weight
     * index {@code firstTap + ky*kernelW + kx} in the subclass's weight numbering.
     */
    final void addChannel(float[] in, int channelBase, int y, int firstTap) {
        for (int ky = 0; ky < kernelH; ky++) {
            int sy = rows.source(ky, y);
            if (sy < 0) {
                continue;
            }
            int rowBase = channelBase + sy * inW;
            for (int kx = 0; kx < kernelW; kx++) {
                int tap = firstTap + ky * kernelW + kx;
                if (fuseTaps) {
                    addTap(in, rowBase, tap, cols, kx, 0, commonFrom);
                    addTap(in, rowBase, tap, cols, kx, commonTo, outW);
                    queue(in, rowBase + cols.offset(kx), tap);
                } else {
                    addTap(in, rowBase, tap, cols, kx, 0, outW);
                }
            }
        }
    }

    /** Adds the taps still queued; call once after the last {@link #addChannel} of a row. */
    final void finishRow(float[] in) {
        for (int i = 0; i < queued; i++) {
            addInteriorTap(in, queuedInput[i], queuedWeight[i], commonFrom, commonTo);
        }
        queued = 0;
    }

    private void queue(float[] in, int inputOffset, int tap) {
        queuedInput[queued] = inputOffset;
        queuedWeight[queued] = tap;
        if (++queued == RowKernels.TAPS_PER_PASS) {
            addFourTaps(in, commonFrom, commonTo);
            queued = 0;
        }
    }

    /** One tap over outputs [from, to), borders included. */
    abstract void addTap(float[] in, int rowBase, int tap, AxisTaps cols, int k, int from, int to);

    /** One unit-stride interior tap: input offset of output 0, weight index. */
    abstract void addInteriorTap(float[] in, int inputOffset, int tap, int from, int to);

    /** The four queued interior taps ({@link #queuedInput}, {@link #queuedWeight}) over [from, to). */
    abstract void addFourTaps(float[] in, int from, int to);
}
