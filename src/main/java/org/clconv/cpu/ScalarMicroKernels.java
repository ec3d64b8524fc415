package org.clconv.cpu;

/**
 * Plain-Java {@link MicroKernels}: the fallback when the Vector API is absent, and the tests' second opinion (not
 * final: the tests give it other tiling choices, to run every caller's layout on any machine).
 */
class ScalarMicroKernels implements MicroKernels {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int columnStep() {
        return 1;
    }

    @Override
    public int tileColumns() {
        return 1;
    }

    @Override
    public int packedDepth() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void gemm(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
            int n) {
        for (int i = 0; i < ROWS; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int k = 0, ai = aOff + i, bi = bOff + j; k < depth; k++, ai += ROWS, bi += ldb) {
                    sum = Math.fma(a[ai], b[bi], sum);
                }
                c[row + j] += sum;
            }
        }
    }

    @Override
    public void gemmColumns(float[] a, int aOff, int panels, int depth, float[] b, int bOff, int ldb, float[] c,
            int cOff, int ldc, int cols) {
        for (int q = 0; q < panels; q++) {
            gemm(a, aOff + q * depth * ROWS, depth, b, bOff, ldb, c, cOff + q * ROWS * ldc, ldc, cols);
        }
    }

    @Override
    public void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start,
            float[] acc, int accOff, int n) {
        for (int j = 0; j < n; j++) {
            float sum = 0f;
            for (int t = 0; t < taps; t++) {
                sum = Math.fma(w[wOff + t], src[srcBase + srcOff[t] + j], sum);
            }
            acc[accOff + j] = start + sum;
        }
    }

    /** None: the caller's flat run over the rows gives the same floats. */
    @Override
    public int stencilRowBlocks(float[] src, int srcBase, int[] srcOff, int kh, int kw, int rowStep, int pitch,
            float[] w, int wOff, float start, float[] out, int outOff, int outPitch, int rows, int width) {
        return 0;
    }

    @Override
    public void depthwise3x3(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start,
            float[] out, int outOff, int rows) {
        int width = columns.width();
        for (int i = 0; i < rows * width; i++) {
            out[outOff + i] = columns.output(src, srcOff + i, w, wOff, start, i % width);
        }
    }

    @Override
    public void depthwise3x3Planes(float[] src, int srcOff, PlaneMasks masks, float[] w, int wOff, float[] bias,
            int biasOff, float[] out, int outOff, int planes) {
        int n = masks.size();
        for (int i = 0; i < planes; i++) {
            float start = bias == null ? 0f : bias[biasOff + i];
            for (int q = 0; q < n; q++) {
                out[outOff + i * n + q] = masks.output(src, srcOff + i * n + q, w, wOff + 9 * i, start, q);
            }
        }
    }

    @Override
    public void depthwise3x3Stride2(float[] src, int srcOff, int width, float[] w, int wOff, float start,
            float[] out, int outOff, int rows) {
        int outWidth = (width + 1) / 2;
        for (int r = 0; r < rows; r++) {
            for (int x = 0; x < outWidth; x++) {
                out[outOff + r * outWidth + x] = ColumnMasks.output(src, srcOff + 2 * r * width + 2 * x, 1, width, w,
                        wOff, start, x > 0, 2 * x + 1 < width, true, true);
            }
        }
    }

    @Override
    public void copyEveryOther(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int j = 0; j < n; j++) {
            dst[dstOff + j] = src[srcOff + 2 * j];
        }
    }

    @Override
    public void copyRows(float[] src, int srcOff, int srcPitch, float[] dst, int dstOff, int dstPitch, int width,
            int rows) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, srcOff + r * srcPitch, dst, dstOff + r * dstPitch, width);
        }
    }
}
