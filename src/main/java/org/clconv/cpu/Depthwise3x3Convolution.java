package org.clconv.cpu;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;

/**
 * The most common depthwise layer -- 3x3, stride 1, zero padding equal to the dilation on every side, so each
 * output plane has its input's size -- without {@link DepthwiseConvolution}'s padded copy. Input and output rows
 * have the same pitch, so one flat offset walks both: {@link MicroKernels#depthwise3x3} reads a unit's rows
 * (a block of output rows of one plane) straight from the input, masks the left and right padding columns
 * ({@link ColumnMasks}) and writes the output rows in place. Only the rows at a plane's top and bottom edge,
 * whose taps reach the padding rows, read a zero-extended copy of their rows instead (a whole 112x112 plane
 * copied for its first and last rows was a quarter of the layer's time on AVX2).
 */
final class Depthwise3x3Convolution implements ConvPath {
    /**
     * A unit at a plane's edge reads its middle rows in place only when they are at least this many floats: on
     * smaller units one copy costs less than the two extra fills and calls (one thread, AVX2: planes of 14x14
     * 1.19x slower split, 28x28 1.09x, 40x40 1.02x; 56x56 0.94, 112x112 0.85). Units inside a plane always read
     * in place.
     */
    private static final int MIN_IN_PLACE_FLOATS = 2048;

    /** Most shapes whose masks are kept (per kind): a service's layers have a few sizes. */
    private static final int MAX_KEPT_MASKS = 64;

    private final ParallelRunner runner;
    private final MicroKernels kernels;
    /**
     * The masks per (width, dilation), made once: they fill two int arrays of a period of at least 32 vectors,
     * which on 1024 planes of 7x7 (AVX-512, 2 threads) was 7% of the layer's profile when made per call.
     */
    private final Map<Long, ColumnMasks> columnMasks = new ConcurrentHashMap<>();
    /** The whole-plane masks per (height, width, dilation), likewise (2% of that layer's profile per call). */
    private final Map<List<Integer>, PlaneMasks> planeMasks = new ConcurrentHashMap<>();

    Depthwise3x3Convolution(ParallelRunner runner, MicroKernels kernels) {
        this.runner = runner;
        this.kernels = kernels;
    }

    /** Whether this path computes the spec: depthwise 3x3, stride 1, square dilation, zero padding = dilation. */
    static boolean accepts(Conv2d c) {
        int dil = c.dilationH();
        return c.isDepthwise() && c.kernelH() == 3 && c.kernelW() == 3 && c.strideH() == 1 && c.strideW() == 1
                && c.dilationW() == dil && c.paddingMode() == PaddingMode.ZEROS && c.padTop() == dil
                && c.padBottom() == dil && c.padLeft() == dil && c.padRight() == dil;
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        int height = g.inH();
        int width = g.inW();
        int dil = c.dilationH();
        int planes = g.batch() * c.outChannels();
        int blockRows = blockRows(height, planes, dil);
        int blocks = (height + blockRows - 1) / blockRows;
        ColumnMasks columns = columnMasks(width, dil);
        OutputRows outputRows = new OutputRows(layer);
        PlaneRuns runs = blocks == 1 && c.channelMultiplier() == 1 && PlaneRuns.takes(width, kernels)
                ? new PlaneRuns(layer, g, kernels, planeMasks(height, width, dil), outputRows) : null;
        float[] w = layer.weight().data();
        int[] scratchFloats = {EdgeRows.floats(width, dil, blockRows)};
        runner.runPlanes(planes * blocks, 9L * blockRows * width, scratchFloats, (from, to, scratch) -> {
            EdgeRows edge = new EdgeRows(height, width, dil, scratch[0]);
            PlaneCursor cursor = new PlaneCursor(c, from, blocks);
            for (int u = from; u < to; ) {
                // (runs are taken only with one block per plane: a unit is a plane)
                int done = runs == null ? 0 : runs.compute(u, to, in, out);
                if (done > 0) {
                    u += done;
                    for (int k = 0; k < done; k++) {
                        cursor.next();
                    }
                    continue;
                }
                int plane = cursor.plane();
                int y0 = cursor.block() * blockRows;
                int rows = Math.min(blockRows, height - y0);
                int o = cursor.channel();
                int planeBase = cursor.inPlane() * height * width;
                int planeOut = plane * height * width;
                // rows [first, last) are read in place: their taps reach dil rows (and dil floats) beyond them on
                // each side, inside the plane and the array (long: near the largest arrays the end of that reach
                // is past Integer.MAX_VALUE); the rows above and below them, whose taps reach the padding, read a
                // zero-extended copy of just their rows
                int first = Math.max(y0, dil);
                int last = Math.min(y0 + rows, height - dil);
                boolean atEdge = first > y0 || last < y0 + rows;
                if (first >= last || atEdge && (last - first) * width < MIN_IN_PLACE_FLOATS
                        || planeBase + (first - dil) * width - dil < 0
                        || planeBase + (long) (last + dil) * width + dil > in.length) {
                    first = y0;
                    last = y0;
                }
                float start = outputRows.start(o);
                if (first > y0) {
                    edge.fill(in, planeBase, y0, first - y0);
                    kernels.depthwise3x3(edge.rows, edge.firstOutputRow, columns, w, o * 9, start, out,
                            planeOut + y0 * width, first - y0);
                }
                if (last > first) {
                    kernels.depthwise3x3(in, planeBase + first * width, columns, w, o * 9, start, out,
                            planeOut + first * width, last - first);
                }
                if (y0 + rows > last) {
                    edge.fill(in, planeBase, last, y0 + rows - last);
                    kernels.depthwise3x3(edge.rows, edge.firstOutputRow, columns, w, o * 9, start, out,
                            planeOut + last * width, y0 + rows - last);
                }
                outputRows.activate(out, planeOut + y0 * width, rows * width);
                u++;
                cursor.next();
            }
        });
    }

    private ColumnMasks columnMasks(int width, int dil) {
        return kept(columnMasks, (long) width << 32 | dil, key -> new ColumnMasks(width, dil, kernels.columnStep()));
    }

    private PlaneMasks planeMasks(int height, int width, int dil) {
        return kept(planeMasks, List.of(height, width, dil),
                key -> new PlaneMasks(height, width, dil, kernels.columnStep()));
    }

    /** The value kept for key, made first if need be; a map past {@link #MAX_KEPT_MASKS} keys starts over. */
    private static <K, V> V kept(Map<K, V> map, K key, Function<K, V> make) {
        if (map.size() > MAX_KEPT_MASKS) {
            map.clear();
        }
        return map.computeIfAbsent(key, make);
    }

    /** Rows per unit: as many as balance the threads, rounded up to whole four-row groups (4 * dil rows). */
    private int blockRows(int height, int planes, int dil) {
        int rows = runner.partsPerPiece(height, planes);
        int group = 4 * dil;
        return rows >= height ? height : Math.min(height, (rows + group - 1) / group * group);
    }

    /**
     * Runs of whole small planes through {@link MicroKernels#depthwise3x3Planes}, with no call and no copy per
     * plane: on 7x7 and 14x14 maps those cost as much as the plane's own stencil. Only for a channel multiplier of
     * 1 (plane i reads input plane i and filter i mod channels). A run stays within one image (the filters wrap at
     * its end). The kernel reads a row and a tap beyond the run's first and last planes, so the planes at the
     * input's two ends go the unit path, which reads zero rows there instead.
     */
    private static final class PlaneRuns {
        /**
         * Rows of at most 8 floats, or at most one vector of the kernels (whose whole-plane kernel takes rows of
         * more than half a vector four at a time, as the unit path does, without its copy of each plane and its
         * call per plane: 14x14 maps 1.3-1.5x faster); wider rows go the unit path's four-row groups.
         */
        static final int MAX_WIDTH = 8;

        static boolean takes(int width, MicroKernels kernels) {
            return width <= Math.max(MAX_WIDTH, kernels.columnStep());
        }

        private final MicroKernels kernels;
        private final PlaneMasks masks;
        private final OutputRows outputRows;
        private final float[] w;
        private final float[] bias;
        private final int channels;
        private final int n;
        private final int reach;

        PlaneRuns(ConvLayer layer, ConvGeometry g, MicroKernels kernels, PlaneMasks masks, OutputRows outputRows) {
            this.kernels = kernels;
            this.masks = masks;
            this.outputRows = outputRows;
            this.w = layer.weight().data();
            this.bias = layer.bias() == null ? null : layer.bias().data();
            this.channels = g.spec().outChannels();
            this.n = masks.size();
            this.reach = masks.rowStep() + masks.dil();
        }

        /** Computes planes [first, k) for some k <= end and returns how many: 0 when the unit path must take it. */
        int compute(int first, int end, float[] in, float[] out) {
            // the kernel reads up to a row and a tap past the run's last plane, which must lie inside the input
            int runEnd = Math.min(Math.min(end, (first / channels + 1) * channels), (in.length - reach) / n);
            if (runEnd <= first || (long) first * n < reach || n < kernels.columnStep()) {
                return 0;
            }
            int channel = first % channels;
            kernels.depthwise3x3Planes(in, first * n, masks, w, channel * 9, bias, channel, out, first * n,
                    runEnd - first);
            outputRows.activate(out, first * n, (runEnd - first) * n);
            return runEnd - first;
        }
    }

    /**
     * A unit's input rows with the padding rows above and below the plane as zeros, and dil floats of slack at
     * both ends (read only by masked taps): what the kernel reads where the plane's own neighbours are not
     * padding.
     */
    private static final class EdgeRows {
        private final int height;
        private final int width;
        private final int dil;
        final float[] rows;
        /** Where the unit's first output row's input row starts in {@link #rows}. */
        final int firstOutputRow;
        /** The last fill was of a whole plane (so its padding rows are zero where the next one's are). */
        private boolean holdsWholePlane;

        /** On {@code rows}, of at least {@link #floats} floats and any contents (the first fill zeroes its part). */
        EdgeRows(int height, int width, int dil, float[] rows) {
            this.height = height;
            this.width = width;
            this.dil = dil;
            this.rows = rows;
            this.firstOutputRow = dil + dil * width;
        }

        /** The floats a unit of {@code blockRows} rows needs. */
        static int floats(int width, int dil, int blockRows) {
            return 2 * dil + (blockRows + 2 * dil) * width;
        }

        /**
         * Copies input rows [y0 - dil, y0 + count + dil) of the plane at planeBase, zeros outside the plane. The
         * zeros of a whole-plane unit are where the last one left them (small planes: one copy per plane).
         */
        void fill(float[] in, int planeBase, int y0, int count) {
            int top = y0 - dil;
            int first = Math.max(0, top);
            int last = Math.min(height, y0 + count + dil);
            int copyTo = dil + (first - top) * width;
            int copyEnd = copyTo + (last - first) * width;
            boolean sameZeros = y0 == 0 && count == height && holdsWholePlane;
            if (!sameZeros) {
                Arrays.fill(rows, 0, copyTo, 0f);
                Arrays.fill(rows, copyEnd, dil + (count + 2 * dil) * width + dil, 0f);
            }
            System.arraycopy(in, planeBase + first * width, rows, copyTo, copyEnd - copyTo);
            holdsWholePlane = y0 == 0 && count == height;
        }
    }
}
