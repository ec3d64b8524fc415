package org.clconv.cpu;

import java.util.Arrays;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;

/**
 * groups == in_channels (any channel multiplier, kernel, stride, dilation, padding mode): every output channel
 * reads one input channel, so there is no reduction over channels to block. A unit is a block of output rows
 * of one channel: its input rows are copied once into a padded scratch plane (padding applied there, by any
 * mode, and columns split into stride phases so every tap reads a contiguous run), then every kernel tap is a
 * shifted contiguous read, and {@link MicroKernels#stencil} keeps a few output vectors in registers across all
 * taps. Column stride 2 (with a row stride above 1, the usual stride-2 layer, and kernels up to 5x5) skips the
 * split: a unit's rows are one {@link MicroKernels#stencilStride2} over the padded rows. With unit row stride,
 * the kernels' four-row blocks ({@link MicroKernels#stencilRowBlocks}, unit column stride too) write wide rows
 * straight into the output; the rows they leave are one flat run over the padded width (the columns past the
 * output width are computed and dropped), so small maps still fill whole vectors: stored straight into the output
 * where its rows are whole vectors, else into an accumulator copied out. Other strides compute row by row straight
 * into the output.
 */
final class DepthwiseConvolution implements ConvPath {
    /**
     * Most taps for {@link MicroKernels#stencilStride2}, which does twice the FMAs to skip the split into stride
     * phases: A/B on 2 threads against the split, 5x5 stride 2 on 144 channels of 56x56 and 240 of 28x28: 0.71 and
     * 0.81 of the time; 7x7 on 96 channels of 112x112: 1.2.
     */
    private static final int MAX_STRIDE2_TAPS = 25;

    private final ParallelRunner runner;
    private final MicroKernels kernels;

    DepthwiseConvolution(ParallelRunner runner, MicroKernels kernels) {
        this.runner = runner;
        this.kernels = kernels;
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        int planes = g.batch() * c.outChannels();
        int blockRows = runner.partsPerPiece(g.outH(), planes);
        int blocks = (g.outH() + blockRows - 1) / blockRows;
        Layout layout = new Layout(g, blockRows, kernels);
        OutputRows outputRows = new OutputRows(layer);
        float[] w = layer.weight().data();
        int taps = c.kernelH() * c.kernelW();
        int units = planes * blocks;
        int rowsPerUnit = blockRows;
        int[] scratchFloats = {layout.scratchFloats, layout.accFloats};
        runner.runPlanes(units, (long) taps * rowsPerUnit * g.outW(), scratchFloats, (from, to, scratch) -> {
            // zeroed: with zero padding, Layout.fill writes only the interior and the padding rows
            float[] padded = scratch[0];
            Arrays.fill(padded, 0, layout.scratchFloats, 0f);
            float[] acc = scratch[1];
            int[] offsets = layout.tapOffsets();
            PlaneCursor cursor = new PlaneCursor(c, from, blocks);
            for (int u = from; u < to; u++, cursor.next()) {
                int plane = cursor.plane();
                int o = cursor.channel();
                int inPlane = cursor.inPlane();
                int y0 = cursor.block() * rowsPerUnit;
                int rows = Math.min(rowsPerUnit, g.outH() - y0);
                layout.fill(in, inPlane * g.inH() * g.inW(), y0, rows, padded);
                float start = outputRows.start(o);
                int unitStart = (plane * g.outH() + y0) * g.outW();
                int unitEnd = unitStart + rows * g.outW();
                if (layout.flat) {
                    // the row blocks take taps a dilation apart in a row: not split into column stride phases
                    int direct = layout.phases == 1 ? kernels.stencilRowBlocks(padded, 0, c.kernelH(), c.kernelW(),
                            layout.rowBase(c.dilationH()), c.dilationW(), layout.pitch, w, o * taps, start, out,
                            unitStart, g.outW(), rows, g.outW()) : 0;
                    outputRows.activate(out, unitStart, direct * g.outW());
                    int left = rows - direct;
                    int rowsStart = unitStart + direct * g.outW();
                    if (left > 0 && layout.storeAt != null) {
                        kernels.stencil(padded, layout.rowBase(direct), offsets, taps, w, o * taps, start, out,
                                rowsStart, layout.runLength(left), layout.storeAt);
                        outputRows.activate(out, rowsStart, left * g.outW());
                    } else if (left > 0) {
                        kernels.stencil(padded, layout.rowBase(direct), offsets, taps, w, o * taps, start, acc, 0,
                                layout.runLength(left));
                        outputRows.endRows(acc, layout.pitch, left, g.outW(), out, rowsStart, kernels);
                    }
                    continue;
                }
                if (layout.stride2) {
                    kernels.stencilStride2(padded, 0, layout.rowBase(1), offsets, taps, w, o * taps, start, out,
                            unitStart, g.outW(), rows);
                    outputRows.activate(out, unitStart, unitEnd - unitStart);
                    continue;
                }
                // one stencil per output row, straight into the output in whole vectors: the floats stored past
                // a row land on this unit's later rows, rewritten after it; a row whose vectors would cross the
                // unit's end (another chunk's output) goes through acc
                int run = layout.runLength(1);
                for (int r = 0, outRow = unitStart; r < rows; r++, outRow += g.outW()) {
                    if (outRow + run <= unitEnd) {
                        kernels.stencil(padded, layout.rowBase(r), offsets, taps, w, o * taps, start, out, outRow,
                                run);
                    } else {
                        kernels.stencil(padded, layout.rowBase(r), offsets, taps, w, o * taps, start, acc, 0, run);
                        System.arraycopy(acc, 0, out, outRow, g.outW());
                    }
                }
                outputRows.activate(out, unitStart, unitEnd - unitStart);
            }
        });
    }

    /**
     * Where a block of output rows finds its inputs in the padded scratch plane. Padded coordinates start at the
     * first padding row/column; column phase p holds padded columns p, p + phases, ... so that output x with tap
     * kx reads phase (kx*dilW) % phases at column x + (kx*dilW) / phases. There are strideW phases, but one
     * (the padded rows as they are) where the stride-2 kernel reads every other column itself.
     */
    private static final class Layout {
        private final ConvGeometry g;
        private final Conv2d c;
        private final MicroKernels kernels;
        private final int step;
        /**
         * Column stride 2 with row stride above 1 and at most {@link #MAX_STRIDE2_TAPS} taps: the padded rows are
         * copied as they are (one phase) and read by {@link MicroKernels#stencilStride2}; else one phase per
         * column stride.
         */
        final boolean stride2;
        private final int phases;
        /** Padded columns and rows (of a full block) the block reads; phase width and plane size. */
        private final int paddedW;
        private final int blockH;
        private final int phaseW;
        private final int phaseSize;
        /**
         * Unit row stride: a block's rows are four-row blocks into the output and one flat run over the padded
         * width for the rest, computed in acc with the row pitch {@link #pitch}; otherwise acc holds one row.
         */
        final boolean flat;
        final int pitch;
        /**
         * Where the flat run's rows are whole vectors in the scratch and in the output, the stencil's store map
         * (see {@link MicroKernels#stencil}): each row's outputs go straight into the output and the padding
         * columns are dropped, with no accumulator to copy out (dw5x5_d2, 128 maps of 56x56: 0.95 of the time on
         * one thread, 0.92 on two). Else null.
         */
        final int[] storeAt;
        final int scratchFloats;
        final int accFloats;
        /** Per phase: the input column each phase column reads (-1: a zero), and the contiguous span. */
        private final int[][] columnSource;
        private final int[] interiorFrom;
        private final int[] interiorTo;
        /** One block covers the whole output plane: every unit fills the same scratch rows. */
        private final boolean wholePlane;

        Layout(ConvGeometry g, int blockRows, MicroKernels kernels) {
            this.g = g;
            this.c = g.spec();
            this.kernels = kernels;
            this.step = kernels.columnStep();
            this.stride2 = c.strideW() == 2 && c.strideH() > 1 && c.kernelH() * c.kernelW() <= MAX_STRIDE2_TAPS;
            this.phases = stride2 ? 1 : c.strideW();
            this.paddedW = (g.outW() - 1) * c.strideW() + (c.kernelW() - 1) * c.dilationW() + 1;
            this.blockH = (blockRows - 1) * c.strideH() + (c.kernelH() - 1) * c.dilationH() + 1;
            this.phaseW = (paddedW + phases - 1) / phases;
            this.phaseSize = blockH * phaseW;
            this.flat = c.strideH() == 1;
            this.wholePlane = blockRows >= g.outH();
            this.pitch = phaseW;
            this.storeAt = flat && pitch % step == 0 && g.outW() % step == 0
                    ? storeMap(runLength(blockRows) / step) : null;
            int lastRun = flat ? 0 : (blockRows - 1) * c.strideH() * phaseW;
            int maxTap = (phases - 1) * phaseSize + (c.kernelH() - 1) * c.dilationH() * phaseW
                    + (c.kernelW() - 1) * c.dilationW() / phases;
            // what a stencil reads past its tap offset: a run, or two floats per output (stride 2)
            int reach = stride2 ? 2 * g.outW() : runLength(blockRows);
            // + step: the flat run of the rows left over is whole vectors
            this.scratchFloats = Math.max(phases * phaseSize, maxTap + lastRun + reach + step);
            // the accumulator: one row (other strides), or a flat run not stored straight into the output; none
            // where every output is stored straight (a store map, or the stride-2 stencil)
            this.accFloats = storeAt != null || stride2 ? 0 : runLength(blockRows) + step;
            this.columnSource = new int[phases][phaseW];
            this.interiorFrom = new int[phases];
            this.interiorTo = new int[phases];
            for (int p = 0; p < phases; p++) {
                // phase column j is padded column j*phases + p, input column j*phases + p - padLeft
                int shift = p - c.padLeft();
                for (int j = 0; j < phaseW; j++) {
                    // the last phase column may lie past the padded width: never read for a stored output
                    columnSource[p][j] = j * phases + p < paddedW
                            ? c.paddingMode().sourceIndex(j * phases + shift, g.inW()) : -1;
                }
                interiorFrom[p] = Math.min(phaseW, Math.max(0, Math.floorDiv(-shift + phases - 1, phases)));
                interiorTo[p] = Math.max(interiorFrom[p],
                        Math.min(phaseW, Math.floorDiv(g.inW() - 1 - shift, phases) + 1));
            }
        }

        /** For each step of the flat run, where its outputs go from the run's first row's, or -1. */
        private int[] storeMap(int steps) {
            int[] map = new int[steps];
            for (int v = 0; v < steps; v++) {
                int row = v * step / pitch;
                int column = v * step % pitch;
                map[v] = column < g.outW() ? row * g.outW() + column : -1;
            }
            return map;
        }

        /** Outputs per stencil call (a multiple of the column step): the flat run over all rows, or one row. */
        int runLength(int rows) {
            return GemmTiles.roundUp(flat ? (rows - 1) * phaseW + g.outW() : g.outW(), step);
        }

        /** The scratch offset each tap reads for output x = 0 of virtual row 0. */
        int[] tapOffsets() {
            int[] offsets = new int[c.kernelH() * c.kernelW()];
            for (int ky = 0; ky < c.kernelH(); ky++) {
                for (int kx = 0; kx < c.kernelW(); kx++) {
                    int col = kx * c.dilationW();
                    offsets[ky * c.kernelW() + kx] = (col % phases) * phaseSize + ky * c.dilationH() * phaseW
                            + col / phases;
                }
            }
            return offsets;
        }

        /** What virtual row r adds to every tap offset. */
        int rowBase(int r) {
            return r * c.strideH() * phaseW;
        }

        /**
         * Copies the padded input rows of output rows [y0, y0 + rows) of the plane at inBase into the scratch.
         * With zero padding the border columns are never written by anything but zeros, so a scratch that
         * started zeroed needs only its interior spans and whole padding rows rewritten.
         */
        void fill(float[] in, int inBase, int y0, int rows, float[] padded) {
            PaddingMode mode = c.paddingMode();
            boolean zeroBorders = mode == PaddingMode.ZEROS;
            int height = (rows - 1) * c.strideH() + (c.kernelH() - 1) * c.dilationH() + 1;
            if (zeroBorders && phases == 1) {
                fillUnstrided(in, inBase, y0 * c.strideH() - c.padTop(), height, padded);
                return;
            }
            for (int p = 0; p < phases; p++) {
                int[] source = columnSource[p];
                int from = interiorFrom[p];
                int to = interiorTo[p];
                for (int rr = 0; rr < height; rr++) {
                    int dst = p * phaseSize + rr * phaseW;
                    int sy = mode.sourceIndex(y0 * c.strideH() + rr - c.padTop(), g.inH());
                    if (sy < 0) {
                        Arrays.fill(padded, dst, dst + phaseW, 0f);
                        continue;
                    }
                    int src = inBase + sy * g.inW();
                    if (!zeroBorders) {
                        for (int j = 0; j < from; j++) {
                            padded[dst + j] = border(in, src, source[j]);
                        }
                        for (int j = to; j < phaseW; j++) {
                            padded[dst + j] = border(in, src, source[j]);
                        }
                    }
                    if (phases == 1) {
                        System.arraycopy(in, src + from + p - c.padLeft(), padded, dst + from, to - from);
                    } else if (phases == 2) {
                        kernels.copyEveryOther(in, src + from * phases + p - c.padLeft(), padded, dst + from,
                                to - from);
                    } else {
                        for (int j = from, s = src + from * phases + p - c.padLeft(); j < to; j++, s += phases) {
                            padded[dst + j] = in[s];
                        }
                    }
                }
            }
        }

        /**
         * {@link #fill} for zero padding and unit column stride: the input rows [firstRow, firstRow + height) that
         * exist are consecutive in the input, so they go in one {@link MicroKernels#copyRows} (which may rewrite the
         * zero columns between them, with zeros); the rest are padding rows, which stay zero in a scratch that only
         * ever holds whole planes (the same rows are padding for every unit).
         */
        private void fillUnstrided(float[] in, int inBase, int firstRow, int height, float[] padded) {
            int top = Math.min(height, Math.max(0, -firstRow));
            int bottom = Math.max(top, Math.min(height, g.inH() - firstRow));
            if (!wholePlane) {
                Arrays.fill(padded, 0, top * phaseW, 0f);
                Arrays.fill(padded, bottom * phaseW, height * phaseW, 0f);
            }
            if (bottom > top) {
                int from = interiorFrom[0];
                kernels.copyRows(in, inBase + (firstRow + top) * g.inW() + from - c.padLeft(), g.inW(), padded,
                        top * phaseW + from, phaseW, interiorTo[0] - from, bottom - top);
            }
        }

        private static float border(float[] in, int rowBase, int sx) {
            return sx < 0 ? 0f : in[rowBase + sx];
        }
    }
}
