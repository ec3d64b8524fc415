package org.clconv.cpu;

import static org.clconv.cpu.VectorShape.L;
import static org.clconv.cpu.VectorShape.ODD_LANES;
import static org.clconv.cpu.VectorShape.PLAIN;
import static org.clconv.cpu.VectorShape.S;
import static org.clconv.cpu.VectorShape.UNZIP;
import static org.clconv.cpu.VectorShape.WIDE_TILES;

import jdk.incubator.vector.FloatVector;

/**
 * The general depthwise stencils of {@link VectorMicroKernels} (any kernel, dilation and stride): a flat run of
 * outputs with eight or four output vectors in registers across all taps, its stride-2 form, and the four-row
 * blocks that share loaded input rows between output rows.
 */
final class VectorStencils {
    private VectorStencils() {
    }

    static void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start,
            float[] out, int outOff, int n, int[] storeAt) {
        FloatVector init = FloatVector.broadcast(S, start);
        int j = 0;
        // each store written out: a helper taking the vector made the 5x5 dilated layer 1.13-1.15x slower
        int at;
        // eight vectors per tap where the run allows: the weight broadcast and the tap offset are loaded once per
        // eight FMAs instead of four, and eight independent sums hide the FMA latency (AVX2 too: 10 registers; a
        // 5x5 dilated 128-channel 56x56 layer 0.87-0.93 of the time on one thread). Then four vectors, the last
        // such step moved back to end at n where two or more vectors are left (a stride-2 row of 56 outputs: 0-31
        // and 24-55, 0.93 of the time, instead of three one-vector steps, each one chain of dependent FMAs)
        for (; j + 8 * L <= n; j += 8 * L) {
            stencilStrip(src, srcBase + j, srcOff, taps, w, wOff, start, out, outOff, storeAt, j);
        }
        for (; j + 4 * L <= n || n >= 4 * L && n - j >= 2 * L; j += 4 * L) {
            j = Math.min(j, n - 4 * L);
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
                int o = srcBase + srcOff[t] + j;
                s0 = wv.fma(FloatVector.fromArray(S, src, o), s0);
                s1 = wv.fma(FloatVector.fromArray(S, src, o + L), s1);
                s2 = wv.fma(FloatVector.fromArray(S, src, o + 2 * L), s2);
                s3 = wv.fma(FloatVector.fromArray(S, src, o + 3 * L), s3);
            }
            at = storePosition(storeAt, j, 0);
            if (at >= 0) {
                init.add(s0).intoArray(out, outOff + at);
            }
            at = storePosition(storeAt, j, 1);
            if (at >= 0) {
                init.add(s1).intoArray(out, outOff + at);
            }
            at = storePosition(storeAt, j, 2);
            if (at >= 0) {
                init.add(s2).intoArray(out, outOff + at);
            }
            at = storePosition(storeAt, j, 3);
            if (at >= 0) {
                init.add(s3).intoArray(out, outOff + at);
            }
        }
        for (; j < n; j += L) {
            FloatVector s = FloatVector.zero(S);
            for (int t = 0; t < taps; t++) {
                FloatVector v = FloatVector.fromArray(S, src, srcBase + srcOff[t] + j);
                s = FloatVector.broadcast(S, w[wOff + t]).fma(v, s);
            }
            at = storePosition(storeAt, j, 0);
            if (at >= 0) {
                init.add(s).intoArray(out, outOff + at);
            }
        }
    }

    /**
     * As {@link VectorDepthwise3x3#depthwise3x3Stride2} does it: per output vector at x, the stride-1 sums at the L
     * columns from 2x (low) and from 2x + L - 1 (high), each lane one chain over the taps, then low's even lanes and
     * high's odd ones in order ({@link VectorShape#UNZIP}): twice the FMAs, on a plain padded copy instead of one split
     * into stride phases (EfficientNet's 5x5 stride-2 depthwise layer, 144 channels of 56x56, spent 45% of its time in
     * that split). Two rows by two vectors per pass, eight independent chains (the last pair of rows and of vectors
     * moved back to end at the last row and at n, recomputing a few outputs): one row of two vectors, four chains of 25
     * dependent FMAs, waited on their latency (that layer against the split, A/B: 0.82-0.91 of the time one row at a
     * time, 0.71-0.75 two rows at a time). Fewer than two rows or two vectors: one vector at a time; rows shorter than
     * a vector: the plain loop.
     */
    static void stencilStride2(float[] src, int srcBase, int srcPitch, int[] srcOff, int taps, float[] w, int wOff,
            float start, float[] out, int outOff, int n, int rows) {
        if (n < L) {
            PLAIN.stencilStride2(src, srcBase, srcPitch, srcOff, taps, w, wOff, start, out, outOff, n, rows);
            return;
        }
        FloatVector init = FloatVector.broadcast(S, start);
        if (n >= 2 * L && rows >= 2) {
            for (int r = 0; r < rows; r += 2) {
                r = Math.min(r, rows - 2);
                int base = srcBase + r * srcPitch;
                int o0 = outOff + r * n;
                for (int j = 0; j < n; j += 2 * L) {
                    j = Math.min(j, n - 2 * L);
                    FloatVector a0 = FloatVector.zero(S), b0 = a0, a1 = a0, b1 = a0;
                    FloatVector c0 = a0, d0 = a0, c1 = a0, d1 = a0;
                    for (int t = 0; t < taps; t++) {
                        FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
                        int o = base + srcOff[t] + 2 * j;
                        int q = o + srcPitch;
                        a0 = wv.fma(FloatVector.fromArray(S, src, o), a0);
                        b0 = wv.fma(FloatVector.fromArray(S, src, o + L - 1), b0);
                        a1 = wv.fma(FloatVector.fromArray(S, src, o + 2 * L), a1);
                        b1 = wv.fma(FloatVector.fromArray(S, src, o + 3 * L - 1), b1);
                        c0 = wv.fma(FloatVector.fromArray(S, src, q), c0);
                        d0 = wv.fma(FloatVector.fromArray(S, src, q + L - 1), d0);
                        c1 = wv.fma(FloatVector.fromArray(S, src, q + 2 * L), c1);
                        d1 = wv.fma(FloatVector.fromArray(S, src, q + 3 * L - 1), d1);
                    }
                    init.add(a0.blend(b0, ODD_LANES).rearrange(UNZIP)).intoArray(out, o0 + j);
                    init.add(a1.blend(b1, ODD_LANES).rearrange(UNZIP)).intoArray(out, o0 + j + L);
                    init.add(c0.blend(d0, ODD_LANES).rearrange(UNZIP)).intoArray(out, o0 + n + j);
                    init.add(c1.blend(d1, ODD_LANES).rearrange(UNZIP)).intoArray(out, o0 + n + j + L);
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int base = srcBase + r * srcPitch;
            for (int j = 0; j < n; j += L) {
                j = Math.min(j, n - L);
                FloatVector low = FloatVector.zero(S), high = low;
                for (int t = 0; t < taps; t++) {
                    FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
                    int o = base + srcOff[t] + 2 * j;
                    low = wv.fma(FloatVector.fromArray(S, src, o), low);
                    high = wv.fma(FloatVector.fromArray(S, src, o + L - 1), high);
                }
                init.add(low.blend(high, ODD_LANES).rearrange(UNZIP)).intoArray(out, outOff + r * n + j);
            }
        }
    }

    /**
     * Eight vectors of {@link #stencil} from output j (base = srcBase + j). A method of its own so that C2
     * allocates its registers apart from the rest of the stencil: there the tap loop moved the weight and offset
     * arrays through vector registers at every tap (25 instructions per 8 FMAs, 21 here; A/B on 2 threads, 5x5
     * and 7x7 depthwise layers of 14x14 to 56x56: 0.955-0.98 of the time).
     */
    private static void stencilStrip(float[] src, int base, int[] srcOff, int taps, float[] w, int wOff, float start,
            float[] out, int outOff, int[] storeAt, int j) {
        FloatVector init = FloatVector.broadcast(S, start);
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int t = 0; t < taps; t++) {
            FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
            int o = base + srcOff[t];
            s0 = wv.fma(FloatVector.fromArray(S, src, o), s0);
            s1 = wv.fma(FloatVector.fromArray(S, src, o + L), s1);
            s2 = wv.fma(FloatVector.fromArray(S, src, o + 2 * L), s2);
            s3 = wv.fma(FloatVector.fromArray(S, src, o + 3 * L), s3);
            s4 = wv.fma(FloatVector.fromArray(S, src, o + 4 * L), s4);
            s5 = wv.fma(FloatVector.fromArray(S, src, o + 5 * L), s5);
            s6 = wv.fma(FloatVector.fromArray(S, src, o + 6 * L), s6);
            s7 = wv.fma(FloatVector.fromArray(S, src, o + 7 * L), s7);
        }
        int at = storePosition(storeAt, j, 0);
        if (at >= 0) {
            init.add(s0).intoArray(out, outOff + at);
        }
        at = storePosition(storeAt, j, 1);
        if (at >= 0) {
            init.add(s1).intoArray(out, outOff + at);
        }
        at = storePosition(storeAt, j, 2);
        if (at >= 0) {
            init.add(s2).intoArray(out, outOff + at);
        }
        at = storePosition(storeAt, j, 3);
        if (at >= 0) {
            init.add(s3).intoArray(out, outOff + at);
        }
        at = storePosition(storeAt, j, 4);
        if (at >= 0) {
            init.add(s4).intoArray(out, outOff + at);
        }
        at = storePosition(storeAt, j, 5);
        if (at >= 0) {
            init.add(s5).intoArray(out, outOff + at);
        }
        at = storePosition(storeAt, j, 6);
        if (at >= 0) {
            init.add(s6).intoArray(out, outOff + at);
        }
        at = storePosition(storeAt, j, 7);
        if (at >= 0) {
            init.add(s7).intoArray(out, outOff + at);
        }
    }

    /**
     * Where {@link #stencil}'s step k after output j goes (see {@link MicroKernels#stencil}): j + k*L as it is, or
     * its store map's entry, -1 for a step dropped.
     */
    private static int storePosition(int[] storeAt, int j, int k) {
        return storeAt == null ? j + k * L : storeAt[j / L + k];
    }

    /**
     * Four output rows rowStep apart (they share kernel rows: input row j is kernel row j - m of output row m) by
     * four vectors of columns: each loaded input vector feeds up to four rows' FMAs and each broadcast weight four
     * vectors, 0.4 loads per FMA on a 5x5 kernel where the flat stencil needs 1.125 (loads bound it). Sixteen
     * accumulators, four inputs and a weight fit AVX-512's registers. Every output takes its taps in the flat
     * stencil's order and no others, so the floats match it. The blocks write the output rows themselves: a row of
     * 56 takes vectors at 0, 16, 32 and, moved back to end at the row's end, 40, so nothing lands past the row and
     * nothing is copied out of an accumulator. Rows of three vectors or fewer, and the rows left over, stay with
     * the caller's flat run, whose padded-width columns fill whole vectors. Measured on 5x5 dilation-2 maps of
     * 56x56, one thread: 20% faster than the flat stencil with a zero weight for each (input row, output row) pair
     * that is no tap, another 10% without them, and 14% more writing the output rows instead of an accumulator
     * that was then copied out (two threads: 19%).
     */
    static int stencilRowBlocks(float[] src, int srcBase, int kh, int kw, int rowStep, int colStep, int pitch,
            float[] w, int wOff, float start, float[] out, int outOff, int outPitch, int rows, int width) {
        int dilRows = rowStep / pitch;
        // blocks of four vectors cover a row in whole blocks, the last moved back over the one before: past three
        // quarters of them useful they beat the flat run (5x5 on rows of 100: 17% faster), below it they lose
        // (rows of 70, 55% useful: 27% slower)
        boolean useful = width * 4 >= GemmTiles.roundUp(width, 4 * L) * 3;
        if (!WIDE_TILES || kh < 4 || width <= 3 * L || !useful || rowStep % pitch != 0) {
            return 0;
        }
        int last = Math.min(3 * L, width - L);
        int blockEnd = Math.max(width - 4 * L, 0);
        int y = 0;
        for (; y + 4 * dilRows <= rows; y += 4 * dilRows) {
            for (int r = 0; r < dilRows; r++) {
                for (int x = 0; x < width; x += 4 * L) {
                    int bx = Math.min(x, blockEnd);
                    rowBlock(src, srcBase + (y + r) * pitch + bx, kh, kw, rowStep, colStep, w, wOff, start, out,
                            outOff + (y + r) * outPitch + bx, dilRows * outPitch, last);
                }
            }
        }
        return y;
    }

    /**
     * One block of {@link #stencilRowBlocks}: four rows rowStep apart from base, into out at c, rows outRowStep
     * apart; four vectors wide, the last one {@code last} floats from the first (3L, or less where it is moved
     * back to end at a row's end and recomputes a few outputs of the third).
     */
    private static void rowBlock(float[] src, int base, int kh, int kw, int rowStep, int colStep, float[] w,
            int wOff, float start, float[] out, int c, int outRowStep, int last) {
        FloatVector init = FloatVector.broadcast(S, start);
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        // input row j is kernel row j - m of output row m: rows 0, 1, 2 feed only the first 1, 2, 3 output rows,
        // rows kh, kh + 1, kh + 2 the last 3, 2, 1, so each of those rows has its own loop over the kernel columns
        // and rows [3, kh) one loop over (row, column). Sequential loops, not one loop with branches or a loop
        // around them: C2 (JDK 17) boxes the vectors carried through an if's or an outer loop's phis (10-15x slower)
        for (int kx = 0, t = 0; kx < kw; kx++, t++) {
            int o = base + kx * colStep;
            FloatVector x0 = FloatVector.fromArray(S, src, o);
            FloatVector x1 = FloatVector.fromArray(S, src, o + L);
            FloatVector x2 = FloatVector.fromArray(S, src, o + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, src, o + last);
            FloatVector w0 = FloatVector.broadcast(S, w[wOff + t]);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
        }
        for (int kx = 0, t = kw; kx < kw; kx++, t++) {
            int o = base + rowStep + kx * colStep;
            FloatVector x0 = FloatVector.fromArray(S, src, o);
            FloatVector x1 = FloatVector.fromArray(S, src, o + L);
            FloatVector x2 = FloatVector.fromArray(S, src, o + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, src, o + last);
            FloatVector w0 = FloatVector.broadcast(S, w[wOff + t]);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.broadcast(S, w[wOff + t - kw]);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
        }
        for (int kx = 0, t = 2 * kw; kx < kw; kx++, t++) {
            int o = base + 2 * rowStep + kx * colStep;
            FloatVector x0 = FloatVector.fromArray(S, src, o);
            FloatVector x1 = FloatVector.fromArray(S, src, o + L);
            FloatVector x2 = FloatVector.fromArray(S, src, o + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, src, o + last);
            FloatVector w0 = FloatVector.broadcast(S, w[wOff + t]);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.broadcast(S, w[wOff + t - kw]);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.broadcast(S, w[wOff + t - 2 * kw]);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
        }
        for (int t = 3 * kw, kx = 0, row = base + 3 * rowStep; t < kh * kw; t++) {
            int o = row + kx * colStep;
            FloatVector x0 = FloatVector.fromArray(S, src, o);
            FloatVector x1 = FloatVector.fromArray(S, src, o + L);
            FloatVector x2 = FloatVector.fromArray(S, src, o + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, src, o + last);
            FloatVector w0 = FloatVector.broadcast(S, w[wOff + t]);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.broadcast(S, w[wOff + t - kw]);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.broadcast(S, w[wOff + t - 2 * kw]);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.broadcast(S, w[wOff + t - 3 * kw]);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
            if (++kx == kw) {
                kx = 0;
                row += rowStep;
            }
        }
        for (int kx = 0, t = kh * kw; kx < kw; kx++, t++) {
            int o = base + kh * rowStep + kx * colStep;
            FloatVector x0 = FloatVector.fromArray(S, src, o);
            FloatVector x1 = FloatVector.fromArray(S, src, o + L);
            FloatVector x2 = FloatVector.fromArray(S, src, o + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, src, o + last);
            FloatVector w1 = FloatVector.broadcast(S, w[wOff + t - kw]);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.broadcast(S, w[wOff + t - 2 * kw]);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.broadcast(S, w[wOff + t - 3 * kw]);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
        }
        for (int kx = 0, t = (kh + 1) * kw; kx < kw; kx++, t++) {
            int o = base + (kh + 1) * rowStep + kx * colStep;
            FloatVector x0 = FloatVector.fromArray(S, src, o);
            FloatVector x1 = FloatVector.fromArray(S, src, o + L);
            FloatVector x2 = FloatVector.fromArray(S, src, o + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, src, o + last);
            FloatVector w2 = FloatVector.broadcast(S, w[wOff + t - 2 * kw]);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.broadcast(S, w[wOff + t - 3 * kw]);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
        }
        for (int kx = 0, t = (kh + 2) * kw; kx < kw; kx++, t++) {
            int o = base + (kh + 2) * rowStep + kx * colStep;
            FloatVector x0 = FloatVector.fromArray(S, src, o);
            FloatVector x1 = FloatVector.fromArray(S, src, o + L);
            FloatVector x2 = FloatVector.fromArray(S, src, o + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, src, o + last);
            FloatVector w3 = FloatVector.broadcast(S, w[wOff + t - 3 * kw]);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
        }
        // stored inline: a helper taking the four vectors is not inlined into this large method, and boxing
        // them made the block 7x slower
        init.add(a00).intoArray(out, c);
        init.add(a01).intoArray(out, c + L);
        init.add(a02).intoArray(out, c + 2 * L);
        init.add(a03).intoArray(out, c + last);
        c += outRowStep;
        init.add(a10).intoArray(out, c);
        init.add(a11).intoArray(out, c + L);
        init.add(a12).intoArray(out, c + 2 * L);
        init.add(a13).intoArray(out, c + last);
        c += outRowStep;
        init.add(a20).intoArray(out, c);
        init.add(a21).intoArray(out, c + L);
        init.add(a22).intoArray(out, c + 2 * L);
        init.add(a23).intoArray(out, c + last);
        c += outRowStep;
        init.add(a30).intoArray(out, c);
        init.add(a31).intoArray(out, c + L);
        init.add(a32).intoArray(out, c + 2 * L);
        init.add(a33).intoArray(out, c + last);
    }
}
