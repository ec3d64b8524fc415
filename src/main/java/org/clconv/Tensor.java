package org.clconv;

/**
 * A dense float32 host tensor in C (row-major) order; a 4-D tensor is NCHW. The tensor wraps its array
 * without copying: callers must not change the array while a backend is using it.
 */
public final class Tensor {
    /** The largest array the JVM reliably allocates; every index the backends compute fits an {@code int} below it. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final Shape shape;
    private final float[] data;

    public Tensor(Shape shape, float[] data) {
        long numel = shape.numel();
        if (numel != data.length) {
            throw new InvalidConvolutionException(
                    "tensor data has " + data.length + " elements but shape " + shape + " needs " + numel);
        }
        this.shape = shape;
        this.data = data;
    }

    /** A zero-filled tensor; rejects shapes whose element count does not fit a Java array. */
    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[checkedNumel("tensor", shape)]);
    }

    public static Tensor of(float[] data, int... dims) {
        return new Tensor(Shape.of(dims), data);
    }

    /** The element count of {@code shape} as an int, or an exception naming {@code what} if it cannot be held. */
    public static int checkedNumel(String what, Shape shape) {
        long numel;
        try {
            numel = shape.numel();
        } catch (ArithmeticException e) {
            numel = Long.MAX_VALUE;
        }
        if (numel > MAX_ELEMENTS) {
            throw new InvalidConvolutionException(what + " of shape " + shape + " has " + numel
                    + " elements, more than the " + MAX_ELEMENTS + " a tensor can hold");
        }
        return (int) numel;
    }

    public Shape shape() {
        return shape;
    }

    public float[] data() {
        return data;
    }

    public int dim(int i) {
        return shape.dim(i);
    }

    public int rank() {
        return shape.rank();
    }

    @Override
    public String toString() {
        return "Tensor" + shape;
    }
}
