package org.clconv.cpu;

import static org.clconv.cpu.VectorShape.BITS;
import static org.clconv.cpu.VectorShape.L;
import static org.clconv.cpu.VectorShape.ODD_LANES;
import static org.clconv.cpu.VectorShape.PLAIN;
import static org.clconv.cpu.VectorShape.S;
import static org.clconv.cpu.VectorShape.UNZIP;
import static org.clconv.cpu.VectorShape.WIDE_TILES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;

/**
 * The 3x3 depthwise kernels of {@link VectorMicroKernels}: stride 1 over one plane's rows or over many small
 * planes as one flat run, and stride 2, with the padding columns zeroed by lane masks instead of scalar edges.
 */
final class VectorDepthwise3x3 {
    private VectorDepthwise3x3() {
    }

    /**
     * Wide rows go four rows at a time, rows {@code dil} apart so that they share input rows: each input row is
     * loaded once (three shifted vectors) for up to three of the four outputs, 4.5 loads per output vector instead
     * of 9, which is what bounds this stencil. That needs 27 vector registers, so only AVX-512 (32) does it. Rows
     * of more than half a vector go this way (a narrower row's vector also covers the start of the rows after it:
     * 72 loads for a 14x14 plane instead of 117); the rows left over, and planes of shorter rows, go as one flat
     * run (row after row, so short rows still fill whole vectors). Each output sums its three kernel columns apart
     * and adds the outer two under the column masks (two masked adds instead of a blend per loaded vector).
     */
    static void depthwise3x3(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start,
            float[] out, int outOff, int rows) {
        int width = columns.width();
        int n = rows * width;
        if (n < L) {
            // too few outputs for one vector store that stays inside the run
            for (int i = 0; i < n; i++) {
                out[outOff + i] = columns.output(src, srcOff + i, w, wOff, start, i % width);
            }
            return;
        }
        int done = WIDE_TILES && 2 * width > L ? fourRowBlocks(src, srcOff, columns, w, wOff, start, out, outOff, rows)
                : 0;
        flatRun(src, srcOff, columns, w, wOff, start, out, outOff, done * width, n);
    }

    /**
     * Output rows y, y + dil, y + 2dil, y + 3dil together, for every y of whole groups of 4dil rows; a row's last
     * vector is moved back to end at the row's end (recomputing a few outputs) rather than run past it. A row
     * narrower than a vector has one vector, which runs on into the next rows: the outputs it computes there are
     * right (every lane follows the flat definition), and a group is taken only while they stay inside the unit's
     * rows. Returns the rows done. Written out in full: helpers taking vectors are not inlined (see gemm8x3).
     */
    private static int fourRowBlocks(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start,
            float[] out, int outOff, int rows) {
        int width = columns.width();
        int dil = columns.dil();
        int rowStep = dil * width;
        boolean[] left = columns.left();
        boolean[] right = columns.right();
        FloatVector w00 = FloatVector.broadcast(S, w[wOff]), w01 = FloatVector.broadcast(S, w[wOff + 1]);
        FloatVector w02 = FloatVector.broadcast(S, w[wOff + 2]), w10 = FloatVector.broadcast(S, w[wOff + 3]);
        FloatVector w11 = FloatVector.broadcast(S, w[wOff + 4]), w12 = FloatVector.broadcast(S, w[wOff + 5]);
        FloatVector w20 = FloatVector.broadcast(S, w[wOff + 6]), w21 = FloatVector.broadcast(S, w[wOff + 7]);
        FloatVector w22 = FloatVector.broadcast(S, w[wOff + 8]);
        FloatVector init = FloatVector.broadcast(S, start);
        FloatVector zero = FloatVector.zero(S);
        int y = 0;
        for (; (y + 4 * dil - 1) * width + Math.max(width, L) <= rows * width; y += 4 * dil) {
            for (int r = 0; r < dil; r++) {
                for (int j = 0; j < width; j += L) {
                    int x = Math.max(0, Math.min(j, width - L));
                    int pos = (y + r) * width + x;
                    // input row q (q = 0..5, at pos + (q-1)*rowStep) feeds output row m with ky = q - m; lm, cm,
                    // rm sum output m's left, centre and right kernel columns
                    int b = srcOff + pos - rowStep;
                    FloatVector xl = FloatVector.fromArray(S, src, b - dil);
                    FloatVector xc = FloatVector.fromArray(S, src, b);
                    FloatVector xr = FloatVector.fromArray(S, src, b + dil);
                    FloatVector l0 = w00.fma(xl, zero), c0 = w01.fma(xc, zero), r0 = w02.fma(xr, zero);
                    b += rowStep;
                    xl = FloatVector.fromArray(S, src, b - dil);
                    xc = FloatVector.fromArray(S, src, b);
                    xr = FloatVector.fromArray(S, src, b + dil);
                    l0 = w10.fma(xl, l0);
                    c0 = w11.fma(xc, c0);
                    r0 = w12.fma(xr, r0);
                    FloatVector l1 = w00.fma(xl, zero), c1 = w01.fma(xc, zero), r1 = w02.fma(xr, zero);
                    b += rowStep;
                    xl = FloatVector.fromArray(S, src, b - dil);
                    xc = FloatVector.fromArray(S, src, b);
                    xr = FloatVector.fromArray(S, src, b + dil);
                    l0 = w20.fma(xl, l0);
                    c0 = w21.fma(xc, c0);
                    r0 = w22.fma(xr, r0);
                    l1 = w10.fma(xl, l1);
                    c1 = w11.fma(xc, c1);
                    r1 = w12.fma(xr, r1);
                    FloatVector l2 = w00.fma(xl, zero), c2 = w01.fma(xc, zero), r2 = w02.fma(xr, zero);
                    b += rowStep;
                    xl = FloatVector.fromArray(S, src, b - dil);
                    xc = FloatVector.fromArray(S, src, b);
                    xr = FloatVector.fromArray(S, src, b + dil);
                    l1 = w20.fma(xl, l1);
                    c1 = w21.fma(xc, c1);
                    r1 = w22.fma(xr, r1);
                    l2 = w10.fma(xl, l2);
                    c2 = w11.fma(xc, c2);
                    r2 = w12.fma(xr, r2);
                    FloatVector l3 = w00.fma(xl, zero), c3 = w01.fma(xc, zero), r3 = w02.fma(xr, zero);
                    b += rowStep;
                    xl = FloatVector.fromArray(S, src, b - dil);
                    xc = FloatVector.fromArray(S, src, b);
                    xr = FloatVector.fromArray(S, src, b + dil);
                    l2 = w20.fma(xl, l2);
                    c2 = w21.fma(xc, c2);
                    r2 = w22.fma(xr, r2);
                    l3 = w10.fma(xl, l3);
                    c3 = w11.fma(xc, c3);
                    r3 = w12.fma(xr, r3);
                    b += rowStep;
                    xl = FloatVector.fromArray(S, src, b - dil);
                    xc = FloatVector.fromArray(S, src, b);
                    xr = FloatVector.fromArray(S, src, b + dil);
                    l3 = w20.fma(xl, l3);
                    c3 = w21.fma(xc, c3);
                    r3 = w22.fma(xr, r3);
                    VectorMask<Float> takeLeft = VectorMask.fromArray(S, left, x);
                    VectorMask<Float> takeRight = VectorMask.fromArray(S, right, x);
                    int o = outOff + pos;
                    init.add(c0).add(l0, takeLeft).add(r0, takeRight).intoArray(out, o);
                    init.add(c1).add(l1, takeLeft).add(r1, takeRight).intoArray(out, o + rowStep);
                    init.add(c2).add(l2, takeLeft).add(r2, takeRight).intoArray(out, o + 2 * rowStep);
                    init.add(c3).add(l3, takeLeft).add(r3, takeRight).intoArray(out, o + 3 * rowStep);
                }
            }
        }
        return y;
    }

    /**
     * Rows of more than half a vector start with {@link #planeRowBlocks}; the rest of each plane goes one vector
     * position at a time (the last moved back to end at the plane's end), for every plane: the masks of a position
     * are the same in every plane, so they are loaded once per position (the masks loaded per vector were half the
     * instructions of a plane-by-plane loop). Two positions at a time, sharing the weights' broadcasts, computed a
     * 7x7 plane's last vector twice (its rows after the block are 2.6 vectors): one at a time took 0.85-0.94 of the
     * time of mb_dw1024 on 1 and 2 threads, alternated in one JVM. Each load of the rows above and below is ANDed
     * to zero where the output's row has no such neighbour in the plane (masks, not branches: on small planes most
     * vectors touch a plane edge); blends with boolean masks there cost a compare each to convert the mask on JDK
     * 17 (1 thread 32.7 -> 28.5 us, 2 threads 22.5 -> 20.6 us). Written out in full: a helper taking a vector was
     * not inlined here, and boxing made it 4x slower.
     */
    static void depthwise3x3Planes(float[] src, int srcOff, PlaneMasks masks, float[] w, int wOff, float[] bias,
            int biasOff, float[] out, int outOff, int planes) {
        int n = masks.size();
        int dil = masks.dil();
        int rowStep = masks.rowStep();
        FloatVector zero = FloatVector.zero(S);
        int blockRows = dil == 1 && 2 * masks.width() > L && masks.width() <= L
                ? planeRowBlocks(src, srcOff, masks, w, wOff, bias, biasOff, out, outOff, planes) : 0;
        for (int vector = blockRows * masks.width(); vector < n; vector += L) {
            int at = Math.min(vector, n - L);
            IntVector up = IntVector.fromArray(BITS, masks.top(), at);
            IntVector down = IntVector.fromArray(BITS, masks.bottom(), at);
            VectorMask<Float> left = VectorMask.fromArray(S, masks.left(), at);
            VectorMask<Float> right = VectorMask.fromArray(S, masks.right(), at);
            for (int i = 0, k = wOff, b = srcOff + at - rowStep, o = outOff + at; i < planes; i++, k += 9,
                    b += n, o += n) {
                FloatVector init = FloatVector.broadcast(S, bias == null ? 0f : bias[biasOff + i]);
                FloatVector w0 = FloatVector.broadcast(S, w[k]);
                FloatVector w1 = FloatVector.broadcast(S, w[k + 1]);
                FloatVector w2 = FloatVector.broadcast(S, w[k + 2]);
                FloatVector l = w0.fma(FloatVector.fromArray(S, src, b - dil)
                        .reinterpretAsInts().and(up).reinterpretAsFloats(), zero);
                FloatVector c = w1.fma(FloatVector.fromArray(S, src, b)
                        .reinterpretAsInts().and(up).reinterpretAsFloats(), zero);
                FloatVector r = w2.fma(FloatVector.fromArray(S, src, b + dil)
                        .reinterpretAsInts().and(up).reinterpretAsFloats(), zero);
                int m = b + rowStep;
                w0 = FloatVector.broadcast(S, w[k + 3]);
                w1 = FloatVector.broadcast(S, w[k + 4]);
                w2 = FloatVector.broadcast(S, w[k + 5]);
                l = w0.fma(FloatVector.fromArray(S, src, m - dil), l);
                c = w1.fma(FloatVector.fromArray(S, src, m), c);
                r = w2.fma(FloatVector.fromArray(S, src, m + dil), r);
                int e = m + rowStep;
                w0 = FloatVector.broadcast(S, w[k + 6]);
                w1 = FloatVector.broadcast(S, w[k + 7]);
                w2 = FloatVector.broadcast(S, w[k + 8]);
                l = w0.fma(FloatVector.fromArray(S, src, e - dil)
                        .reinterpretAsInts().and(down).reinterpretAsFloats(), l);
                c = w1.fma(FloatVector.fromArray(S, src, e)
                        .reinterpretAsInts().and(down).reinterpretAsFloats(), c);
                r = w2.fma(FloatVector.fromArray(S, src, e + dil)
                        .reinterpretAsInts().and(down).reinterpretAsFloats(), r);
                init.add(c).add(l, left).add(r, right).intoArray(out, o);
            }
        }
    }

    /**
     * The leading rows of {@link #depthwise3x3Planes} for rows of more than half a vector and at most one (a 14x14
     * plane), dilation 1, four rows at a time: the vectors at rows y..y+3 of a plane, each running a few lanes on
     * into the next row, share their input rows (6 row loads for 4 vectors instead of 12) and their column masks
     * (their positions are whole rows apart). Blocks stop while row y+4 is in the plane, so only the row above y
     * can be padding (masked); the lanes the last vector runs on into row y+4 read past it unmasked, and are
     * rewritten by the next block or {@link #depthwise3x3Planes}' vectors after it. mb_dw512 (512 x 14x14),
     * alternated in one JVM: 1 thread 45 -> 30 us, 2 threads 33 -> 25 us (against the unit path's four-row groups
     * over a zero-padded copy of each plane). Returns the rows done in every plane. Written out in full like
     * fourRowBlocks, whose loads and FMAs these mirror on the plane in place: a shared helper would take vectors,
     * and helpers taking vectors are not inlined here (see gemm8x3).
     */
    private static int planeRowBlocks(float[] src, int srcOff, PlaneMasks masks, float[] w, int wOff, float[] bias,
            int biasOff, float[] out, int outOff, int planes) {
        int n = masks.size();
        int width = masks.width();
        int height = n / width;
        FloatVector zero = FloatVector.zero(S);
        int y = 0;
        for (; y + 4 < height; y += 4) {
            int p = y * width;
            IntVector up = IntVector.fromArray(BITS, masks.top(), p);
            VectorMask<Float> left = VectorMask.fromArray(S, masks.left(), p);
            VectorMask<Float> right = VectorMask.fromArray(S, masks.right(), p);
            for (int i = 0, k = wOff, b = srcOff + p, o = outOff + p; i < planes; i++, k += 9, b += n, o += n) {
                FloatVector w0 = FloatVector.broadcast(S, w[k]);
                FloatVector w1 = FloatVector.broadcast(S, w[k + 1]);
                FloatVector w2 = FloatVector.broadcast(S, w[k + 2]);
                FloatVector w3 = FloatVector.broadcast(S, w[k + 3]);
                FloatVector w4 = FloatVector.broadcast(S, w[k + 4]);
                FloatVector w5 = FloatVector.broadcast(S, w[k + 5]);
                FloatVector w6 = FloatVector.broadcast(S, w[k + 6]);
                FloatVector w7 = FloatVector.broadcast(S, w[k + 7]);
                FloatVector w8 = FloatVector.broadcast(S, w[k + 8]);
                int r = b - width;
                FloatVector xl = FloatVector.fromArray(S, src, r - 1).reinterpretAsInts().and(up)
                        .reinterpretAsFloats();
                FloatVector xc = FloatVector.fromArray(S, src, r).reinterpretAsInts().and(up).reinterpretAsFloats();
                FloatVector xr = FloatVector.fromArray(S, src, r + 1).reinterpretAsInts().and(up)
                        .reinterpretAsFloats();
                FloatVector l0 = w0.fma(xl, zero), c0 = w1.fma(xc, zero), r0 = w2.fma(xr, zero);
                r += width;
                xl = FloatVector.fromArray(S, src, r - 1);
                xc = FloatVector.fromArray(S, src, r);
                xr = FloatVector.fromArray(S, src, r + 1);
                l0 = w3.fma(xl, l0);
                c0 = w4.fma(xc, c0);
                r0 = w5.fma(xr, r0);
                FloatVector l1 = w0.fma(xl, zero), c1 = w1.fma(xc, zero), r1 = w2.fma(xr, zero);
                r += width;
                xl = FloatVector.fromArray(S, src, r - 1);
                xc = FloatVector.fromArray(S, src, r);
                xr = FloatVector.fromArray(S, src, r + 1);
                l0 = w6.fma(xl, l0);
                c0 = w7.fma(xc, c0);
                r0 = w8.fma(xr, r0);
                l1 = w3.fma(xl, l1);
                c1 = w4.fma(xc, c1);
                r1 = w5.fma(xr, r1);
                FloatVector l2 = w0.fma(xl, zero), c2 = w1.fma(xc, zero), r2 = w2.fma(xr, zero);
                r += width;
                xl = FloatVector.fromArray(S, src, r - 1);
                xc = FloatVector.fromArray(S, src, r);
                xr = FloatVector.fromArray(S, src, r + 1);
                l1 = w6.fma(xl, l1);
                c1 = w7.fma(xc, c1);
                r1 = w8.fma(xr, r1);
                l2 = w3.fma(xl, l2);
                c2 = w4.fma(xc, c2);
                r2 = w5.fma(xr, r2);
                FloatVector l3 = w0.fma(xl, zero), c3 = w1.fma(xc, zero), r3 = w2.fma(xr, zero);
                r += width;
                xl = FloatVector.fromArray(S, src, r - 1);
                xc = FloatVector.fromArray(S, src, r);
                xr = FloatVector.fromArray(S, src, r + 1);
                l2 = w6.fma(xl, l2);
                c2 = w7.fma(xc, c2);
                r2 = w8.fma(xr, r2);
                l3 = w3.fma(xl, l3);
                c3 = w4.fma(xc, c3);
                r3 = w5.fma(xr, r3);
                r += width;
                xl = FloatVector.fromArray(S, src, r - 1);
                xc = FloatVector.fromArray(S, src, r);
                xr = FloatVector.fromArray(S, src, r + 1);
                l3 = w6.fma(xl, l3);
                c3 = w7.fma(xc, c3);
                r3 = w8.fma(xr, r3);
                FloatVector init = FloatVector.broadcast(S, bias == null ? 0f : bias[biasOff + i]);
                init.add(c0).add(l0, left).add(r0, right).intoArray(out, o);
                init.add(c1).add(l1, left).add(r1, right).intoArray(out, o + width);
                init.add(c2).add(l2, left).add(r2, right).intoArray(out, o + 2 * width);
                init.add(c3).add(l3, left).add(r3, right).intoArray(out, o + 3 * width);
            }
        }
        return y;
    }

    /**
     * Outputs [from, n) one vector at a time (from is a row's start); the last vector is moved back to end at n.
     * With dilation 1, {@link #periods} computes them all where there is at least a vector of them. The outer
     * columns' sums are ANDed with the column bits rather than blended: the sum they join is never -0.0 (start +
     * centre, and centre's chain begins at +0.0), so adding a masked-out +0.0 leaves it as it was, and the floats
     * match the blend's and the scalar kernel's.
     */
    private static void flatRun(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start,
            float[] out, int outOff, int from, int n) {
        int width = columns.width();
        int dil = columns.dil();
        int rowStep = dil * width;
        int p = dil == 1 ? periods(src, srcOff, columns, w, wOff, start, out, outOff, from, n) : from;
        if (p == n) {
            return;
        }
        int[] left = columns.leftBits();
        int[] right = columns.rightBits();
        FloatVector w00 = FloatVector.broadcast(S, w[wOff]), w01 = FloatVector.broadcast(S, w[wOff + 1]);
        FloatVector w02 = FloatVector.broadcast(S, w[wOff + 2]), w10 = FloatVector.broadcast(S, w[wOff + 3]);
        FloatVector w11 = FloatVector.broadcast(S, w[wOff + 4]), w12 = FloatVector.broadcast(S, w[wOff + 5]);
        FloatVector w20 = FloatVector.broadcast(S, w[wOff + 6]), w21 = FloatVector.broadcast(S, w[wOff + 7]);
        FloatVector w22 = FloatVector.broadcast(S, w[wOff + 8]);
        FloatVector init = FloatVector.broadcast(S, start);
        FloatVector zero = FloatVector.zero(S);
        for (; p < n; p += L) {
            int pos = Math.min(p, n - L);
            int x = pos % width;
            int b = srcOff + pos - rowStep;
            FloatVector l = w00.fma(FloatVector.fromArray(S, src, b - dil), zero);
            FloatVector c = w01.fma(FloatVector.fromArray(S, src, b), zero);
            FloatVector r = w02.fma(FloatVector.fromArray(S, src, b + dil), zero);
            b += rowStep;
            l = w10.fma(FloatVector.fromArray(S, src, b - dil), l);
            c = w11.fma(FloatVector.fromArray(S, src, b), c);
            r = w12.fma(FloatVector.fromArray(S, src, b + dil), r);
            b += rowStep;
            l = w20.fma(FloatVector.fromArray(S, src, b - dil), l);
            c = w21.fma(FloatVector.fromArray(S, src, b), c);
            r = w22.fma(FloatVector.fromArray(S, src, b + dil), r);
            init.add(c).add(l.reinterpretAsInts().and(IntVector.fromArray(BITS, left, x)).reinterpretAsFloats())
                    .add(r.reinterpretAsInts().and(IntVector.fromArray(BITS, right, x)).reinterpretAsFloats())
                    .intoArray(out, outOff + pos);
        }
    }

    /**
     * {@link #flatRun}'s outputs from {@code from}, for dilation 1, in periods of {@link ColumnMasks#period}
     * outputs (the last one cut to the whole vectors left, then one vector moved back to end at n); returns n, or
     * {@code from} where fewer than a vector's outputs are left for it. Each period is a loop whose
     * loads, column bits and store are all at its counter plus a fixed offset, so C2 checks their bounds once
     * before the loop instead of at every load, and the taps' +-1 fold into the loads' addresses (with the
     * dilation a variable, the nine offsets take nine registers and spill). 3x3 on AVX2, one thread, steady
     * state: 112-wide rows 16 -> 10.5 cycles per vector, 28-wide 18 -> 10; mb_dw32 (32 x 112x112) 0.69 of the
     * time on one and two threads, mb_dw256 (256 x 28x28) 0.65. Dilated layers, rarer, keep the per-vector loop.
     */
    private static int periods(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start,
            float[] out, int outOff, int from, int n) {
        int rowStep = columns.width();
        int period = columns.period();
        int[] left = columns.leftBits();
        int[] right = columns.rightBits();
        FloatVector w00 = FloatVector.broadcast(S, w[wOff]), w01 = FloatVector.broadcast(S, w[wOff + 1]);
        FloatVector w02 = FloatVector.broadcast(S, w[wOff + 2]), w10 = FloatVector.broadcast(S, w[wOff + 3]);
        FloatVector w11 = FloatVector.broadcast(S, w[wOff + 4]), w12 = FloatVector.broadcast(S, w[wOff + 5]);
        FloatVector w20 = FloatVector.broadcast(S, w[wOff + 6]), w21 = FloatVector.broadcast(S, w[wOff + 7]);
        FloatVector w22 = FloatVector.broadcast(S, w[wOff + 8]);
        FloatVector init = FloatVector.broadcast(S, start);
        FloatVector zero = FloatVector.zero(S);
        // segments [q0, q1) of the period that starts at base (a row's start, where the masks are indexed from):
        // whole periods, then the whole vectors left, then one vector moved back to end at n
        int base = from;
        int q0 = 0;
        int q1 = Math.min(period, (n - from) / L * L);
        while (q0 < q1) {
            int top = srcOff + base - rowStep;
            int mid = srcOff + base;
            int bottom = srcOff + base + rowStep;
            int o = outOff + base;
            for (int q = q0; q < q1; q += L) {
                FloatVector l = w00.fma(FloatVector.fromArray(S, src, top + q - 1), zero);
                FloatVector c = w01.fma(FloatVector.fromArray(S, src, top + q), zero);
                FloatVector r = w02.fma(FloatVector.fromArray(S, src, top + q + 1), zero);
                l = w10.fma(FloatVector.fromArray(S, src, mid + q - 1), l);
                c = w11.fma(FloatVector.fromArray(S, src, mid + q), c);
                r = w12.fma(FloatVector.fromArray(S, src, mid + q + 1), r);
                l = w20.fma(FloatVector.fromArray(S, src, bottom + q - 1), l);
                c = w21.fma(FloatVector.fromArray(S, src, bottom + q), c);
                r = w22.fma(FloatVector.fromArray(S, src, bottom + q + 1), r);
                init.add(c).add(l.reinterpretAsInts().and(IntVector.fromArray(BITS, left, q)).reinterpretAsFloats())
                        .add(r.reinterpretAsInts().and(IntVector.fromArray(BITS, right, q)).reinterpretAsFloats())
                        .intoArray(out, o + q);
            }
            int done = base + q1;
            if (done == n) {
                return n;
            }
            if (q1 == period && n - done >= L) {
                base = done;
                q0 = 0;
                q1 = Math.min(period, (n - base) / L * L);
            } else {
                q0 = n - L - base;
                q1 = n - base;
            }
        }
        return from;
    }

    /**
     * Per output vector (columns x .. x + L - 1), the stride-1 stencil at L input columns from 2x and at L from
     * 2x + L - 1, each vector one chain from the start over the nine taps (FMAs on memory operands), then the first's
     * even lanes and the second's odd ones, in order ({@link VectorShape#UNZIP}). That is twice the FMAs of splitting
     * each input row into its even and odd columns in registers (four shuffles and three blends per row, three rows per
     * output vector), and ran faster: one thread on a 112-wide plane in L2, 29 cycles per output vector against 48 (and
     * the plane's copy into stride phases that {@link DepthwiseConvolution} makes cost 32 before its stencil's 20). One
     * shuffle and a blend per output vector, not two and a blend, and one chain instead of a sum per kernel column (the
     * definition changed with it): 0.90-0.96 of that. The loop is bound by its instructions, not the chains' latency
     * (two chains per half, rows 0-1 and row 2, took 1.06-1.17 times as long): the taps and the start stay in registers
     * for the call and each part of a row is a counted loop, whose loads C2 checks once before it rather than at every
     * vector (51 instructions per vector instead of about 95; the start as the chains' first addend, not added after
     * them, keeps it in a register; A/B, 64 channels of 112x112: 0.79-0.83 of the time on 1 and 2 threads). Narrowing
     * each pair of floats, read as a long, to its first (a 128-bit vector per half) was as fast alone, but vectors of a
     * second shape polluted the type profiles of the Vector API's shared code: kernels compiled after it ran its Java
     * fallbacks (mb_dw1024 4x slower after mb_dw64s2 in one JVM). Keep to one vector shape. The stride-1 lanes at odd
     * columns only feed discarded lanes, which is why a row's last vector may read the float after the row; lane 0 of
     * the row's first vector takes the float before it as a left tap, and is rewritten by the plain output (a mask per
     * vector cost more than that one output per row). Vectors stop where they would compute past column width - 1 (the
     * last one moved back to end there); an output whose right tap is padding (odd widths) and rows narrower than two
     * vectors go through the plain loop.
     */
    static void depthwise3x3Stride2(float[] src, int srcOff, int width, float[] w, int wOff, float start,
            float[] out, int outOff, int rows) {
        int outWidth = (width + 1) / 2;
        int vectorEnd = width / 2;
        if (vectorEnd < L) {
            PLAIN.depthwise3x3Stride2(src, srcOff, width, w, wOff, start, out, outOff, rows);
            return;
        }
        // the nine taps and the start in registers for the whole call
        FloatVector w0 = FloatVector.broadcast(S, w[wOff]);
        FloatVector w1 = FloatVector.broadcast(S, w[wOff + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[wOff + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wOff + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[wOff + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[wOff + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wOff + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[wOff + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[wOff + 8]);
        FloatVector starts = FloatVector.broadcast(S, start);
        // the vectors from column 0 that end by vectorEnd, then one moved back to end there (if the row does not
        // end on a whole vector): each a counted loop, whose loads C2 checks once before it, not at every vector
        int aligned = vectorEnd - vectorEnd % L;
        int parts = aligned == vectorEnd ? 1 : 2;
        for (int r = 0; r < rows; r++) {
            int up = srcOff + (2 * r - 1) * width;
            int mid = up + width;
            int down = mid + width;
            int o = outOff + r * outWidth;
            for (int part = 0; part < parts; part++) {
                int from = part == 0 ? 0 : vectorEnd - L;
                int to = part == 0 ? aligned : vectorEnd - L + 1;
                for (int x = from; x < to; x += L) {
                    // low and high: the stride-1 outputs at 2x + i and 2x + L - 1 + i, each one chain over the
                    // taps; low's even lanes and high's odd ones are the L outputs. The kernel rows are written out:
                    // a loop over them could not name the taps' registers, and a helper taking vectors is not
                    // inlined (see gemm8x3)
                    int c = 2 * x;
                    FloatVector low = w0.fma(FloatVector.fromArray(S, src, up + c - 1), starts);
                    FloatVector high = w0.fma(FloatVector.fromArray(S, src, up + c + L - 2), starts);
                    low = w1.fma(FloatVector.fromArray(S, src, up + c), low);
                    high = w1.fma(FloatVector.fromArray(S, src, up + c + L - 1), high);
                    low = w2.fma(FloatVector.fromArray(S, src, up + c + 1), low);
                    high = w2.fma(FloatVector.fromArray(S, src, up + c + L), high);
                    low = w3.fma(FloatVector.fromArray(S, src, mid + c - 1), low);
                    high = w3.fma(FloatVector.fromArray(S, src, mid + c + L - 2), high);
                    low = w4.fma(FloatVector.fromArray(S, src, mid + c), low);
                    high = w4.fma(FloatVector.fromArray(S, src, mid + c + L - 1), high);
                    low = w5.fma(FloatVector.fromArray(S, src, mid + c + 1), low);
                    high = w5.fma(FloatVector.fromArray(S, src, mid + c + L), high);
                    low = w6.fma(FloatVector.fromArray(S, src, down + c - 1), low);
                    high = w6.fma(FloatVector.fromArray(S, src, down + c + L - 2), high);
                    low = w7.fma(FloatVector.fromArray(S, src, down + c), low);
                    high = w7.fma(FloatVector.fromArray(S, src, down + c + L - 1), high);
                    low = w8.fma(FloatVector.fromArray(S, src, down + c + 1), low);
                    high = w8.fma(FloatVector.fromArray(S, src, down + c + L), high);
                    low.blend(high, ODD_LANES).rearrange(UNZIP).intoArray(out, o + x);
                }
            }
            out[o] = ScalarMicroKernels.stride2Output(src, mid, width, w, wOff, start, false, true);
            if (vectorEnd < outWidth) {
                out[o + vectorEnd] = ScalarMicroKernels.stride2Output(src, mid + 2 * vectorEnd, width, w, wOff,
                        start, true, false);
            }
        }
    }
}
