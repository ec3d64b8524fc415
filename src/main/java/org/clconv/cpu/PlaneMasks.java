package org.clconv.cpu;

/**
 * Which taps of a 3x3 stencil (taps {@code dil} apart, zero padding {@code dil}) each output of a whole
 * {@code height x width} plane may take, indexed by the output's flat position in the plane: left and right as
 * in {@link ColumnMasks}, and top and bottom, whether the row {@code dil} above or below is inside the plane.
 * With those four, a plane is computed reading its neighbours in place: the rows above and below it are other
 * planes' data, masked, instead of zero rows in a copy. Every array reaches a vector past the plane, so a
 * vector starting at any output of it can load its masks.
 */
final class PlaneMasks {
    private final int width;
    private final int dil;
    private final int size;
    private final boolean[] left;
    private final boolean[] right;
    private final boolean[] top;
    private final boolean[] bottom;

    PlaneMasks(int height, int width, int dil, int vectorLength) {
        this.width = width;
        this.dil = dil;
        this.size = height * width;
        int length = size + vectorLength;
        this.left = new boolean[length];
        this.right = new boolean[length];
        this.top = new boolean[length];
        this.bottom = new boolean[length];
        for (int q = 0; q < length; q++) {
            int x = q % width;
            int y = q / width;
            left[q] = x >= dil;
            right[q] = x + dil < width;
            top[q] = y >= dil;
            bottom[q] = y + dil < height;
        }
    }

    /** Floats per plane. */
    int size() {
        return size;
    }

    int dil() {
        return dil;
    }

    /** Flat distance from an output to its taps' row above (and below). */
    int rowStep() {
        return dil * width;
    }

    boolean[] left() {
        return left;
    }

    boolean[] right() {
        return right;
    }

    boolean[] top() {
        return top;
    }

    boolean[] bottom() {
        return bottom;
    }

    /**
     * The output at flat position q of the plane whose output q's centre tap is src[pos]: {@link
     * ColumnMasks#output} with the rows outside the plane read as zeros (the floats a zero-padded copy gives),
     * whatever src holds there.
     */
    float output(float[] src, int pos, float[] w, int wOff, float start, int q) {
        return ColumnMasks.output(src, pos, dil, rowStep(), w, wOff, start, left[q], right[q], top[q], bottom[q]);
    }
}
