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
                out[outOff + r * outWidth + x] = stride2Output(src, srcOff + 2 * r * width + 2 * x, width, w, wOff,
                        start, x > 0, 2 * x + 1 < width);
            }
        }
    }

    /**
     * The output of {@link #depthwise3x3Stride2} whose centre tap is src[pos], rows width apart, the definition
     * both kernels follow: one chain of fused multiply-adds from zero over the taps in order (kernel rows, then
     * columns), the left column's taps skipped unless {@code left} and the right column's unless {@code right}
     * (skipped, not multiplied by zero, so whatever they read does not matter), then start + that sum. One chain,
     * not a sum per kernel column: the vector kernel then needs one accumulator per half of its stride-1 run.
     */
    static float stride2Output(float[] src, int pos, int width, float[] w, int wOff, float start, boolean left,
            boolean right) {
        float sum = 0f;
        for (int ky = 0, row = pos - width; ky < 3; ky++, row += width) {
            if (left) {
                sum = Math.fma(w[wOff + 3 * ky], src[row - 1], sum);
            }
            sum = Math.fma(w[wOff + 3 * ky + 1], src[row], sum);
            if (right) {
                sum = Math.fma(w[wOff + 3 * ky + 2], src[row + 1], sum);
            }
        }
        return start + sum;
    }

    @Override
    public void winogradInput(float[] src, int srcOff, int phase, int rowPitch, float[] v, int vOff, int vPitch,
            int tiles) {
        for (int t = 0; t < tiles; t++) {
            winogradInputTile(src, srcOff + t, phase, rowPitch, v, vOff + t, vPitch);
        }
    }

    /**
     * One tile of {@link #winogradInput}, the definition both kernels follow: each input column (even t, odd t,
     * even t + 1, odd t + 1) combined over the rows by B^T's row a, then those four combined by B^T's row b.
     */
    static void winogradInputTile(float[] src, int even, int phase, int rowPitch, float[] v, int vOff, int vPitch) {
        for (int a = 0; a < 4; a++) {
            float e0 = winogradColumn(src, even, rowPitch, a);
            float o0 = winogradColumn(src, even + phase, rowPitch, a);
            float e1 = winogradColumn(src, even + 1, rowPitch, a);
            float o1 = winogradColumn(src, even + phase + 1, rowPitch, a);
            v[vOff + 4 * a * vPitch] = e0 - e1;
            v[vOff + (4 * a + 1) * vPitch] = o0 + e1;
            v[vOff + (4 * a + 2) * vPitch] = e1 - o0;
            v[vOff + (4 * a + 3) * vPitch] = o0 - o1;
        }
    }

    /** Row a of B^T applied to the column at pos (rows pitch apart): d0 - d2, d1 + d2, d2 - d1, d1 - d3. */
    private static float winogradColumn(float[] src, int pos, int pitch, int a) {
        switch (a) {
            case 0:
                return src[pos] - src[pos + 2 * pitch];
            case 1:
                return src[pos + pitch] + src[pos + 2 * pitch];
            case 2:
                return src[pos + 2 * pitch] - src[pos + pitch];
            default:
                return src[pos + pitch] - src[pos + 3 * pitch];
        }
    }

    @Override
    public boolean winogradOutput(float[] m, int mOff, int mPitch, float start, float[] out, int outOff, int width,
            int outPitch, int rows) {
        boolean finite = true;
        for (int t = 0; 2 * t < width; t++) {
            finite &= winogradOutputTile(m, mOff + t, mPitch, start, out, outOff + 2 * t, outPitch, rows,
                    2 * t + 1 < width);
        }
        return finite;
    }

    /**
     * One tile of {@link #winogradOutput}, the definition both kernels follow: each column b of M combined over
     * its rows by A^T's row i (p_i[b]), then those by A^T's row j, then start + that. Writes the second column only
     * when {@code second}.
     */
    static boolean winogradOutputTile(float[] m, int mOff, int mPitch, float start, float[] out, int outOff,
            int outPitch, int rows, boolean second) {
        boolean finite = true;
        for (int i = 0; i < rows; i++) {
            float p0 = winogradRow(m, mOff, mPitch, i, 0);
            float p1 = winogradRow(m, mOff, mPitch, i, 1);
            float p2 = winogradRow(m, mOff, mPitch, i, 2);
            float p3 = winogradRow(m, mOff, mPitch, i, 3);
            float y0 = start + (p0 + p1 + p2);
            out[outOff + i * outPitch] = y0;
            finite &= Float.isFinite(y0);
            if (second) {
                float y1 = start + (p1 - p2 - p3);
                out[outOff + i * outPitch + 1] = y1;
                finite &= Float.isFinite(y1);
            }
        }
        return finite;
    }

    /** Row i of A^T applied to column b of M: m0 + m1 + m2, or m1 - m2 - m3. */
    private static float winogradRow(float[] m, int mOff, int mPitch, int i, int b) {
        float m1 = m[mOff + (4 + b) * mPitch];
        float m2 = m[mOff + (8 + b) * mPitch];
        return i == 0 ? m[mOff + b * mPitch] + m1 + m2 : m1 - m2 - m[mOff + (12 + b) * mPitch];
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
