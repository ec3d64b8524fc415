package org.clconv.cpu;

/**
 * Which outputs of a row of {@code width} floats may take the left (kx = 0) and right (kx = 2) taps of a 3x3
 * stencil whose taps are {@code dil} apart: the others read the zero padding. The row's columns repeat every
 * {@code width} floats of a flat plane, so the masks do too; they are long enough for a vector starting at any
 * column. As bits ({@link #leftBits}, {@link #rightBits}: all ones or zero per float, to AND a tap column's sum
 * with) they run on for {@link #period} floats, a whole number of rows and of vectors, so that a kernel walking
 * that many outputs indexes them with its own position.
 */
final class ColumnMasks {
    /**
     * Vectors a period holds at least: a kernel's loop over a period pays its bounds checks once before it, and
     * on rows of 28 (AVX2) periods of 7 vectors ran at 14.5 cycles per vector, of 14 at 12, of 28 at 10-11.
     */
    static final int MIN_PERIOD_VECTORS = 32;

    private final int width;
    private final int dil;
    private final int period;
    private final boolean[] left;
    private final boolean[] right;
    private final int[] leftBits;
    private final int[] rightBits;

    ColumnMasks(int width, int dil, int vectorLength) {
        this.width = width;
        this.dil = dil;
        int lcm = width * (vectorLength / gcd(width, vectorLength));
        this.period = lcm * Math.max(1, (MIN_PERIOD_VECTORS * vectorLength + lcm - 1) / lcm);
        this.left = new boolean[width + vectorLength];
        this.right = new boolean[width + vectorLength];
        for (int i = 0; i < left.length; i++) {
            int x = i % width;
            left[i] = x >= dil;
            right[i] = x + dil < width;
        }
        this.leftBits = new int[period + vectorLength];
        this.rightBits = new int[period + vectorLength];
        for (int i = 0; i < leftBits.length; i++) {
            leftBits[i] = left[i % width] ? -1 : 0;
            rightBits[i] = right[i % width] ? -1 : 0;
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    int width() {
        return width;
    }

    int dil() {
        return dil;
    }

    /** left()[x + j]: whether output column x + j (mod width) takes its kx = 0 tap. */
    boolean[] left() {
        return left;
    }

    /** right()[x + j]: whether output column x + j (mod width) takes its kx = 2 tap. */
    boolean[] right() {
        return right;
    }

    /**
     * A multiple of both the row width and the vector length, of at least {@link #MIN_PERIOD_VECTORS} vectors:
     * the masks at q and at q + period are the same.
     */
    int period() {
        return period;
    }

    /** leftBits()[q + j], q a column (mod width) and j a lane: all ones where {@link #left()} is true, else 0. */
    int[] leftBits() {
        return leftBits;
    }

    /** rightBits()[q + j]: all ones where {@link #right()} is true, else 0. */
    int[] rightBits() {
        return rightBits;
    }

    /**
     * The output whose centre tap is src[pos] and whose column is x: the definition both kernels follow. Each
     * kernel column is summed on its own (rows in order, one fused multiply-add each, from zero); the output is
     * start + centre, then + left and + right where the column mask lets them in. A masked-out column is skipped,
     * not multiplied by zero, so whatever its taps read (NaN, infinity) does not matter.
     */
    float output(float[] src, int pos, float[] w, int wOff, float start, int x) {
        return output(src, pos, dil, dil * width, w, wOff, start, left[x], right[x], true, true);
    }

    /**
     * {@link #output(float[], int, float[], int, float, int)} with the tap columns and rows an output may take
     * given as flags: a row it may not take (above or below a whole plane, see {@link PlaneMasks}) reads as a zero,
     * the float a zero-padded copy would hold there.
     */
    static float output(float[] src, int pos, int dil, int rowStep, float[] w, int wOff, float start, boolean left,
            boolean right, boolean top, boolean bottom) {
        float sum = start + columnSum(src, pos, rowStep, w, wOff + 1, top, bottom);
        if (left) {
            sum += columnSum(src, pos - dil, rowStep, w, wOff, top, bottom);
        }
        if (right) {
            sum += columnSum(src, pos + dil, rowStep, w, wOff + 2, top, bottom);
        }
        return sum;
    }

    /** w[wk] * src[top] + w[wk + 3] * src[middle] + w[wk + 6] * src[bottom], rows rowStep apart. */
    private static float columnSum(float[] src, int pos, int rowStep, float[] w, int wk, boolean top,
            boolean bottom) {
        float sum = Math.fma(w[wk], top ? src[pos - rowStep] : 0f, 0f);
        sum = Math.fma(w[wk + 3], src[pos], sum);
        return Math.fma(w[wk + 6], bottom ? src[pos + rowStep] : 0f, sum);
    }
}
