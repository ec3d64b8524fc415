package org.clconv.cpu;

/** Whether floats are all finite: a layer's weights, a transform's outputs. */
final class FiniteFloats {
    private FiniteFloats() {
    }

    /** Whether a[off, off + n) are all finite (no infinity, no NaN). */
    static boolean all(float[] a, int off, int n) {
        boolean finite = true;
        for (int i = off; i < off + n; i++) {
            finite &= Float.isFinite(a[i]);
        }
        return finite;
    }
}
