package org.clconv;

import java.util.Arrays;

/**
 * The acceptance rule for a backend's result: the expected shape, and a relative L2 error of at most 1e-5
 * against the float64 reference.
 *
 * <p>Random cases need one refinement to avoid failing correct code: float32 rounding is relative to the
 * size of the summed terms ({@code |x|*|w| + |b|}), not of their sum. When a result cancels to almost nothing
 * (typically a ReLU that zeroes all but a few near-zero outputs), its relative error is rounding noise
 * divided by a tiny norm. So when a term-magnitude tensor is given, the norm divided by is at least
 * {@value #CANCELLATION_FLOOR} of the terms' norm. For every well-conditioned result this is exactly the
 * plain relative L2; an indexing or padding bug moves whole terms and is still caught by orders of magnitude.
 *
 * <p>NaN and infinities (from NaN or infinite inputs) are compared element by element and must match exactly;
 * the relative L2 error is taken over the finite elements.
 */
public final class Agreement {
    static final double TOLERANCE = 1e-5;
    static final double CANCELLATION_FLOOR = 0.1;

    private Agreement() {
    }

    /** Why {@code actual} does not match {@code expected} by plain relative L2, or {@code null} when it does. */
    static String mismatch(Tensor actual, Shape expectedShape, double[] expected) {
        return mismatch(actual, expectedShape, expected, null);
    }

    /**
     * Why {@code actual} does not match, or {@code null}; {@code magnitude} (from {@link #termMagnitude}) floors
     * the denominator as described above, or is {@code null} for the plain relative L2.
     */
    public static String mismatch(Tensor actual, Shape expectedShape, double[] expected, double[] magnitude) {
        if (!actual.shape().equals(expectedShape)) {
            return "output shape " + actual.shape() + ", expected " + expectedShape;
        }
        if (expected.length != actual.data().length) {
            return "expected data has " + expected.length + " elements but the output has " + actual.data().length;
        }
        String nonFinite = nonFiniteMismatch(actual, expected);
        if (nonFinite != null) {
            return nonFinite;
        }
        // The non-finite elements matched exactly; the L2 rule judges the finite rest.
        float[] a = actual.data();
        double squaredError = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Double.isFinite(expected[i])) {
                double d = a[i] - expected[i];
                squaredError += d * d;
            }
        }
        double error = Math.sqrt(squaredError);
        double expectedNorm = finiteNorm(expected, expected);
        double scale = magnitude == null ? expectedNorm
                : Math.max(expectedNorm, CANCELLATION_FLOOR * finiteNorm(magnitude, expected));
        if (!(error <= TOLERANCE * scale)) {
            return "relative L2 error " + error / expectedNorm + " (error norm " + error + " vs scale " + scale
                    + ") > " + TOLERANCE + "; first bad element: " + firstBad(actual, expected);
        }
        return null;
    }

    /** Per output element, the sum of the absolute values of the terms the conv adds up (bias included). */
    public static double[] termMagnitude(ConvLayer layer, Tensor input) {
        return Reference.conv2d(absolute(layer), absolute(input));
    }

    /** The same bound through a separable block: the depthwise magnitudes feed the pointwise one. */
    static double[] termMagnitude(SeparableBlock block, Tensor input) {
        return Reference.separable(new SeparableBlock(absolute(block.depthwise()), absolute(block.pointwise())),
                absolute(input));
    }

    static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static ConvLayer absolute(ConvLayer layer) {
        Conv2d linear = layer.spec().toBuilder().activation(Activation.NONE).build();
        return new ConvLayer(linear, absolute(layer.weight()), layer.bias() == null ? null : absolute(layer.bias()));
    }

    private static Tensor absolute(Tensor t) {
        float[] data = t.data().clone();
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.abs(data[i]);
        }
        return new Tensor(t.shape(), data);
    }

    /** The L2 norm of {@code v} over the elements where {@code expected} is finite. */
    private static double finiteNorm(double[] v, double[] expected) {
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            if (Double.isFinite(expected[i])) {
                sum += v[i] * v[i];
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * NaN and infinities must come out exactly where PyTorch puts them: NaN for NaN, the same infinity for an
     * infinity, and nothing non-finite where the expectation is finite.
     */
    private static String nonFiniteMismatch(Tensor actual, double[] expected) {
        float[] a = actual.data();
        for (int i = 0; i < expected.length; i++) {
            boolean same = Double.isNaN(expected[i]) ? Float.isNaN(a[i])
                    : Double.isInfinite(expected[i]) ? a[i] == expected[i] : Float.isFinite(a[i]);
            if (!same) {
                return "non-finite values differ at flat index " + i + " = NCHW " + nchw(actual.shape(), i) + ": got "
                        + a[i] + ", expected " + expected[i];
            }
        }
        return null;
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
        return Arrays.toString(index);
    }
}
