package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The available kernels against the plain-Java ones: the helpers that move data, and the row-blocked stencil, which
 * must give the flat stencil's floats bit for bit.
 */
class MicroKernelsTest {
    /**
     * The narrow-tail GEMM against the plain one, bit for bit: 1-19 panels (pairs, groups of eight or four, single
     * ones), 1-15 columns (groups of four and the rest), depths 1-300, panels as deep or deeper than the GEMM, B rows
     * of any pitch, C with other columns around (left alone), and the weight panels ending right after the last
     * panel's last k.
     */
    @Test
    void gemmColumnsGivesThePlainGemmsFloatsAndTouchesOnlyItsColumns() {
        MicroKernels best = MicroKernels.best();
        MicroKernels plain = new ScalarMicroKernels();
        int rows = MicroKernels.ROWS;
        Random rnd = new Random(17);
        for (int trial = 0; trial < 300; trial++) {
            int panels = 1 + rnd.nextInt(19);
            int depth = 1 + rnd.nextInt(300);
            int cols = 1 + rnd.nextInt(15);
            int ldb = cols + rnd.nextInt(40);
            int aOff = rnd.nextInt(3) * rows;
            // panels of a deeper GEMM, of which this one takes a run of k
            int stride = (depth + rnd.nextInt(3) * rnd.nextInt(50)) * rows;
            float[] a = new float[aOff + (panels - 1) * stride + depth * rows];
            float[] b = new float[3 + (depth - 1) * ldb + cols];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) rnd.nextGaussian();
            }
            int ldc = cols + 5;
            float[] expected = new float[panels * rows * ldc + 4];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) rnd.nextGaussian();
            }
            float[] actual = expected.clone();
            for (int q = 0; q < panels; q++) {
                plain.gemm(a, aOff + q * stride, depth, b, 3, ldb, expected, 2 + q * rows * ldc, ldc, cols);
            }
            best.gemmColumns(a, aOff, panels, stride, depth, b, 3, ldb, actual, 2, ldc, cols);
            assertArrayEquals(expected, actual, panels + " panels, depth " + depth + " cols " + cols + " ldb " + ldb);
        }
    }

    /**
     * The GEMM onto start tiles against the plain GEMM over rows first set to their starts, bit for bit: 1-8
     * vectors of columns (whole register tiles and the vectors after them), depths 1-300, B rows of any pitch, C
     * with other floats around (left alone); starts include -0.0, infinities and NaN.
     */
    @Test
    void gemmOnStartsGivesThePlainGemmOverRowsSetToTheStarts() {
        MicroKernels best = MicroKernels.best();
        Random rnd = new Random(31);
        for (int trial = 0; trial < 200; trial++) {
            int depth = 1 + rnd.nextInt(300);
            int n = best.columnStep() * (1 + rnd.nextInt(8));
            GemmCase g = new GemmCase(rnd, depth, n, n + rnd.nextInt(40));
            float[] starts = startTile(best, g.starts);
            best.gemmOnStarts(starts, g.a, MicroKernels.ROWS, depth, g.b, 3, g.ldb, g.actual, 2, g.ldc, n);
            assertArrayEquals(g.expected, g.actual, "depth " + depth + " n " + n + " ldb " + g.ldb);
        }
    }

    /**
     * The GEMM over B rows exactly one register tile apart, as PointwiseGemm copies them (a kernel of its own on
     * AVX2), against the plain GEMM onto the same starts, bit for bit: odd and even depths 1-300, C with other
     * floats around (left alone).
     */
    @Test
    void gemmOverPackedRowsGivesThePlainGemmsFloats() {
        MicroKernels best = MicroKernels.best();
        int block = best.tileColumns();
        Random rnd = new Random(23);
        for (int trial = 0; trial < 200; trial++) {
            int depth = 1 + rnd.nextInt(300);
            GemmCase g = new GemmCase(rnd, depth, block, block);
            best.gemmOnStarts(startTile(best, g.starts), g.a, MicroKernels.ROWS, depth, g.b, 3, block, g.actual, 2,
                    g.ldc, block);
            assertArrayEquals(g.expected, g.actual, "depth " + depth);
        }
    }

    /** {@link OutputRows#startTile}'s layout for these kernels: row i holds starts[i], tileColumns() times. */
    private static float[] startTile(MicroKernels kernels, float[] starts) {
        int width = kernels.tileColumns();
        float[] tile = new float[MicroKernels.ROWS * width];
        for (int i = 0; i < MicroKernels.ROWS; i++) {
            Arrays.fill(tile, i * width, (i + 1) * width, starts[i]);
        }
        return tile;
    }

    /**
     * Random panels (at offset ROWS), B from offset 3, C from offset 2 with other floats around, per-row starts,
     * and the expected C of a GEMM onto them: the plain kernel over C's rows first set to the starts.
     */
    private static final class GemmCase {
        final float[] a;
        final float[] b;
        final int ldb;
        final int ldc;
        final float[] starts = new float[MicroKernels.ROWS];
        final float[] actual;
        final float[] expected;

        GemmCase(Random rnd, int depth, int n, int ldb) {
            int rows = MicroKernels.ROWS;
            this.ldb = ldb;
            this.ldc = n + 3;
            a = gaussians(rnd, rows + depth * rows);
            b = gaussians(rnd, 3 + (depth - 1) * ldb + n);
            actual = gaussians(rnd, rows * ldc + 4);
            float[] special = {-0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
            for (int i = 0; i < rows; i++) {
                starts[i] = rnd.nextInt(4) == 0 ? special[rnd.nextInt(special.length)] : (float) rnd.nextGaussian();
            }
            expected = actual.clone();
            for (int i = 0; i < rows; i++) {
                Arrays.fill(expected, 2 + i * ldc, 2 + i * ldc + n, starts[i]);
            }
            new ScalarMicroKernels().gemm(a, rows, depth, b, 3, ldb, expected, 2, ldc, n);
        }

        private static float[] gaussians(Random rnd, int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) rnd.nextGaussian();
            }
            return v;
        }
    }

    /**
     * The rows computed straight into the output: kernels of 1-7 rows and columns, row dilations 1-3, 1-21 rows,
     * widths from under three vectors to three blocks of four (whole and not), output rows with other floats
     * between them: each row it reports equals the flat stencil's, bit for bit, and nothing else is written.
     */
    @Test
    void stencilRowBlocksGiveTheFlatStencilsFloatsAndWriteOnlyTheirRows() {
        MicroKernels best = MicroKernels.best();
        MicroKernels plain = new ScalarMicroKernels();
        int step = best.columnStep();
        Random rnd = new Random(29);
        int trialsWithBlocks = 0;
        for (int trial = 0; trial < 300; trial++) {
            int kh = 1 + rnd.nextInt(7);
            int kw = 1 + rnd.nextInt(7);
            int dilRows = 1 + rnd.nextInt(3);
            int dilCols = 1 + rnd.nextInt(3);
            int rows = 1 + rnd.nextInt(21);
            int width = 1 + rnd.nextInt(12 * step);
            int pitch = width + (kw - 1) * dilCols + rnd.nextInt(2 * step);
            int rowStep = dilRows * pitch;
            int[] srcOff = new int[kh * kw];
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    srcOff[ky * kw + kx] = ky * rowStep + kx * dilCols;
                }
            }
            int flatRun = GemmTiles.roundUp((rows - 1) * pitch + width, step);
            int srcBase = rnd.nextInt(5);
            float[] src = new float[srcBase + srcOff[srcOff.length - 1] + flatRun + 2 * step];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rnd.nextGaussian();
            }
            if (rnd.nextInt(5) == 0) {
                src[rnd.nextInt(src.length)] = rnd.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
            }
            float[] w = new float[3 + kh * kw];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            float start = rnd.nextBoolean() ? 0f : (float) rnd.nextGaussian();
            float[] flat = new float[flatRun + 2 * step];
            plain.stencil(src, srcBase, srcOff, kh * kw, w, 3, start, flat, 0, flatRun);
            int outOff = rnd.nextInt(4);
            int outPitch = width + rnd.nextInt(9);
            float[] actual = new float[outOff + rows * outPitch + 2];
            Arrays.fill(actual, 7.5f);
            float[] expected = actual.clone();
            int done = best.stencilRowBlocks(src, srcBase, kh, kw, rowStep, dilCols, pitch, w, 3, start, actual,
                    outOff, outPitch, rows, width);
            assertTrue(done >= 0 && done <= rows, "rows done " + done + " of " + rows);
            trialsWithBlocks += done > 0 ? 1 : 0;
            for (int r = 0; r < done; r++) {
                System.arraycopy(flat, r * pitch, expected, outOff + r * outPitch, width);
            }
            assertArrayEquals(expected, actual, kh + "x" + kw + " dil " + dilRows + "x" + dilCols + " rows " + rows
                    + " width " + width + " pitch " + pitch + " out pitch " + outPitch + " done " + done);
        }
        if (best.name().equals("vector512")) {
            assertTrue(trialsWithBlocks > 20, "only " + trialsWithBlocks + " trials computed rows straight out");
        }
    }

    /**
     * A flat run over rows of whole vectors with a store map, by both kernels: each step the map keeps lands where
     * the map says, with the floats of the plain run stored as it is, and nothing else is written (dropped steps:
     * the padding columns, and a few more at random).
     */
    @Test
    void stencilStoresEachKeptStepWhereItsMapSaysAndNothingElse() {
        MicroKernels plain = new ScalarMicroKernels();
        Random rnd = new Random(31);
        for (MicroKernels kernels : new MicroKernels[] {MicroKernels.best(), plain}) {
            int step = kernels.columnStep();
            for (int trial = 0; trial < 200; trial++) {
                int kh = 1 + rnd.nextInt(6);
                int kw = 1 + rnd.nextInt(6);
                int width = step * (1 + rnd.nextInt(12));
                int pitch = width + step * (1 + rnd.nextInt(3));
                int rows = 1 + rnd.nextInt(12);
                int[] srcOff = new int[kh * kw];
                for (int t = 0; t < srcOff.length; t++) {
                    srcOff[t] = (t / kw) * pitch + t % kw;
                }
                int n = (rows - 1) * pitch + width;
                float[] src = new float[srcOff[srcOff.length - 1] + n + step];
                for (int i = 0; i < src.length; i++) {
                    src[i] = (float) rnd.nextGaussian();
                }
                float[] w = new float[kh * kw];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) rnd.nextGaussian();
                }
                float start = (float) rnd.nextGaussian();
                float[] run = new float[n];
                plain.stencil(src, 0, srcOff, w.length, w, 0, start, run, 0, n);
                int[] storeAt = new int[n / step];
                for (int v = 0; v < storeAt.length; v++) {
                    int column = v * step % pitch;
                    storeAt[v] = column < width && rnd.nextInt(8) > 0 ? v * step / pitch * width + column : -1;
                }
                int outOff = rnd.nextInt(3);
                float[] expected = new float[outOff + rows * width + 2];
                Arrays.fill(expected, 7.5f);
                float[] actual = expected.clone();
                for (int v = 0; v < storeAt.length; v++) {
                    if (storeAt[v] >= 0) {
                        System.arraycopy(run, v * step, expected, outOff + storeAt[v], step);
                    }
                }
                kernels.stencil(src, 0, srcOff, w.length, w, 0, start, actual, outOff, n, storeAt);
                assertArrayEquals(expected, actual, kernels.name() + ": " + kh + "x" + kw + " width " + width
                        + " pitch " + pitch + " rows " + rows);
            }
        }
    }

    /**
     * The stride-2 stencil against the plain one, bit for bit: 1-40 outputs a row (shorter than a vector, whole
     * and partial vectors, the moved-back last pair), 1-5 rows (the moved-back last pair of rows), 1-30 taps at
     * any offsets, src ending one float past the last one used, and nothing written around the rows.
     */
    @Test
    void stencilStride2GivesThePlainFloatsAndWritesOnlyItsRows() {
        MicroKernels best = MicroKernels.best();
        MicroKernels plain = new ScalarMicroKernels();
        Random rnd = new Random(43);
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + rnd.nextInt(40);
            int rows = 1 + rnd.nextInt(5);
            int taps = 1 + rnd.nextInt(30);
            int[] srcOff = new int[taps];
            int reach = 0;
            for (int t = 0; t < taps; t++) {
                srcOff[t] = rnd.nextInt(60);
                reach = Math.max(reach, srcOff[t]);
            }
            int srcBase = rnd.nextInt(4);
            int srcPitch = 2 * n + rnd.nextInt(20);
            float[] src = new float[srcBase + (rows - 1) * srcPitch + reach + 2 * (n - 1) + 2];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rnd.nextGaussian();
            }
            float[] w = new float[taps + 2];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            float start = (float) rnd.nextGaussian();
            int outOff = rnd.nextInt(3);
            float[] expected = new float[outOff + rows * n + 2];
            Arrays.fill(expected, 7.5f);
            float[] actual = expected.clone();
            plain.stencilStride2(src, srcBase, srcPitch, srcOff, taps, w, 1, start, expected, outOff, n, rows);
            best.stencilStride2(src, srcBase, srcPitch, srcOff, taps, w, 1, start, actual, outOff, n, rows);
            assertArrayEquals(expected, actual, best.name() + ": " + n + " outputs, " + rows + " rows, " + taps
                    + " taps");
        }
    }

    @Test
    void copyEveryOtherMatchesThePlainLoopAtEveryLengthOffsetAndArrayEnd() {
        MicroKernels best = MicroKernels.best();
        MicroKernels plain = new ScalarMicroKernels();
        Random rnd = new Random(7);
        float[] src = new float[301];
        for (int i = 0; i < src.length; i++) {
            src[i] = rnd.nextFloat();
        }
        for (int n = 0; n <= 70; n++) {
            for (int srcOff : new int[] {0, 1, 5, src.length - 2 * n}) {
                if (srcOff < 0 || srcOff + 2 * (n - 1) >= src.length) {
                    continue;
                }
                float[] expected = new float[n + 3];
                float[] actual = new float[n + 3];
                plain.copyEveryOther(src, srcOff, expected, 2, n);
                best.copyEveryOther(src, srcOff, actual, 2, n);
                assertArrayEquals(expected, actual, "n=" + n + " srcOff=" + srcOff);
            }
        }
    }

    @Test
    void copyRowsCopiesEveryRowAndWritesOnlyZerosBetweenThemInsideTheSpan() {
        MicroKernels best = MicroKernels.best();
        Random rnd = new Random(11);
        for (int trial = 0; trial < 400; trial++) {
            int width = 1 + rnd.nextInt(40);
            int rows = 1 + rnd.nextInt(6);
            int srcPitch = width + rnd.nextInt(4);
            int dstPitch = width + rnd.nextInt(4);
            float[] src = new float[2 + rows * srcPitch];
            for (int i = 0; i < src.length; i++) {
                src[i] = 1 + rnd.nextFloat();
            }
            int dstOff = rnd.nextInt(5);
            float[] dst = new float[dstOff + rows * dstPitch + rnd.nextInt(40)];
            Arrays.fill(dst, -1f);
            best.copyRows(src, 2, srcPitch, dst, dstOff, dstPitch, width, rows);
            int spanEnd = dstOff + (rows - 1) * dstPitch + width;
            for (int i = 0; i < dst.length; i++) {
                int r = (i - dstOff) / dstPitch;
                int col = (i - dstOff) % dstPitch;
                String where = "width " + width + " rows " + rows + " pitches " + srcPitch + "/" + dstPitch + " at " + i;
                if (i >= dstOff && i < spanEnd && col < width) {
                    assertEquals(src[2 + r * srcPitch + col], dst[i], where);
                } else if (i >= dstOff && i < spanEnd && width % best.columnStep() == 0) {
                    // whole vectors per row: the floats between rows untouched (PointwiseGemm packs with such rows)
                    assertEquals(-1f, dst[i], where);
                } else if (i >= dstOff && i < spanEnd) {
                    assertTrue(dst[i] == -1f || dst[i] == 0f, where);
                } else {
                    assertEquals(-1f, dst[i], where);
                }
            }
        }
    }
}
