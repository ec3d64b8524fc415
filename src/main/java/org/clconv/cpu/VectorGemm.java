package org.clconv.cpu;

import static org.clconv.cpu.MicroKernels.ROWS;
import static org.clconv.cpu.VectorShape.FIRST_LANES;
import static org.clconv.cpu.VectorShape.L;
import static org.clconv.cpu.VectorShape.PLAIN;
import static org.clconv.cpu.VectorShape.S;
import static org.clconv.cpu.VectorShape.WIDE_TILES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The GEMM steps of {@link VectorMicroKernels}. A step keeps a tile of C in registers for the whole depth: 8 x 3
 * vectors on AVX-512 (24 accumulators, one broadcast weight and three loaded B vectors per k, 28 of the 32
 * registers: FMA-bound, not load-bound), 4 x 2 vectors on AVX2 (11 of 16 registers: C2 spills an accumulator of a
 * 4 x 3 tile, which then waits on a store and a reload every k, 0.56-0.69 of the time), over B rows ldb apart or,
 * in a loop of its own without bounds checks, over B copied into blocks ({@link #gemm4x2Packed}). A tile's last
 * few columns go over all panels at once ({@link #gemmColumns}).
 */
final class VectorGemm {
    private static final int HALF = ROWS / 2;
    /** The lanes of one k of a weight panel: its ROWS weights (all lanes where a vector holds just those). */
    private static final VectorMask<Float> PANEL_ROWS = L > ROWS ? FIRST_LANES[ROWS] : S.maskAll(true);
    /** Lanes ROWS and up: where a vector of two panels' weights holds the second panel's. */
    private static final VectorMask<Float> HIGH_ROWS = PANEL_ROWS.not();

    private VectorGemm() {
    }

    static void gemmOnto(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base, int baseOff,
            int basePitch, int baseStep, float[] c, int cOff, int ldc, int n) {
        int j = 0;
        for (; WIDE_TILES && j + 3 * L <= n; j += 3 * L) {
            gemm8x3(a, aOff, depth, b, bOff + j, ldb, base, baseOff + j * baseStep, basePitch, c, cOff + j, ldc);
        }
        for (; !WIDE_TILES && j + 2 * L <= n; j += 2 * L) {
            int baseAt = baseOff + j * baseStep;
            if (ldb == 2 * L) {
                gemm4x2Packed(a, aOff, depth, b, bOff + j, base, baseAt, basePitch, c, cOff + j, ldc);
                gemm4x2Packed(a, aOff + HALF, depth, b, bOff + j, base, baseAt + HALF * basePitch, basePitch, c,
                        cOff + HALF * ldc + j, ldc);
            } else {
                gemm4x2(a, aOff, depth, b, bOff + j, ldb, base, baseAt, basePitch, c, cOff + j, ldc);
                gemm4x2(a, aOff + HALF, depth, b, bOff + j, ldb, base, baseAt + HALF * basePitch, basePitch, c,
                        cOff + HALF * ldc + j, ldc);
            }
        }
        for (; j < n; j += L) {
            gemm8x1(a, aOff, depth, b, bOff + j, ldb, base, baseOff + j * baseStep, basePitch, c, cOff + j, ldc);
        }
    }

    /**
     * Whole groups of four columns go over two vectors of panels at a time ({@link #fourColumns}: two panels on
     * AVX2, four on AVX-512); the other columns one at a time. Where a vector holds two panels' eight rows
     * (AVX-512), each vector's low lanes load one panel's eight weights of a k and its high lanes the next panel's
     * (a blend of two loads), and one broadcast of the column's B value feeds eight or four panels
     * ({@link #eightPanelPairColumns}, {@link #fourPanelColumns}), where gemm8x1 takes 9 loads per k and panel for
     * vectors with one real column. On AVX2, eight panels go together. Other panels go one at a time in the low
     * lanes. Each lane sums its k in order from zero, as gemm8x1 does, so the floats match.
     */
    static void gemmColumns(float[] a, int aOff, int panels, int panelStride, int depth, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc, int cols) {
        if (L < ROWS) {
            // vectors narrower than a panel's eight rows (SSE, NEON): the plain loop, the same floats
            PLAIN.gemmColumns(a, aOff, panels, panelStride, depth, b, bOff, ldb, c, cOff, ldc, cols);
            return;
        }
        // whole groups of four columns two vectors of panels at a time, then the columns left one at a time
        int grouped = cols - cols % 4;
        int q = 0;
        for (; grouped > 0 && L <= 2 * ROWS && q + 2 * L / ROWS <= panels; q += 2 * L / ROWS) {
            fourColumns(a, aOff + q * panelStride, panelStride, depth, b, bOff, ldb, c, cOff + q * ROWS * ldc, ldc,
                    grouped);
        }
        for (; grouped > 0 && q < panels; q++) {
            onePanelColumns(a, aOff + q * panelStride, depth, b, bOff, ldb, c, cOff + q * ROWS * ldc, ldc, grouped);
        }
        int rest = cols - grouped;
        q = 0;
        for (; rest > 0 && L == 2 * ROWS && q + 8 <= panels; q += 8) {
            eightPanelPairColumns(a, aOff + q * panelStride, panelStride, depth, b, bOff + grouped, ldb, c,
                    cOff + q * ROWS * ldc + grouped, ldc, rest);
        }
        for (; rest > 0 && L == 2 * ROWS && q + 4 <= panels; q += 4) {
            fourPanelColumns(a, aOff + q * panelStride, panelStride, depth, b, bOff + grouped, ldb, c,
                    cOff + q * ROWS * ldc + grouped, ldc, rest);
        }
        for (; rest > 0 && L == ROWS && q + 8 <= panels; q += 8) {
            eightPanelColumns(a, aOff + q * panelStride, panelStride, depth, b, bOff + grouped, ldb, c,
                    cOff + q * ROWS * ldc + grouped, ldc, rest);
        }
        for (; rest > 0 && q < panels; q++) {
            onePanelColumns(a, aOff + q * panelStride, depth, b, bOff + grouped, ldb, c,
                    cOff + q * ROWS * ldc + grouped, ldc, rest);
        }
    }

    /**
     * Two vectors of weights, each one panel's eight rows (AVX2) or two panels' ({@link #fourPanelColumns}' blend
     * of two loads, AVX-512), four columns at once ({@code cols} a multiple of four): per k, a broadcast of each
     * column's B value feeds eight independent FMA chains, one per vector and column. One column at a time, over
     * eight panels on AVX2 it streams every panel's weights from L2 once per column and checks the bounds of each of
     * its eight loads at every k (ASPP's dilation 6, whose Winograd units end in four tiles: its 36 positions' tails
     * were 11% of the layer's profile that way, 6% this way); over four panels on AVX-512 it has two chains, which
     * wait out the FMA latency at every k (23% of that layer's profile; this way 0.76 of the layer's time). A single
     * column stays with more panels: four chains over a vector pair would be three quarters waste there (1024
     * channels of 7x7, one tail column, AVX2: 1.09 times the time). Index expressions linear in k let C2 hoist the
     * loads' bounds checks. Each lane sums its k in order from zero, as gemm8x1 does.
     */
    private static void fourColumns(float[] a, int aOff, int stride, int depth, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, int cols) {
        float[] sums = new float[8 * L];
        // the second vector's first panel; on AVX-512 each vector's high lanes come from the panel after its first,
        // whose k-th weights start ROWS floats into a load from `high`
        int second = aOff + L / ROWS * stride;
        int high = aOff + stride - ROWS;
        int secondHigh = high + second - aOff;
        for (int j = 0; j < cols; j += 4) {
            FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
            FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            for (int k = 0; k < depth; k++) {
                FloatVector w0 = FloatVector.fromArray(S, a, aOff + ROWS * k);
                FloatVector w1 = FloatVector.fromArray(S, a, second + ROWS * k);
                if (L > ROWS) {
                    w0 = w0.blend(FloatVector.fromArray(S, a, high + ROWS * k), HIGH_ROWS);
                    w1 = w1.blend(FloatVector.fromArray(S, a, secondHigh + ROWS * k), HIGH_ROWS);
                }
                int bi = bOff + j + ldb * k;
                FloatVector bv = FloatVector.broadcast(S, b[bi]);
                s00 = w0.fma(bv, s00);
                s10 = w1.fma(bv, s10);
                bv = FloatVector.broadcast(S, b[bi + 1]);
                s01 = w0.fma(bv, s01);
                s11 = w1.fma(bv, s11);
                bv = FloatVector.broadcast(S, b[bi + 2]);
                s02 = w0.fma(bv, s02);
                s12 = w1.fma(bv, s12);
                bv = FloatVector.broadcast(S, b[bi + 3]);
                s03 = w0.fma(bv, s03);
                s13 = w1.fma(bv, s13);
            }
            s00.intoArray(sums, 0);
            s01.intoArray(sums, L);
            s02.intoArray(sums, 2 * L);
            s03.intoArray(sums, 3 * L);
            s10.intoArray(sums, 4 * L);
            s11.intoArray(sums, 5 * L);
            s12.intoArray(sums, 6 * L);
            s13.intoArray(sums, 7 * L);
            // a vector's L lanes are L consecutive rows of C
            for (int col = 0; col < 4; col++) {
                for (int i = 0; i < L; i++) {
                    c[cOff + i * ldc + j + col] += sums[col * L + i];
                    c[cOff + (L + i) * ldc + j + col] += sums[(4 + col) * L + i];
                }
            }
        }
    }

    /**
     * Eight panels where a vector holds two panels' eight rows (AVX-512), one column at a time: the vectors of
     * {@link #fourPanelColumns} for panels 0-3 and 4-7, four independent FMA chains fed by one broadcast per k
     * where four panels give two, which wait out the FMA latency at every k (1024 channels of 7x7 pointwise, its one
     * tail column: 15% of the layer's profile with four panels at a time). Each lane sums its k in order from zero,
     * as gemm8x1 does.
     */
    private static void eightPanelPairColumns(float[] a, int aOff, int stride, int depth, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc, int cols) {
        float[] sums = new float[4 * L];
        int p1 = aOff + stride - ROWS;
        int p2 = aOff + 2 * stride;
        int p3 = p1 + 2 * stride;
        int p4 = aOff + 4 * stride;
        int p5 = p1 + 4 * stride;
        int p6 = aOff + 6 * stride;
        int p7 = p1 + 6 * stride;
        for (int j = 0; j < cols; j++) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int k = 0; k < depth; k++) {
                int w = ROWS * k;
                FloatVector bv = FloatVector.broadcast(S, b[bOff + j + ldb * k]);
                s0 = FloatVector.fromArray(S, a, aOff + w).blend(FloatVector.fromArray(S, a, p1 + w), HIGH_ROWS)
                        .fma(bv, s0);
                s1 = FloatVector.fromArray(S, a, p2 + w).blend(FloatVector.fromArray(S, a, p3 + w), HIGH_ROWS)
                        .fma(bv, s1);
                s2 = FloatVector.fromArray(S, a, p4 + w).blend(FloatVector.fromArray(S, a, p5 + w), HIGH_ROWS)
                        .fma(bv, s2);
                s3 = FloatVector.fromArray(S, a, p6 + w).blend(FloatVector.fromArray(S, a, p7 + w), HIGH_ROWS)
                        .fma(bv, s3);
            }
            s0.intoArray(sums, 0);
            s1.intoArray(sums, L);
            s2.intoArray(sums, 2 * L);
            s3.intoArray(sums, 3 * L);
            for (int i = 0; i < 8 * ROWS; i++) {
                c[cOff + i * ldc + j] += sums[i];
            }
        }
    }

    /** Panels at aOff .. aOff + 3*stride: reads stay inside them (each load ends within the next panel). */
    private static void fourPanelColumns(float[] a, int aOff, int stride, int depth, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, int cols) {
        float[] sums = new float[2 * L];
        for (int j = 0; j < cols; j++) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = acc0;
            // low lanes at panel 0 (2), high lanes at panel 1 (3): its k-th weights start ROWS floats into the load
            for (int k = 0, p0 = aOff, p1 = aOff + stride - ROWS, bi = bOff + j; k < depth;
                    k++, p0 += ROWS, p1 += ROWS, bi += ldb) {
                FloatVector bv = FloatVector.broadcast(S, b[bi]);
                FloatVector w01 = FloatVector.fromArray(S, a, p0).blend(FloatVector.fromArray(S, a, p1), HIGH_ROWS);
                FloatVector w23 = FloatVector.fromArray(S, a, p0 + 2 * stride)
                        .blend(FloatVector.fromArray(S, a, p1 + 2 * stride), HIGH_ROWS);
                acc0 = w01.fma(bv, acc0);
                acc1 = w23.fma(bv, acc1);
            }
            acc0.intoArray(sums, 0);
            acc1.intoArray(sums, L);
            for (int i = 0; i < 4 * ROWS; i++) {
                c[cOff + i * ldc + j] += sums[i];
            }
        }
    }

    /**
     * Eight panels where a vector is one panel's eight rows (AVX2): eight independent FMA chains, one per panel, fed
     * by one broadcast of the column's B value per k, where one panel at a time is a single chain that waits out
     * the FMA latency at every k (a 1024-channel 7x7 pointwise layer spent a tenth of its time on its one tail
     * column that way). Each lane sums its k in order from zero, as gemm8x1 does.
     */
    private static void eightPanelColumns(float[] a, int aOff, int stride, int depth, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, int cols) {
        float[] sums = new float[8 * L];
        for (int j = 0; j < cols; j++) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int k = 0, p = aOff, bi = bOff + j; k < depth; k++, p += ROWS, bi += ldb) {
                FloatVector bv = FloatVector.broadcast(S, b[bi]);
                s0 = FloatVector.fromArray(S, a, p).fma(bv, s0);
                s1 = FloatVector.fromArray(S, a, p + stride).fma(bv, s1);
                s2 = FloatVector.fromArray(S, a, p + 2 * stride).fma(bv, s2);
                s3 = FloatVector.fromArray(S, a, p + 3 * stride).fma(bv, s3);
                s4 = FloatVector.fromArray(S, a, p + 4 * stride).fma(bv, s4);
                s5 = FloatVector.fromArray(S, a, p + 5 * stride).fma(bv, s5);
                s6 = FloatVector.fromArray(S, a, p + 6 * stride).fma(bv, s6);
                s7 = FloatVector.fromArray(S, a, p + 7 * stride).fma(bv, s7);
            }
            s0.intoArray(sums, 0);
            s1.intoArray(sums, L);
            s2.intoArray(sums, 2 * L);
            s3.intoArray(sums, 3 * L);
            s4.intoArray(sums, 4 * L);
            s5.intoArray(sums, 5 * L);
            s6.intoArray(sums, 6 * L);
            s7.intoArray(sums, 7 * L);
            for (int i = 0; i < 8 * ROWS; i++) {
                c[cOff + i * ldc + j] += sums[i];
            }
        }
    }

    /** One panel in the low lanes; the last k's load is masked to its eight weights (the panels may end there). */
    private static void onePanelColumns(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c,
            int cOff, int ldc, int cols) {
        float[] sums = new float[L];
        int last = aOff + (depth - 1) * ROWS;
        for (int j = 0; j < cols; j++) {
            FloatVector acc = FloatVector.zero(S);
            int bi = bOff + j;
            for (int ai = aOff; ai < last; ai += ROWS, bi += ldb) {
                acc = FloatVector.fromArray(S, a, ai).fma(FloatVector.broadcast(S, b[bi]), acc);
            }
            acc = FloatVector.fromArray(S, a, last, PANEL_ROWS).fma(FloatVector.broadcast(S, b[bi]), acc);
            acc.intoArray(sums, 0);
            for (int i = 0; i < ROWS; i++) {
                c[cOff + i * ldc + j] += sums[i];
            }
        }
    }

    private static void gemm8x3(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base,
            int baseOff, int basePitch, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        FloatVector c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
        for (int k = 0, ai = aOff, bi = bOff; k < depth; k++, ai += ROWS, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = w.fma(b0, c00);
            c01 = w.fma(b1, c01);
            c02 = w.fma(b2, c02);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w.fma(b0, c10);
            c11 = w.fma(b1, c11);
            c12 = w.fma(b2, c12);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w.fma(b0, c20);
            c21 = w.fma(b1, c21);
            c22 = w.fma(b2, c22);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w.fma(b0, c30);
            c31 = w.fma(b1, c31);
            c32 = w.fma(b2, c32);
            w = FloatVector.broadcast(S, a[ai + 4]);
            c40 = w.fma(b0, c40);
            c41 = w.fma(b1, c41);
            c42 = w.fma(b2, c42);
            w = FloatVector.broadcast(S, a[ai + 5]);
            c50 = w.fma(b0, c50);
            c51 = w.fma(b1, c51);
            c52 = w.fma(b2, c52);
            w = FloatVector.broadcast(S, a[ai + 6]);
            c60 = w.fma(b0, c60);
            c61 = w.fma(b1, c61);
            c62 = w.fma(b2, c62);
            w = FloatVector.broadcast(S, a[ai + 7]);
            c70 = w.fma(b0, c70);
            c71 = w.fma(b1, c71);
            c72 = w.fma(b2, c72);
        }
        // written out in full: a helper taking vectors as arguments is too big to inline, which makes C2 box
        // the accumulators and fall back to the Java implementation of every operation (10x slower)
        int r = cOff;
        int q = baseOff;
        FloatVector.fromArray(S, base, q).add(c00).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c01).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c02).intoArray(c, r + 2 * L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c10).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c11).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c12).intoArray(c, r + 2 * L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c20).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c21).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c22).intoArray(c, r + 2 * L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c30).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c31).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c32).intoArray(c, r + 2 * L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c40).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c41).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c42).intoArray(c, r + 2 * L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c50).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c51).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c52).intoArray(c, r + 2 * L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c60).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c61).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c62).intoArray(c, r + 2 * L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c70).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c71).intoArray(c, r + L);
        FloatVector.fromArray(S, base, q + 2 * L).add(c72).intoArray(c, r + 2 * L);
    }

    /** Rows [0, 4) of the panel at aOff (weights of k at aOff + ROWS*k): the tile for 16 registers (AVX2). */
    private static void gemm4x2(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base,
            int baseOff, int basePitch, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int k = 0, ai = aOff, bi = bOff; k < depth; k++, ai += ROWS, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = w.fma(b0, c00);
            c01 = w.fma(b1, c01);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w.fma(b0, c10);
            c11 = w.fma(b1, c11);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w.fma(b0, c20);
            c21 = w.fma(b1, c21);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w.fma(b0, c30);
            c31 = w.fma(b1, c31);
        }
        int r = cOff;
        int q = baseOff;
        FloatVector.fromArray(S, base, q).add(c00).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c01).intoArray(c, r + L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c10).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c11).intoArray(c, r + L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c20).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c21).intoArray(c, r + L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c30).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c31).intoArray(c, r + L);
    }

    /**
     * {@link #gemm4x2} over B packed {@code 2L} wide, row k at bOff + 2L*k. With a constant stride C2 proves every
     * load of the loop in bounds before it starts; with ldb a variable it checks both B loads every k, and those
     * checks, their index arithmetic and the loop's own instructions were half the loop's instructions, which a
     * busy core's shared front end does not hide (two k per pass halve the loop's share again). Measured on AVX2,
     * 2 threads, A/B in one JVM: 512 channels of 14x14 0.65 of the time, 1024 of 7x7 0.88, 256 of 28x28 0.80-0.87.
     */
    private static void gemm4x2Packed(float[] a, int aOff, int depth, float[] b, int bOff, float[] base,
            int baseOff, int basePitch, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int k = 0;
        for (int pairs = depth & ~1; k < pairs; k += 2) {
            int ai = aOff + ROWS * k;
            int bi = bOff + 2 * L * k;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = w.fma(b0, c00);
            c01 = w.fma(b1, c01);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w.fma(b0, c10);
            c11 = w.fma(b1, c11);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w.fma(b0, c20);
            c21 = w.fma(b1, c21);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w.fma(b0, c30);
            c31 = w.fma(b1, c31);
            b0 = FloatVector.fromArray(S, b, bi + 2 * L);
            b1 = FloatVector.fromArray(S, b, bi + 3 * L);
            w = FloatVector.broadcast(S, a[ai + ROWS]);
            c00 = w.fma(b0, c00);
            c01 = w.fma(b1, c01);
            w = FloatVector.broadcast(S, a[ai + ROWS + 1]);
            c10 = w.fma(b0, c10);
            c11 = w.fma(b1, c11);
            w = FloatVector.broadcast(S, a[ai + ROWS + 2]);
            c20 = w.fma(b0, c20);
            c21 = w.fma(b1, c21);
            w = FloatVector.broadcast(S, a[ai + ROWS + 3]);
            c30 = w.fma(b0, c30);
            c31 = w.fma(b1, c31);
        }
        if (k < depth) {
            int ai = aOff + ROWS * k;
            FloatVector b0 = FloatVector.fromArray(S, b, bOff + 2 * L * k);
            FloatVector b1 = FloatVector.fromArray(S, b, bOff + 2 * L * k + L);
            c00 = FloatVector.broadcast(S, a[ai]).fma(b0, c00);
            c01 = FloatVector.broadcast(S, a[ai]).fma(b1, c01);
            c10 = FloatVector.broadcast(S, a[ai + 1]).fma(b0, c10);
            c11 = FloatVector.broadcast(S, a[ai + 1]).fma(b1, c11);
            c20 = FloatVector.broadcast(S, a[ai + 2]).fma(b0, c20);
            c21 = FloatVector.broadcast(S, a[ai + 2]).fma(b1, c21);
            c30 = FloatVector.broadcast(S, a[ai + 3]).fma(b0, c30);
            c31 = FloatVector.broadcast(S, a[ai + 3]).fma(b1, c31);
        }
        // written out in full, as in gemm8x3: with the store in a helper shared by both 4x2 kernels, one complete
        // bench run compiled them with it not inlined and every GEMM layer ran 10x slower (another did not)
        int r = cOff;
        int q = baseOff;
        FloatVector.fromArray(S, base, q).add(c00).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c01).intoArray(c, r + L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c10).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c11).intoArray(c, r + L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c20).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c21).intoArray(c, r + L);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c30).intoArray(c, r);
        FloatVector.fromArray(S, base, q + L).add(c31).intoArray(c, r + L);
    }

    private static void gemm8x1(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base,
            int baseOff, int basePitch, float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int k = 0, ai = aOff, bi = bOff; k < depth; k++, ai += ROWS, bi += ldb) {
            FloatVector bv = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[ai]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[ai + 1]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7]).fma(bv, c7);
        }
        int r = cOff;
        int q = baseOff;
        FloatVector.fromArray(S, base, q).add(c0).intoArray(c, r);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c1).intoArray(c, r);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c2).intoArray(c, r);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c3).intoArray(c, r);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c4).intoArray(c, r);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c5).intoArray(c, r);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c6).intoArray(c, r);
        r += ldc;
        q += basePitch;
        FloatVector.fromArray(S, base, q).add(c7).intoArray(c, r);
    }
}
