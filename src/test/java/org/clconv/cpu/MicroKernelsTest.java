package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The available kernels against the plain-Java ones on the helpers that move data rather than sum it. */
class MicroKernelsTest {
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
                } else if (i >= dstOff && i < spanEnd) {
                    assertTrue(dst[i] == -1f || dst[i] == 0f, where);
                } else {
                    assertEquals(-1f, dst[i], where);
                }
            }
        }
    }
}
