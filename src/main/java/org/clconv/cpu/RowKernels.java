package org.clconv.cpu;

/**
 * The inner loops every path is built from. Each adds kernel taps, times their weights, to output rows held in
 * float accumulators indexed by output x. Interior spans are plain counted loops over contiguous arrays, which
 * C2 turns into vector code; border outputs are mapped through {@link AxisTaps#source}, and taps that read
 * padding zeros are skipped, never multiplied.
 *
 * <p>The four-tap kernels ({@link #dot4}, {@link #gemm4x4}) add four taps per pass over the accumulator, so
 * the accumulator is loaded and stored a quarter as often; the four-channel kernels update four output
 * channels per input load (register blocking). Four-channel accumulators are separate arrays so that C2 can
 * prove the stores independent.
 */
final class RowKernels {
    static final int TAPS_PER_PASS = 4;

    private RowKernels() {
    }

    /** acc[x] += w * (input row value that tap k reads for x), for x in [from, to): border and interior. */
    static void addTap(float[] acc, float[] in, int rowBase, float w, AxisTaps cols, int k, int from, int to) {
        int iFrom = clamp(cols.interiorFrom(k), from, to);
        int iTo = clamp(cols.interiorTo(k), iFrom, to);
        addBorder(acc, in, rowBase, w, cols, k, from, iFrom);
        axpy(acc, in, rowBase + cols.offset(k), cols.stride(), w, iFrom, iTo);
        addBorder(acc, in, rowBase, w, cols, k, iTo, to);
    }

    /** The four-channel form of {@link #addTap}: weights w[wOff .. wOff+3] for accumulators acc[0..3]. */
    static void addTap4(float[][] acc, float[] in, int rowBase, float[] w, int wOff, AxisTaps cols, int k, int from,
            int to) {
        int iFrom = clamp(cols.interiorFrom(k), from, to);
        int iTo = clamp(cols.interiorTo(k), iFrom, to);
        for (int j = 0; j < 4; j++) {
            addBorder(acc[j], in, rowBase, w[wOff + j], cols, k, from, iFrom);
            addBorder(acc[j], in, rowBase, w[wOff + j], cols, k, iTo, to);
        }
        axpy4(acc, in, rowBase + cols.offset(k), cols.stride(), w, wOff, iFrom, iTo);
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

    /** Four unit-stride taps into one accumulator: acc[x] += sum_i w[wIdx[i]] * in[inOff[i] + x], x in [from, to). */
    static void dot4(float[] acc, float[] in, int[] inOff, float[] w, int[] wIdx, int from, int to) {
        int r0 = inOff[0];
        int r1 = inOff[1];
        int r2 = inOff[2];
        int r3 = inOff[3];
        float w0 = w[wIdx[0]];
        float w1 = w[wIdx[1]];
        float w2 = w[wIdx[2]];
        float w3 = w[wIdx[3]];
        for (int x = from; x < to; x++) {
            acc[x] += w0 * in[r0 + x] + w1 * in[r1 + x] + w2 * in[r2 + x] + w3 * in[r3 + x];
        }
    }

    /**
     * Four unit-stride taps into four channels, the GEMM micro-kernel: acc[j][x] += sum_i w[wOff[i] + j] *
     * in[inOff[i] + x] for x in [from, to); wOff[i] points at tap i's four packed channel weights.
     */
    static void gemm4x4(float[][] acc, float[] in, int[] inOff, float[] w, int[] wOff, int from, int to) {
        float[] a0 = acc[0];
        float[] a1 = acc[1];
        float[] a2 = acc[2];
        float[] a3 = acc[3];
        int r0 = inOff[0];
        int r1 = inOff[1];
        int r2 = inOff[2];
        int r3 = inOff[3];
        float w00 = w[wOff[0]];
        float w01 = w[wOff[0] + 1];
        float w02 = w[wOff[0] + 2];
        float w03 = w[wOff[0] + 3];
        float w10 = w[wOff[1]];
        float w11 = w[wOff[1] + 1];
        float w12 = w[wOff[1] + 2];
        float w13 = w[wOff[1] + 3];
        float w20 = w[wOff[2]];
        float w21 = w[wOff[2] + 1];
        float w22 = w[wOff[2] + 2];
        float w23 = w[wOff[2] + 3];
        float w30 = w[wOff[3]];
        float w31 = w[wOff[3] + 1];
        float w32 = w[wOff[3] + 2];
        float w33 = w[wOff[3] + 3];
        for (int x = from; x < to; x++) {
            float x0 = in[r0 + x];
            float x1 = in[r1 + x];
            float x2 = in[r2 + x];
            float x3 = in[r3 + x];
            a0[x] += w00 * x0 + w10 * x1 + w20 * x2 + w30 * x3;
            a1[x] += w01 * x0 + w11 * x1 + w21 * x2 + w31 * x3;
            a2[x] += w02 * x0 + w12 * x1 + w22 * x2 + w32 * x3;
            a3[x] += w03 * x0 + w13 * x1 + w23 * x2 + w33 * x3;
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
