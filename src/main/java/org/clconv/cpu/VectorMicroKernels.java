package org.clconv.cpu;

import static org.clconv.cpu.VectorShape.FIRST_LANES;
import static org.clconv.cpu.VectorShape.L;
import static org.clconv.cpu.VectorShape.ODD_LANES;
import static org.clconv.cpu.VectorShape.S;
import static org.clconv.cpu.VectorShape.UNZIP;
import static org.clconv.cpu.VectorShape.WIDE_TILES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@link MicroKernels} on jdk.incubator.vector, loaded only through {@link MicroKernels#best()}: the GEMM steps
 * ({@link VectorGemm}), the general depthwise stencils ({@link VectorStencils}), the 3x3 depthwise kernels
 * ({@link VectorDepthwise3x3}) and the Winograd transforms ({@link VectorWinogradTransforms}), all on the vector
 * shape of {@link VectorShape}, and the row copies here.
 */
final class VectorMicroKernels implements MicroKernels {
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
     * The 4 x 2 tiles over B copied 2L wide run {@link VectorGemm#gemm4x2Packed}, whose loop has no bounds checks, and
     * read contiguous rows instead of rows ldb apart that span two cache lines each (which the second pass, rows 4-7,
     * reads again from L2). A/B on AVX2, 2 threads, one JVM, in place -> copied from 32 deep: 32 channels of 112x112
     * 0.85-0.97 of the time (before the packed kernel, copying 32 deep ran 1.07 times slower). The 8 x 3 tiles read B
     * once per panel and were tuned in place.
     */
    @Override
    public int packedDepth() {
        return WIDE_TILES ? Integer.MAX_VALUE : 32;
    }

    @Override
    public void gemmOnto(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base, int baseOff,
            int basePitch, int baseStep, float[] c, int cOff, int ldc, int n) {
        VectorGemm.gemmOnto(a, aOff, depth, b, bOff, ldb, base, baseOff, basePitch, baseStep, c, cOff, ldc, n);
    }

    @Override
    public void gemmColumns(float[] a, int aOff, int panels, int panelStride, int depth, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, int cols) {
        VectorGemm.gemmColumns(a, aOff, panels, panelStride, depth, b, bOff, ldb, c, cOff, ldc, cols);
    }

    @Override
    public void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start, float[] out,
            int outOff, int n, int[] storeAt) {
        VectorStencils.stencil(src, srcBase, srcOff, taps, w, wOff, start, out, outOff, n, storeAt);
    }

    @Override
    public void stencilStride2(float[] src, int srcBase, int srcPitch, int[] srcOff, int taps, float[] w, int wOff,
            float start, float[] out, int outOff, int n, int rows) {
        VectorStencils.stencilStride2(src, srcBase, srcPitch, srcOff, taps, w, wOff, start, out, outOff, n, rows);
    }

    @Override
    public int stencilRowBlocks(float[] src, int srcBase, int kh, int kw, int rowStep, int colStep, int pitch,
            float[] w, int wOff, float start, float[] out, int outOff, int outPitch, int rows, int width) {
        return VectorStencils.stencilRowBlocks(src, srcBase, kh, kw, rowStep, colStep, pitch, w, wOff, start, out,
                outOff, outPitch, rows, width);
    }

    @Override
    public void depthwise3x3(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start,
            float[] out, int outOff, int rows) {
        VectorDepthwise3x3.depthwise3x3(src, srcOff, columns, w, wOff, start, out, outOff, rows);
    }

    @Override
    public void depthwise3x3Planes(float[] src, int srcOff, PlaneMasks masks, float[] w, int wOff, float[] bias,
            int biasOff, float[] out, int outOff, int planes) {
        VectorDepthwise3x3.depthwise3x3Planes(src, srcOff, masks, w, wOff, bias, biasOff, out, outOff, planes);
    }

    @Override
    public void depthwise3x3Stride2(float[] src, int srcOff, int width, float[] w, int wOff, float start, float[] out,
            int outOff, int rows) {
        VectorDepthwise3x3.depthwise3x3Stride2(src, srcOff, width, w, wOff, start, out, outOff, rows);
    }

    @Override
    public void winogradInput(float[] src, int srcOff, int phase, int rowPitch, float[] v, int vOff, int vPitch,
            int tiles, float[] work) {
        VectorWinogradTransforms.winogradInput(src, srcOff, phase, rowPitch, v, vOff, vPitch, tiles, work);
    }

    @Override
    public boolean winogradOutput(float[] m, int mOff, int mPitch, float start, float[] out, int outOff, int width,
            int outPitch, int rows, float[] work) {
        return VectorWinogradTransforms.winogradOutput(m, mOff, mPitch, start, out, outOff, width, outPitch, rows,
                work);
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
}
