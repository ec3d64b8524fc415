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
    /** All bits set where the row is inside the plane, none where it is padding: an AND zeroes the padding. */
    private final int[] top;
    private final int[] bottom;

    PlaneMasks(int height, int width, int dil, int vectorLength) {
        this.width = width;
        this.dil = dil;
        this.size = height * width;
        int length = size + vectorLength;
        this.left = new boolean[length];
        this.right = new boolean[length];
        this.top = new int[length];
        this.bottom = new int[length];
        for (int q = 0; q < length; q++) {
            int x = q % width;
            int y = q / width;
            left[q] = x >= dil;
            right[q] = x + dil < width;
            top[q] = y >= dil ? -1 : 0;
            bottom[q] = y + dil < height ? -1 : 0;
        }
    }

    /** Floats per plane. */
    int size() {
        return size;
    }

    int dil() {
        return dil;
    }

    /** Floats per row. */
    int width() {
        return width;
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

    /** Per output, -1 (all bits) where the row dil above is inside the plane, else 0. */
    int[] top() {
        return top;
    }

    /** Per output, -1 where the row dil below is inside the plane, else 0. */
    int[] bottom() {
        return bottom;
    }

    /**
     * The output at flat position q of the plane whose output q's centre tap is src[pos]: {@link
     * ColumnMasks#output} with the rows outside the plane read as zeros (the floats a zero-padded copy gives),
     * whatever src holds there.
     */
    float output(float[] src, int pos, float[] w, int wOff, float start, int q) {
        return ColumnMasks.output(src, pos, dil, rowStep(), w, wOff, start, left[q], right[q], top[q] != 0,
                bottom[q] != 0);
    }
}
