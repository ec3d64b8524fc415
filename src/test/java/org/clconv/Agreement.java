package org.clconv;

/** The one acceptance rule for a backend's result: the expected shape, and a relative L2 error of at most 1e-5. */
final class Agreement {
    static final double TOLERANCE = 1e-5;

    private Agreement() {
    }

    /** Why {@code actual} does not match, or {@code null} when it does. */
    static String mismatch(Tensor actual, Shape expectedShape, double[] expected) {
        if (!actual.shape().equals(expectedShape)) {
            return "output shape " + actual.shape() + ", expected " + expectedShape;
        }
        if (expected.length != actual.data().length) {
            return "expected data has " + expected.length + " elements but the output has " + actual.data().length;
        }
        double error = Reference.relativeL2(actual.data(), expected);
        if (!(error <= TOLERANCE)) {
            return "relative L2 error " + error + " > " + TOLERANCE + " (first bad element: " + firstBad(actual, expected)
                    + ")";
        }
        return null;
    }

    static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** Locates the first element off by more than the tolerance, to hint at which index arithmetic is wrong. */
    private static String firstBad(Tensor actual, double[] expected) {
        float[] a = actual.data();
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1.0, Math.abs(expected[i]));
            if (!(Math.abs(a[i] - expected[i]) <= TOLERANCE * scale)) {
                return "flat index " + i + " = NCHW " + nchw(actual.shape(), i) + ": got " + a[i] + ", expected "
                        + expected[i];
            }
        }
        return "none individually; the error is spread";
    }

    private static String nchw(Shape shape, int flat) {
        int[] dims = shape.toArray();
        int[] index = new int[dims.length];
        int rest = flat;
        for (int d = dims.length - 1; d >= 0; d--) {
            index[d] = rest % dims[d];
            rest /= dims[d];
        }
        return java.util.Arrays.toString(index);
    }
}
