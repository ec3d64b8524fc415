package org.clconv.cpu;

/**
 * How the GEMM paths cut their work into column tiles whose B operand (depth x width floats) stays in the L2
 * cache while every weight panel passes over it. Where there are too few tiles to keep every thread busy (small
 * maps with many channels, e.g. 7x7 with 1024 channels), the panels are split too:
 * {@link ParallelRunner#partsPerPiece}.
 */
final class GemmTiles {
    /** B operand budget per tile: a quarter of a typical 1 MiB L2, leaving room for weights and C. */
    static final int B_FLOATS = 64 * 1024;
    /**
     * Tails of at most this many columns (past a tile's whole vectors) go through {@link MicroKernels#gemmColumns},
     * all of a unit's panels in one call: about one load per k, column and panel there against nine per k and
     * panel for a whole vector, but it streams the weights once per column. Measured (A/B medians, 2 threads):
     * 1024 channels of 7x7 pointwise, a 1-column tail, 413 -> 300 us; 512 channels of 14x14, a 4-column tail, 3-6%
     * slower while gemmColumns ran one panel at a time on AVX2, 0.94 of the time since it runs eight (square maps
     * only leave tails of 0, 1 or 4 columns).
     */
    static final int NARROW_TAIL = 4;
    /**
     * The columns of an n-column GEMM that go through {@link MicroKernels#gemmColumns}: those past whole register
     * tiles of {@code tileColumns}, when there are at most {@link #NARROW_TAIL} of them; else 0.
     */
    static int narrowTail(int n, int tileColumns) {
        int tail = n % tileColumns;
        return tail <= NARROW_TAIL ? tail : 0;
    }

    /** Widest tile: beyond this the C tile (4 rows) outgrows L1 for no gain. */
    private static final int MAX_WIDTH = 1024;
    private GemmTiles() {
    }

    /**
     * Tile width for a GEMM of the given depth over {@code columns} columns: all of them when they fit the budget
     * (a small map, e.g. 49 columns of depth 1024, in one tile rather than a whole 48-column tile and a
     * 1-column one), else a multiple of the micro-kernel's register tile, {@code block} columns.
     */
    static int width(int depth, int columns, int step, int block) {
        int fit = B_FLOATS / Math.max(1, depth);
        if (columns <= Math.min(MAX_WIDTH, Math.max(fit / step * step, step))) {
            return columns;
        }
        int budget = Math.max(block, Math.min(MAX_WIDTH, fit / block * block));
        return Math.min(budget, columns);
    }

    /** {@code n} rounded up to a multiple of {@code step}. */
    static int roundUp(int n, int step) {
        return (n + step - 1) / step * step;
    }
}
