package org.clconv.cpu;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MicroKernels} on jdk.incubator.vector, loaded only through {@link MicroKernels#best()}. The GEMM step
 * keeps a tile of C in registers for the whole depth: 8 x 3 vectors on AVX-512 (24 accumulators, one broadcast
 * weight and three loaded B vectors per k, 28 of the 32 registers: FMA-bound, not load-bound), 4 x 2 vectors on
 * AVX2 (11 of 16 registers: C2 spills an accumulator of a 4 x 3 tile, which then waits on a store and a reload
 * every k, 0.56-0.69 of the time), over B rows ldb apart or, in a loop of its own without bounds checks, over B
 * copied into blocks ({@link #gemm4x2Packed}). The stencil keeps eight or four output vectors in registers across
 * all taps.
 * Every vector here has S's shape: one of another size, even briefly, pollutes the type profiles of the Vector
 * API's shared code and leaves kernels compiled after it in its Java fallbacks (see depthwise3x3Stride2).
 */
final class VectorMicroKernels implements MicroKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes of S's size as ints: bit masks that zero padding lanes with one AND. */
    private static final VectorSpecies<Integer> BITS = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * The 8 x 3 tile needs 28 vector registers: AVX-512 has 32, AVX2 only 16 (it would spill accumulators), so
     * narrower vectors run each panel as two 4 x 2 tiles.
     */
    private static final boolean WIDE_TILES = S.vectorBitSize() >= 512;
    private static final int HALF = ROWS / 2;
    /** FIRST_LANES[k]: the lanes below k (made once: building a mask from bits is not an intrinsic in Java 17). */
    @SuppressWarnings("unchecked")
    private static final VectorMask<Float>[] FIRST_LANES = IntStream.range(0, L)
            .mapToObj(k -> VectorMask.fromLong(S, (1L << k) - 1)).toArray(VectorMask[]::new);
    private static final MicroKernels PLAIN = new ScalarMicroKernels();
    /** The lanes of one k of a weight panel: its ROWS weights (all lanes where a vector holds just those). */
    private static final VectorMask<Float> PANEL_ROWS = L > ROWS ? FIRST_LANES[ROWS] : S.maskAll(true);
    /** Lanes ROWS and up: where a vector of two panels' weights holds the second panel's. */
    private static final VectorMask<Float> HIGH_ROWS = PANEL_ROWS.not();
    /**
     * Lane i takes lane 2i, then lane 2(i - L/2) + 1: a vector's even lanes then its odd ones. Blended with
     * {@link #ODD_LANES} from a vector at 2x and one at 2x + L - 1, it gives the evens of the 2L floats from 2x in
     * order (one shuffle and one blend per vector of them).
     */
    private static final VectorShuffle<Float> UNZIP = VectorShuffle.fromOp(S,
            i -> i < L / 2 ? 2 * i : 2 * (i - L / 2) + 1);
    /** Lane i takes lane i / 2, or L / 2 + i / 2: with {@link #ODD_LANES}, two vectors zipped lane by lane. */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, i -> i / 2);
    private static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(S, i -> L / 2 + i / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromValues(S, oddLanes());

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    public int columnStep() {
        return L;
    }

    @Override
    public int tileColumns() {
        return WIDE_TILES ? 3 * L : 2 * L;
    }

    /**
     * The 4 x 2 tiles over B copied 2L wide run {@link #gemm4x2Packed}, whose loop has no bounds checks, and read
     * contiguous rows instead of rows ldb apart that span two cache lines each (which the second pass, rows 4-7,
     * reads again from L2). A/B on AVX2, 2 threads, one JVM, in place -> copied from 32 deep: 32 channels of
     * 112x112 0.85-0.97 of the time (before the packed kernel, copying 32 deep ran 1.07 times slower). The 8 x 3
     * tiles read B once per panel and were tuned in place.
     */
    @Override
    public int packedDepth() {
        return WIDE_TILES ? Integer.MAX_VALUE : 32;
    }

    @Override
    public void gemmOnto(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base, int baseOff,
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
    @Override
    public void gemmColumns(float[] a, int aOff, int panels, int panelStride, int depth, float[] b, int bOff,
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

    @Override
    public void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start,
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
     * As {@link #depthwise3x3Stride2} does it: per output vector at x, the stride-1 sums at the L columns from 2x
     * (low) and from 2x + L - 1 (high), each lane one chain over the taps, then low's even lanes and high's odd
     * ones in order ({@link #UNZIP}): twice the FMAs, on a plain padded copy instead of one split into stride phases
     * (EfficientNet's 5x5 stride-2 depthwise layer, 144 channels of 56x56, spent 45% of its time in that split).
     * Two rows by two vectors per pass, eight independent chains (the last pair of rows and of vectors moved back
     * to end at the last row and at n, recomputing a few outputs): one row of two vectors, four chains of 25
     * dependent FMAs, waited on their latency (that layer against the split, A/B: 0.82-0.91 of the time one row at
     * a time, 0.71-0.75 two rows at a time). Fewer than two rows or two vectors: one vector at a time; rows shorter
     * than a vector: the plain loop.
     */
    @Override
    public void stencilStride2(float[] src, int srcBase, int srcPitch, int[] srcOff, int taps, float[] w, int wOff,
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
    @Override
    public int stencilRowBlocks(float[] src, int srcBase, int kh, int kw, int rowStep, int colStep, int pitch,
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

    /**
     * Wide rows go four rows at a time, rows {@code dil} apart so that they share input rows: each input row is
     * loaded once (three shifted vectors) for up to three of the four outputs, 4.5 loads per output vector instead
     * of 9, which is what bounds this stencil. That needs 27 vector registers, so only AVX-512 (32) does it. Rows
     * of more than half a vector go this way (a narrower row's vector also covers the start of the rows after it:
     * 72 loads for a 14x14 plane instead of 117); the rows left over, and planes of shorter rows, go as one flat
     * run (row after row, so short rows still fill whole vectors). Each output sums its three kernel columns apart
     * and adds the outer two under the column masks (two masked adds instead of a blend per loaded vector).
     */
    @Override
    public void depthwise3x3(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start,
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
    @Override
    public void depthwise3x3Planes(float[] src, int srcOff, PlaneMasks masks, float[] w, int wOff, float[] bias,
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
     * 2x + L - 1, each vector one chain from the start over the nine taps (FMAs on memory operands), then the
     * first's even lanes and the second's odd ones, in order ({@link #UNZIP}). That is twice the FMAs of splitting
     * each input row into its even and odd columns in registers (four shuffles and three blends per row, three rows
     * per output vector), and ran faster: one thread on a 112-wide plane in L2, 29 cycles per output vector against
     * 48 (and the plane's copy into stride phases that {@link DepthwiseConvolution} makes cost 32 before its
     * stencil's 20). One shuffle and a blend per output vector, not two and a blend, and one chain instead of a sum
     * per kernel column (the definition changed with it): 0.90-0.96 of that. The loop is bound by its instructions,
     * not the chains' latency (two chains per half, rows 0-1 and row 2, took 1.06-1.17 times as long): the taps and
     * the start stay in registers for the call and each part of a row is a counted loop, whose loads C2 checks
     * once before it rather than at every vector (51 instructions per vector instead of about 95; the start as the
     * chains' first addend, not added after them, keeps it in a register; A/B, 64 channels of 112x112: 0.79-0.83
     * of the time on 1 and 2 threads). Narrowing each pair of floats, read as a long, to its first (a 128-bit
     * vector per half) was as fast alone, but vectors of a second shape polluted the type profiles of the Vector
     * API's shared code: kernels compiled after it ran its Java fallbacks (mb_dw1024 4x slower after mb_dw64s2 in
     * one JVM). Keep to one vector shape.
     * The stride-1 lanes at odd columns only feed discarded lanes, which is why a row's last vector may read the
     * float after the row; lane 0 of the row's first vector takes the float before it as a left tap, and is
     * rewritten by the plain output (a mask per vector cost more than that one output per row). Vectors stop where
     * they would compute past column width - 1 (the last one moved back to end there); an output whose right tap
     * is padding (odd widths) and rows narrower than two vectors go through the plain loop.
     */
    @Override
    public void depthwise3x3Stride2(float[] src, int srcOff, int width, float[] w, int wOff, float start,
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

    /**
     * L tiles at a time (the last vector moved back to end at the run's last tile): the two passes of {@link
     * ScalarMicroKernels#winogradInputTile} on vectors of L consecutive tiles, whose columns are contiguous in
     * each phase, the first pass's sums a vector each in work; a run of fewer tiles is one vector of L (a unit's
     * runs start anywhere in a tile row, and a plain loop there took 4% of a 256-channel layer's time).
     */
    @Override
    public void winogradInput(float[] src, int srcOff, int phase, int rowPitch, float[] v, int vOff, int vPitch,
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
    @Override
    public boolean winogradOutput(float[] m, int mOff, int mPitch, float start, float[] out, int outOff, int width,
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

    /**
     * {@link #copyRows} for rows of a vector or more: whole vectors, the last moved back to end at the row's end (it
     * rewrites a few floats with what they hold), with no blend and no float written past the row.
     */
    private static void copyRowsMovedBack(float[] src, int srcOff, int srcPitch, float[] dst, int dstOff,
            int dstPitch, int width, int rows) {
        int last = width - L;
        for (int r = 0, s = srcOff, d = dstOff; r < rows; r++, s += srcPitch, d += dstPitch) {
            for (int i = 0; i < last; i += L) {
                FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
            }
            FloatVector.fromArray(S, src, s + last).intoArray(dst, d + last);
        }
    }

    /**
     * Per vector: the even lanes of two loads, each gathered into both halves by one permutation, and a blend. The
     * two-vector rearrange of jdk.incubator.vector is four times slower than that here, the scalar loop 1.5 times.
     * A run that is not whole vectors ends with one vector moved back to end at n (rewriting a few outputs with
     * the same floats) rather than a scalar tail: a stride-2 row of a 112-float map is 56 outputs, 3.5 vectors.
     */
    @Override
    public void copyEveryOther(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        int j = 0;
        for (int s = srcOff; j < n && s + 2 * L <= src.length; j += L, s += 2 * L) {
            if (j + L > n) {
                if (n < L || srcOff + 2 * n > src.length) {
                    break;
                }
                j = n - L;
                s = srcOff + 2 * j;
            }
            FloatVector.fromArray(S, src, s).blend(FloatVector.fromArray(S, src, s + L - 1), ODD_LANES)
                    .rearrange(UNZIP).intoArray(dst, dstOff + j);
        }
        for (; j < n; j++) {
            dst[dstOff + j] = src[srcOff + 2 * j];
        }
    }

    /**
     * Short rows (a 7- or 14-float row of a small map) cost more in System.arraycopy calls than in data. A row of a
     * vector or more is whole vectors, the last one moved back to end at the row's end: the 14- and 28-float rows of
     * EfficientNet's 5x5 depthwise layers (padded copies in, accumulator rows out) took 0.84-0.86 of those layers'
     * time that way against a blended last vector (A/B, 2 threads). That loop is a method of its own: written in
     * here, res3x3, which never takes it, ran 1.09 times slower (this method, called from its per-position loop,
     * no longer inlined, presumably); as a call, 1.00. A row narrower than a vector is one vector whose lanes past
     * the row are blended to zero, stored whole when that stays inside the span (it lands on padding or on the next
     * row, which is copied after it), else copied exactly.
     */
    @Override
    public void copyRows(float[] src, int srcOff, int srcPitch, float[] dst, int dstOff, int dstPitch, int width,
            int rows) {
        if (width >= L && width % L != 0) {
            copyRowsMovedBack(src, srcOff, srcPitch, dst, dstOff, dstPitch, width, rows);
            return;
        }
        int full = width - width % L;
        VectorMask<Float> inRow = FIRST_LANES[width - full];
        FloatVector zero = FloatVector.zero(S);
        int spanEnd = dstOff + (rows - 1) * dstPitch + width;
        for (int r = 0, s = srcOff, d = dstOff; r < rows; r++, s += srcPitch, d += dstPitch) {
            if (d + full + L > spanEnd || s + full + L > src.length) {
                System.arraycopy(src, s, dst, d, width);
                continue;
            }
            for (int i = 0; i < full; i += L) {
                FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
            }
            if (full < width) {
                zero.blend(FloatVector.fromArray(S, src, s + full), inRow).intoArray(dst, d + full);
            }
        }
    }

    private static boolean[] oddLanes() {
        boolean[] lanes = new boolean[L];
        for (int i = 1; i < L; i += 2) {
            lanes[i] = true;
        }
        return lanes;
    }
}
