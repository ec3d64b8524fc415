package org.clconv;

import java.util.Arrays;

/** An immutable tensor shape. Element counts are computed in {@code long} so they can be checked, never wrap. */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d <= 0) {
                throw new InvalidConvolutionException("tensor dimensions must be positive, got " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    public int[] toArray() {
        return dims.clone();
    }

    /** Number of elements; throws {@link ArithmeticException} rather than wrap if it exceeds a long. */
    public long numel() {
        long n = 1;
        for (int d : dims) {
            n = Math.multiplyExact(n, (long) d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(((Shape) o).dims, dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** PyTorch's spelling, e.g. {@code [1, 3, 128, 128]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
