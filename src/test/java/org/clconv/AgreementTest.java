package org.clconv;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The acceptance rule itself: non-finite values must match element by element, the finite rest by L2. */
class AgreementTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final Shape SHAPE = Shape.of(1, 1, 1, 4);

    private static String compare(float[] actual, double... expected) {
        return Agreement.mismatch(new Tensor(SHAPE, actual), SHAPE, expected);
    }

    @Test
    void matchingNonFiniteValuesAndCloseFiniteOnesAgree() {
        assertNull(compare(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f},
                NAN, INF, -INF, 2.0000001));
    }

    @Test
    void everyNonFiniteDifferenceIsAMismatchNamingTheElement() {
        assertTrue(compare(new float[] {0f, 1f, 1f, 1f}, NAN, 1, 1, 1).contains("NCHW [0, 0, 0, 0]"));
        assertNotNull(compare(new float[] {1f, Float.NaN, 1f, 1f}, 1, INF, 1, 1));
        assertNotNull(compare(new float[] {1f, Float.NEGATIVE_INFINITY, 1f, 1f}, 1, INF, 1, 1));
        assertNotNull(compare(new float[] {1f, 1f, Float.NaN, 1f}, 1, 1, 1, 1), "NaN where a number is expected");
        assertNotNull(compare(new float[] {1f, 1f, 1f, Float.POSITIVE_INFINITY}, 1, 1, 1, 1));
    }

    @Test
    void finiteElementsBesideNonFiniteOnesAreStillJudged() {
        assertNotNull(compare(new float[] {Float.NaN, 1f, 1f, 1.01f}, NAN, 1, 1, 1));
    }
}
