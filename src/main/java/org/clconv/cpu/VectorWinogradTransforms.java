package org.clconv.cpu;

import static org.clconv.cpu.VectorShape.L;
import static org.clconv.cpu.VectorShape.ODD_LANES;
import static org.clconv.cpu.VectorShape.PLAIN;
import static org.clconv.cpu.VectorShape.S;
import static org.clconv.cpu.VectorShape.ZIP_HIGH;
import static org.clconv.cpu.VectorShape.ZIP_LOW;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The Winograd F(4x4, 3x3) input and output transforms of {@link VectorMicroKernels}, L tiles at a time.
 */
final class VectorWinogradTransforms {
    private VectorWinogradTransforms() {
    }

    /**
     * L tiles at a time (the last vector moved back to end at the run's last tile): the two passes of {@link
     * ScalarMicroKernels#winogradInputTile} on vectors of L consecutive tiles, whose columns are contiguous in
     * each phase, the first pass's sums a vector each in work; a run of fewer tiles is one vector of L (a unit's
     * runs start anywhere in a tile row, and a plain loop there took 4% of a 256-channel layer's time).
     */
    static void winogradInput(float[] src, int srcOff, int phase, int rowPitch, float[] v, int vOff, int vPitch,
            int tiles, float[] work) {
        for (int j = 0; j < tiles; j += L) {
            int t = Math.max(0, Math.min(j, tiles - L));
            // both passes through one call: C2 inlines it once, where two calls' copies put the second past the
            // node count after which C2 inlines vector calls only late (see rowBlock)
            for (int pass = 0; pass < 12; pass++) {
                boolean down = pass < 6;
                int k = down ? pass : pass - 6;
                inputTransform(down ? src : work, down ? srcOff + t + k % 4 * phase + k / 4 : 6 * k * L,
                        down ? rowPitch : L, down ? work : v, down ? k * L : vOff + t + 6 * k * vPitch,
                        down ? 6 * L : vPitch);
            }
        }
    }

    /**
     * {@link ScalarMicroKernels}' B^T on six vectors x[off + k * stride] into y[yOff + j * yStride], in the same
     * fused multiply-adds. It takes and returns no vectors, so nothing is boxed whether C2 inlines it or not.
     */
    private static void inputTransform(float[] x, int off, int stride, float[] y, int yOff, int yStride) {
        FloatVector d0 = FloatVector.fromArray(S, x, off);
        FloatVector d1 = FloatVector.fromArray(S, x, off + stride);
        FloatVector d2 = FloatVector.fromArray(S, x, off + 2 * stride);
        FloatVector d3 = FloatVector.fromArray(S, x, off + 3 * stride);
        FloatVector d4 = FloatVector.fromArray(S, x, off + 4 * stride);
        FloatVector d5 = FloatVector.fromArray(S, x, off + 5 * stride);
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector four = FloatVector.broadcast(S, 4f);
        FloatVector minusFive = FloatVector.broadcast(S, -5f);
        FloatVector d42 = d4.sub(d2);
        d0.fma(four, d2.fma(minusFive, d4)).intoArray(y, yOff);
        d1.add(d2).fma(FloatVector.broadcast(S, -4f), d3.add(d4)).intoArray(y, yOff + yStride);
        d1.sub(d2).fma(four, d4.sub(d3)).intoArray(y, yOff + 2 * yStride);
        d3.sub(d1).fma(two, d42).intoArray(y, yOff + 3 * yStride);
        d1.sub(d3).fma(two, d42).intoArray(y, yOff + 4 * yStride);
        d1.fma(four, d3.fma(minusFive, d5)).intoArray(y, yOff + 5 * yStride);
    }

    /**
     * L tiles at a time whose four columns are all inside the row (the last vector moved back to end at the last
     * such tile): the two passes of {@link ScalarMicroKernels#winogradOutputTile} on vectors of L tiles, each
     * output row's four columns per tile interleaved into four vectors. A last tile of fewer columns, and rows of
     * fewer whole tiles than a vector, go through the plain loop. Non-finite outputs are caught by adding y - y
     * (NaN for infinity or NaN, else 0) over all of them.
     */
    static boolean winogradOutput(float[] m, int mOff, int mPitch, float start, float[] out, int outOff, int width,
            int outPitch, int rows, float[] work) {
        int whole = width / 4;
        if (whole < L) {
            return PLAIN.winogradOutput(m, mOff, mPitch, start, out, outOff, width, outPitch, rows, work);
        }
        float check = 0f;
        for (int j = 0; j < whole; j += L) {
            int t = Math.min(j, whole - L);
            // both passes through one call, as in winogradInput. C2 inlines storeTiles here too, which still puts
            // about 14 of this method's vector calls past that node count (behind the trap limit, see JitTrapLimit)
            for (int pass = 0; pass < 6 + rows; pass++) {
                boolean down = pass < 6;
                int i = pass - 6;
                outputTransform(down ? m : work, down ? mOff + t + pass * mPitch : 6 * i * L,
                        down ? 6 * mPitch : L, work, down ? pass * L : 36 * L, down ? 6 * L : L);
                if (!down) {
                    check += storeTiles(work, 36 * L, start, out, outOff + i * outPitch + 4 * t);
                }
            }
        }
        boolean finite = width % 4 == 0 || ScalarMicroKernels.winogradOutputTile(m, mOff + whole, mPitch, start,
                out, outOff + 4 * whole, outPitch, rows, width % 4, work);
        return finite && check == 0f;
    }

    /** {@link ScalarMicroKernels}' A^T on six vectors into four, in the same operations (no vectors passed). */
    private static void outputTransform(float[] x, int off, int stride, float[] y, int yOff, int yStride) {
        FloatVector m1 = FloatVector.fromArray(S, x, off + stride);
        FloatVector m2 = FloatVector.fromArray(S, x, off + 2 * stride);
        FloatVector m3 = FloatVector.fromArray(S, x, off + 3 * stride);
        FloatVector m4 = FloatVector.fromArray(S, x, off + 4 * stride);
        FloatVector a = m1.add(m2);
        FloatVector b = m1.sub(m2);
        FloatVector c = m3.add(m4);
        FloatVector d = m3.sub(m4);
        FloatVector.fromArray(S, x, off).add(a).add(c).intoArray(y, yOff);
        d.fma(FloatVector.broadcast(S, 2f), b).intoArray(y, yOff + yStride);
        c.fma(FloatVector.broadcast(S, 4f), a).intoArray(y, yOff + 2 * yStride);
        d.fma(FloatVector.broadcast(S, 8f), b).add(FloatVector.fromArray(S, x, off + 5 * stride))
                .intoArray(y, yOff + 3 * yStride);
    }

    /**
     * start + the output columns 4t + q of L tiles (vector q at y[off + q * L]) into out[o ...] in order: columns
     * q and q + 2 zipped, then those pairs, so each vector holds whole tiles. Returns the sum of y - y over them.
     */
    private static float storeTiles(float[] y, int off, float start, float[] out, int o) {
        FloatVector init = FloatVector.broadcast(S, start);
        FloatVector y0 = init.add(FloatVector.fromArray(S, y, off));
        FloatVector y1 = init.add(FloatVector.fromArray(S, y, off + L));
        FloatVector y2 = init.add(FloatVector.fromArray(S, y, off + 2 * L));
        FloatVector y3 = init.add(FloatVector.fromArray(S, y, off + 3 * L));
        // the low halves' zips, then the high halves': one loop body, half the vector calls of the zips written
        // out, which put this method past the node count after which C2 inlines vector calls only late even
        // compiled on its own (18 late calls); now C2 inlines it into winogradOutput
        for (int half = 0; half < 2; half++) {
            VectorShuffle<Float> zip = half == 0 ? ZIP_LOW : ZIP_HIGH;
            FloatVector pair02 = y0.rearrange(zip).blend(y2.rearrange(zip), ODD_LANES);
            FloatVector pair13 = y1.rearrange(zip).blend(y3.rearrange(zip), ODD_LANES);
            pair02.rearrange(ZIP_LOW).blend(pair13.rearrange(ZIP_LOW), ODD_LANES).intoArray(out, o + 2 * half * L);
            pair02.rearrange(ZIP_HIGH).blend(pair13.rearrange(ZIP_HIGH), ODD_LANES)
                    .intoArray(out, o + (2 * half + 1) * L);
        }
        return y0.sub(y0).add(y1.sub(y1)).add(y2.sub(y2)).add(y3.sub(y3)).reduceLanes(VectorOperators.ADD);
    }
}
