package org.clconv.cpu;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MicroKernels} on jdk.incubator.vector, loaded only through {@link MicroKernels#best()}. The GEMM step
 * keeps an 8 x 3-vector tile of C in registers for the whole depth (24 accumulators, one broadcast weight and
 * three loaded B vectors per k, 28 of the 32 AVX-512 registers: FMA-bound, not load-bound); the stencil keeps
 * four vectors of one output row in registers across all taps.
 */
final class VectorMicroKernels implements MicroKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * The 8 x 3 tile needs 28 vector registers: AVX-512 has 32, AVX2 only 16 (it would spill accumulators), so
     * narrower vectors run each panel as two 4 x 3 tiles (16 registers).
     */
    private static final boolean WIDE_TILES = S.vectorBitSize() >= 512;
    private static final int HALF = ROWS / 2;
    /** FIRST_LANES[k]: the lanes below k (made once: building a mask from bits is not an intrinsic in Java 17). */
    @SuppressWarnings("unchecked")
    private static final VectorMask<Float>[] FIRST_LANES = IntStream.range(0, L)
            .mapToObj(k -> VectorMask.fromLong(S, (1L << k) - 1)).toArray(VectorMask[]::new);
    /** Lane i takes lane 2i mod L: the even lanes of a vector, in the low half and again in the high half. */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, i -> 2 * i % L);
    private static final VectorMask<Float> LOW_HALF = VectorMask.fromLong(S, (1L << (L / 2)) - 1);

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    public int columnStep() {
        return L;
    }

    @Override
    public void gemm(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
            int n) {
        int j = 0;
        for (; j + 3 * L <= n; j += 3 * L) {
            if (WIDE_TILES) {
                gemm8x3(a, aOff, depth, b, bOff + j, ldb, c, cOff + j, ldc);
            } else {
                gemm4x3(a, aOff, depth, b, bOff + j, ldb, c, cOff + j, ldc);
                gemm4x3(a, aOff + HALF, depth, b, bOff + j, ldb, c, cOff + HALF * ldc + j, ldc);
            }
        }
        for (; j < n; j += L) {
            gemm8x1(a, aOff, depth, b, bOff + j, ldb, c, cOff + j, ldc);
        }
    }

    private static void gemm8x3(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
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
        FloatVector.fromArray(S, c, r).add(c00).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c01).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c02).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c10).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c11).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c12).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c20).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c21).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c22).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c30).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c31).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c32).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c40).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c41).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c42).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c50).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c51).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c52).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c60).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c61).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c62).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c70).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c71).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c72).intoArray(c, r + 2 * L);
    }

    /** Rows [0, 4) of the panel at aOff (weights of k at aOff + ROWS*k): the 16-register tile for AVX2. */
    private static void gemm4x3(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
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
        }
        int r = cOff;
        FloatVector.fromArray(S, c, r).add(c00).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c01).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c02).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c10).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c11).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c12).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c20).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c21).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c22).intoArray(c, r + 2 * L);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c30).intoArray(c, r);
        FloatVector.fromArray(S, c, r + L).add(c31).intoArray(c, r + L);
        FloatVector.fromArray(S, c, r + 2 * L).add(c32).intoArray(c, r + 2 * L);
    }

    private static void gemm8x1(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
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
        FloatVector.fromArray(S, c, r).add(c0).intoArray(c, r);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c1).intoArray(c, r);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c2).intoArray(c, r);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c3).intoArray(c, r);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c4).intoArray(c, r);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c5).intoArray(c, r);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c6).intoArray(c, r);
        r += ldc;
        FloatVector.fromArray(S, c, r).add(c7).intoArray(c, r);
    }

    @Override
    public void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start,
            float[] acc, int accOff, int n) {
        FloatVector init = FloatVector.broadcast(S, start);
        int j = 0;
        // eight vectors per tap where the run allows: the weight broadcast and the tap offset are loaded once per
        // eight FMAs instead of four (the remaining four-vector step keeps small runs from falling to one vector)
        for (; WIDE_TILES && j + 8 * L <= n; j += 8 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
                int o = srcBase + srcOff[t] + j;
                s0 = wv.fma(FloatVector.fromArray(S, src, o), s0);
                s1 = wv.fma(FloatVector.fromArray(S, src, o + L), s1);
                s2 = wv.fma(FloatVector.fromArray(S, src, o + 2 * L), s2);
                s3 = wv.fma(FloatVector.fromArray(S, src, o + 3 * L), s3);
                s4 = wv.fma(FloatVector.fromArray(S, src, o + 4 * L), s4);
                s5 = wv.fma(FloatVector.fromArray(S, src, o + 5 * L), s5);
                s6 = wv.fma(FloatVector.fromArray(S, src, o + 6 * L), s6);
                s7 = wv.fma(FloatVector.fromArray(S, src, o + 7 * L), s7);
            }
            int o = accOff + j;
            init.add(s0).intoArray(acc, o);
            init.add(s1).intoArray(acc, o + L);
            init.add(s2).intoArray(acc, o + 2 * L);
            init.add(s3).intoArray(acc, o + 3 * L);
            init.add(s4).intoArray(acc, o + 4 * L);
            init.add(s5).intoArray(acc, o + 5 * L);
            init.add(s6).intoArray(acc, o + 6 * L);
            init.add(s7).intoArray(acc, o + 7 * L);
        }
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
                int o = srcBase + srcOff[t] + j;
                s0 = wv.fma(FloatVector.fromArray(S, src, o), s0);
                s1 = wv.fma(FloatVector.fromArray(S, src, o + L), s1);
                s2 = wv.fma(FloatVector.fromArray(S, src, o + 2 * L), s2);
                s3 = wv.fma(FloatVector.fromArray(S, src, o + 3 * L), s3);
            }
            int o = accOff + j;
            init.add(s0).intoArray(acc, o);
            init.add(s1).intoArray(acc, o + L);
            init.add(s2).intoArray(acc, o + 2 * L);
            init.add(s3).intoArray(acc, o + 3 * L);
        }
        for (; j < n; j += L) {
            FloatVector s = FloatVector.zero(S);
            for (int t = 0; t < taps; t++) {
                FloatVector v = FloatVector.fromArray(S, src, srcBase + srcOff[t] + j);
                s = FloatVector.broadcast(S, w[wOff + t]).fma(v, s);
            }
            init.add(s).intoArray(acc, accOff + j);
        }
    }

    /**
     * Per vector: the even lanes of two loads, each gathered into both halves by one permutation, and a blend. The
     * two-vector rearrange of jdk.incubator.vector is four times slower than that here, the scalar loop 1.5 times.
     */
    @Override
    public void copyEveryOther(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        int j = 0;
        for (int s = srcOff; j + L <= n && s + 2 * L <= src.length; j += L, s += 2 * L) {
            FloatVector low = FloatVector.fromArray(S, src, s).rearrange(EVENS);
            FloatVector high = FloatVector.fromArray(S, src, s + L).rearrange(EVENS);
            high.blend(low, LOW_HALF).intoArray(dst, dstOff + j);
        }
        for (; j < n; j++) {
            dst[dstOff + j] = src[srcOff + 2 * j];
        }
    }

    /**
     * Short rows (a 7- or 14-float row of a small map) cost more in System.arraycopy calls than in data: here a row
     * is whole vectors plus one vector whose lanes past the row are blended to zero, stored whole when that stays
     * inside the span (it lands on padding or on the next row, which is copied after it), else copied exactly.
     */
    @Override
    public void copyRows(float[] src, int srcOff, int srcPitch, float[] dst, int dstOff, int dstPitch, int width,
            int rows) {
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
}
