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
    public void gemmOnto(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base, int baseOff,
            int basePitch, int baseStep, float[] c, int cOff, int ldc, int n) {
        for (int i = 0; i < ROWS; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int k = 0, ai = aOff + i, bi = bOff + j; k < depth; k++, ai += ROWS, bi += ldb) {
                    sum = Math.fma(a[ai], b[bi], sum);
                }
                c[row + j] = base[baseOff + i * basePitch + j * baseStep] + sum;
            }
        }
    }

    @Override
    public void gemmColumns(float[] a, int aOff, int panels, int panelStride, int depth, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc, int cols) {
        for (int q = 0; q < panels; q++) {
            gemm(a, aOff + q * panelStride, depth, b, bOff, ldb, c, cOff + q * ROWS * ldc, ldc, cols);
        }
    }

    @Override
    public void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start,
            float[] out, int outOff, int n, int[] storeAt) {
        for (int j = 0; j < n; j++) {
            int at = storeAt == null ? j : storeAt[j];
            if (at < 0) {
                continue;
            }
            float sum = 0f;
            for (int t = 0; t < taps; t++) {
                sum = Math.fma(w[wOff + t], src[srcBase + srcOff[t] + j], sum);
            }
            out[outOff + at] = start + sum;
        }
    }

    @Override
    public void stencilStride2(float[] src, int srcBase, int srcPitch, int[] srcOff, int taps, float[] w, int wOff,
            float start, float[] out, int outOff, int n, int rows) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int t = 0; t < taps; t++) {
                    sum = Math.fma(w[wOff + t], src[srcBase + r * srcPitch + srcOff[t] + 2 * j], sum);
                }
                out[outOff + r * n + j] = start + sum;
            }
        }
    }

    /** None: the caller's flat run over the rows gives the same floats. */
    @Override
    public int stencilRowBlocks(float[] src, int srcBase, int kh, int kw, int rowStep, int colStep, int pitch,
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
                out[outOff + r * outWidth + x] = stride2Output(src, srcOff + 2 * r * width + 2 * x, width, w, wOff,
                        start, x > 0, 2 * x + 1 < width);
            }
        }
    }

    /**
     * The output of {@link #depthwise3x3Stride2} whose centre tap is src[pos], rows width apart, the definition
     * both kernels follow: one chain of fused multiply-adds from the start over the taps in order (kernel rows, then
     * columns), the left column's taps skipped unless {@code left} and the right column's unless {@code right}
     * (skipped, not multiplied by zero, so whatever they read does not matter). One chain, not a sum per kernel
     * column: the vector kernel then needs one accumulator per half of its stride-1 run.
     */
    static float stride2Output(float[] src, int pos, int width, float[] w, int wOff, float start, boolean left,
            boolean right) {
        float sum = start;
        for (int ky = 0, row = pos - width; ky < 3; ky++, row += width) {
            if (left) {
                sum = Math.fma(w[wOff + 3 * ky], src[row - 1], sum);
            }
            sum = Math.fma(w[wOff + 3 * ky + 1], src[row], sum);
            if (right) {
                sum = Math.fma(w[wOff + 3 * ky + 2], src[row + 1], sum);
            }
        }
        return sum;
    }

    @Override
    public void winogradInput(float[] src, int srcOff, int phase, int rowPitch, float[] v, int vOff, int vPitch,
            int tiles, float[] work) {
        for (int t = 0; t < tiles; t++) {
            winogradInputTile(src, srcOff + t, phase, rowPitch, v, vOff + t, vPitch, work);
        }
    }

    /**
     * One tile of {@link #winogradInput}, the definition both kernels follow: each of its six input columns
     * (phases 0-3 at t, phases 0 and 1 at t + 1) through {@link #inputTransform} down its rows, into
     * work[6a + column]; then each row a of those through it again across the columns, into V[6a + b].
     */
    static void winogradInputTile(float[] src, int first, int phase, int rowPitch, float[] v, int vOff, int vPitch,
            float[] work) {
        for (int col = 0; col < 6; col++) {
            inputTransform(src, first + col % 4 * phase + col / 4, rowPitch, work, col, 6);
        }
        for (int a = 0; a < 6; a++) {
            inputTransform(work, 6 * a, 1, v, vOff + 6 * a * vPitch, vPitch);
        }
    }

    /**
     * B^T of F(4x4, 3x3) (interpolation points 0, 1, -1, 2, -2) on d_k = x[off + k * stride], k < 6, into
     * y[yOff + j * yStride]: 4d0 - 5d2 + d4, -4(d1 + d2) + d3 + d4, 4(d1 - d2) + d4 - d3, 2(d3 - d1) + d4 - d2,
     * 2(d1 - d3) + d4 - d2, 4d1 - 5d3 + d5, each in the fused multiply-adds written here (the vector kernels'
     * floats too).
     */
    private static void inputTransform(float[] x, int off, int stride, float[] y, int yOff, int yStride) {
        float d0 = x[off];
        float d1 = x[off + stride];
        float d2 = x[off + 2 * stride];
        float d3 = x[off + 3 * stride];
        float d4 = x[off + 4 * stride];
        float d5 = x[off + 5 * stride];
        y[yOff] = Math.fma(4f, d0, Math.fma(-5f, d2, d4));
        y[yOff + yStride] = Math.fma(-4f, d1 + d2, d3 + d4);
        y[yOff + 2 * yStride] = Math.fma(4f, d1 - d2, d4 - d3);
        y[yOff + 3 * yStride] = Math.fma(2f, d3 - d1, d4 - d2);
        y[yOff + 4 * yStride] = Math.fma(2f, d1 - d3, d4 - d2);
        y[yOff + 5 * yStride] = Math.fma(4f, d1, Math.fma(-5f, d3, d5));
    }

    @Override
    public boolean winogradOutput(float[] m, int mOff, int mPitch, float start, float[] out, int outOff, int width,
            int outPitch, int rows, float[] work) {
        boolean finite = true;
        for (int t = 0; 4 * t < width; t++) {
            finite &= winogradOutputTile(m, mOff + t, mPitch, start, out, outOff + 4 * t, outPitch, rows,
                    Math.min(4, width - 4 * t), work);
        }
        return finite;
    }

    /**
     * One tile of {@link #winogradOutput}, the definition both kernels follow: each column b of its 6x6 sums
     * through {@link #outputTransform} down the rows, into work[6i + b]; then each output row i of those across,
     * into work[36 ...]; then start + that, for the first {@code columns} columns.
     */
    static boolean winogradOutputTile(float[] m, int mOff, int mPitch, float start, float[] out, int outOff,
            int outPitch, int rows, int columns, float[] work) {
        for (int b = 0; b < 6; b++) {
            outputTransform(m, mOff + b * mPitch, 6 * mPitch, work, b, 6);
        }
        boolean finite = true;
        for (int i = 0; i < rows; i++) {
            outputTransform(work, 6 * i, 1, work, 36, 1);
            for (int q = 0; q < columns; q++) {
                float y = start + work[36 + q];
                out[outOff + i * outPitch + q] = y;
                finite &= Float.isFinite(y);
            }
        }
        return finite;
    }

    /**
     * A^T of F(4x4, 3x3) on m_k = x[off + k * stride], k < 6, into y[yOff + j * yStride], j < 4: with a = m1 + m2,
     * b = m1 - m2, c = m3 + m4, d = m3 - m4, (m0 + a) + c, 2d + b, 4c + a and (8d + b) + m5.
     */
    private static void outputTransform(float[] x, int off, int stride, float[] y, int yOff, int yStride) {
        float m1 = x[off + stride];
        float m2 = x[off + 2 * stride];
        float m3 = x[off + 3 * stride];
        float m4 = x[off + 4 * stride];
        float a = m1 + m2;
        float b = m1 - m2;
        float c = m3 + m4;
        float d = m3 - m4;
        y[yOff] = x[off] + a + c;
        y[yOff + yStride] = Math.fma(2f, d, b);
        y[yOff + 2 * yStride] = Math.fma(4f, c, a);
        y[yOff + 3 * yStride] = Math.fma(8f, d, b) + x[off + 5 * stride];
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
