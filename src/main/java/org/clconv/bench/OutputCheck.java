package org.clconv.bench;

import org.clconv.Tensor;

/**
 * Agreement of two results of the same layer before either is timed: a fast wrong answer is no result.
 * Random O(1) data in fp32 agrees to about 1e-6 between correct implementations whatever their summation
 * order; {@link #TOLERANCE} leaves room for long reductions and nothing more.
 */
public final class OutputCheck {
    public static final double TOLERANCE = 1e-4;

    private OutputCheck() {
    }

    /** ||actual - expected|| / ||expected|| over all elements, or infinity when the shapes differ. */
    public static double relativeL2(Tensor actual, Tensor expected) {
        if (!actual.shape().equals(expected.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        float[] a = actual.data();
        float[] e = expected.data();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - e[i];
            diff += d * d;
            norm += (double) e[i] * e[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    public static boolean agrees(double relativeL2) {
        return relativeL2 <= TOLERANCE;
    }
}
