package org.clconv.io;

/**
 * Walks an array's elements in Fortran order (first axis fastest) and yields each one's C-order index, so
 * Fortran-order data can be placed straight into a C-order array without a second full-size copy.
 */
final class FortranToCIndex {
    private final int[] dims;
    private final int[] cStrides;
    private final int[] position;
    private int cIndex;

    FortranToCIndex(int[] dims) {
        this.dims = dims.clone();
        this.cStrides = new int[dims.length];
        this.position = new int[dims.length];
        int stride = 1;
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            cStrides[axis] = stride;
            stride *= dims[axis];
        }
    }

    /** The C index of the current element; then moves to the next element in Fortran order. */
    int next() {
        int current = cIndex;
        for (int axis = 0; axis < dims.length; axis++) {
            position[axis]++;
            cIndex += cStrides[axis];
            if (position[axis] < dims[axis]) {
                break;
            }
            cIndex -= dims[axis] * cStrides[axis];
            position[axis] = 0;
        }
        return current;
    }
}
