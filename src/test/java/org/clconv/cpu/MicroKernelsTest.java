package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
}
