package org.clconv.cpu;

/**
 * The inner loops every path is built from: add one kernel tap, times its weight, to a whole output row held in
 * a float accumulator. The interior span is a plain counted loop over contiguous arrays (C2 turns it into
 * vector FMAs for stride 1); border outputs are mapped through {@link AxisTaps#source}, and taps that read
 * padding zeros are skipped, never multiplied.
 *
 * <p>The four-row forms update four output channels per input load (register blocking); the four
 * accumulators are separate arrays so that C2 can prove the stores independent and vectorise.
 */
final class RowKernels {
    private RowKernels() {
    }

    /** acc[x] += w * input row at the column tap k reads for x, over the whole output row. */
    static void addTap(float[] acc, float[] in, int rowBase, float w, AxisTaps cols, int k) {
        int from = cols.interiorFrom(k);
        int to = cols.interiorTo(k);
        addBorder(acc, in, rowBase, w, cols, k, 0, from);
        axpy(acc, in, rowBase + cols.offset(k), cols.stride(), w, from, to);
        addBorder(acc, in, rowBase, w, cols, k, to, cols.outSize());
    }

    /** The four-channel form of {@link #addTap}: weights w[wOff .. wOff+3] for accumulators acc[0..3]. */
    static void addTap4(float[][] acc, float[] in, int rowBase, float[] w, int wOff, AxisTaps cols, int k) {
        int from = cols.interiorFrom(k);
        int to = cols.interiorTo(k);
        for (int j = 0; j < 4; j++) {
            addBorder(acc[j], in, rowBase, w[wOff + j], cols, k, 0, from);
            addBorder(acc[j], in, rowBase, w[wOff + j], cols, k, to, cols.outSize());
        }
        axpy4(acc, in, rowBase + cols.offset(k), cols.stride(), w, wOff, from, to);
    }

    private static void addBorder(float[] acc, float[] in, int rowBase, float w, AxisTaps cols, int k, int from,
            int to) {
        for (int x = from; x < to; x++) {
            int src = cols.source(k, x);
            if (src >= 0) {
                acc[x] += w * in[rowBase + src];
            }
        }
    }

    /** acc[x] += w * in[inOff + x*stride] for x in [from, to). */
    static void axpy(float[] acc, float[] in, int inOff, int stride, float w, int from, int to) {
        if (stride == 1) {
            for (int x = from; x < to; x++) {
                acc[x] += w * in[inOff + x];
            }
        } else {
            for (int x = from, i = inOff + from * stride; x < to; x++, i += stride) {
                acc[x] += w * in[i];
            }
        }
    }

    /** acc[j][x] += w[wOff + j] * in[inOff + x*stride] for j in 0..3, x in [from, to). */
    static void axpy4(float[][] acc, float[] in, int inOff, int stride, float[] w, int wOff, int from, int to) {
        float[] a0 = acc[0];
        float[] a1 = acc[1];
        float[] a2 = acc[2];
        float[] a3 = acc[3];
        float w0 = w[wOff];
        float w1 = w[wOff + 1];
        float w2 = w[wOff + 2];
        float w3 = w[wOff + 3];
        if (stride == 1) {
            for (int x = from; x < to; x++) {
                float v = in[inOff + x];
                a0[x] += w0 * v;
                a1[x] += w1 * v;
                a2[x] += w2 * v;
                a3[x] += w3 * v;
            }
        } else {
            for (int x = from, i = inOff + from * stride; x < to; x++, i += stride) {
                float v = in[i];
                a0[x] += w0 * v;
                a1[x] += w1 * v;
                a2[x] += w2 * v;
                a3[x] += w3 * v;
            }
        }
    }

    /**
     * Four input rows times a 4x4 weight block into four accumulators: acc[j][p] += sum_i w[wOff + 4i + j] *
     * in[inOff + i*rowStride + p] for p in [0, len). Four channels in and out per pass halve the accumulator
     * traffic of {@link #axpy4}; this is the micro-kernel of the pointwise GEMM.
     */
    static void gemm4x4(float[][] acc, float[] in, int inOff, int rowStride, float[] w, int wOff, int len) {
        float[] a0 = acc[0];
        float[] a1 = acc[1];
        float[] a2 = acc[2];
        float[] a3 = acc[3];
        float w00 = w[wOff];
        float w01 = w[wOff + 1];
        float w02 = w[wOff + 2];
        float w03 = w[wOff + 3];
        float w10 = w[wOff + 4];
        float w11 = w[wOff + 5];
        float w12 = w[wOff + 6];
        float w13 = w[wOff + 7];
        float w20 = w[wOff + 8];
        float w21 = w[wOff + 9];
        float w22 = w[wOff + 10];
        float w23 = w[wOff + 11];
        float w30 = w[wOff + 12];
        float w31 = w[wOff + 13];
        float w32 = w[wOff + 14];
        float w33 = w[wOff + 15];
        int r0 = inOff;
        int r1 = r0 + rowStride;
        int r2 = r1 + rowStride;
        int r3 = r2 + rowStride;
        for (int p = 0; p < len; p++) {
            float x0 = in[r0 + p];
            float x1 = in[r1 + p];
            float x2 = in[r2 + p];
            float x3 = in[r3 + p];
            a0[p] += w00 * x0 + w10 * x1 + w20 * x2 + w30 * x3;
            a1[p] += w01 * x0 + w11 * x1 + w21 * x2 + w31 * x3;
            a2[p] += w02 * x0 + w12 * x1 + w22 * x2 + w32 * x3;
            a3[p] += w03 * x0 + w13 * x1 + w23 * x2 + w33 * x3;
        }
    }
}
