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
 * taps. With unit row stride the block's rows are one flat run over the padded width (the columns past the
 * output width are computed and dropped), so small maps still fill whole vectors.
 */
final class DepthwiseConvolution implements ConvPath {
    private static final int UNITS_PER_THREAD = 4;

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
        int wanted = runner.threads() * UNITS_PER_THREAD;
        int rowSplit = Math.min(g.outH(), Math.max(1, (wanted + planes - 1) / planes));
        int blockRows = (g.outH() + rowSplit - 1) / rowSplit;
        int blocks = (g.outH() + blockRows - 1) / blockRows;
        Layout layout = new Layout(g, blockRows, kernels.columnStep());
        OutputRows outputRows = new OutputRows(layer);
        float[] w = layer.weight().data();
        int taps = c.kernelH() * c.kernelW();
        int units = planes * blocks;
        int rowsPerUnit = blockRows;
        runner.run(units, (long) taps * rowsPerUnit * g.outW(), (from, to) -> {
            float[] padded = new float[layout.scratchFloats];
            float[] acc = new float[layout.accFloats];
            int[] offsets = new int[taps];
            for (int u = from; u < to; u++) {
                int block = u % blocks;
                int plane = u / blocks;
                int o = plane % c.outChannels();
                int inPlane = ((plane / c.outChannels()) * c.inChannels() + o / c.channelMultiplier());
                int y0 = block * rowsPerUnit;
                int rows = Math.min(rowsPerUnit, g.outH() - y0);
                layout.fill(in, inPlane * g.inH() * g.inW(), y0, rows, padded);
                outputRows.begin(acc, 0, layout.accLength(rows), o);
                for (int r = 0; r < layout.virtualRows(rows); r++) {
                    layout.tapOffsets(r, offsets);
                    kernels.stencil(padded, offsets, taps, w, o * taps, acc, r * layout.pitch,
                            layout.runLength(rows));
                }
                int outBase = (plane * g.outH() + y0) * g.outW();
                for (int y = 0; y < rows; y++) {
                    outputRows.end(acc, y * layout.pitch, g.outW(), out, outBase + y * g.outW());
                }
            }
        });
    }

    /**
     * Where a block of output rows finds its inputs in the padded scratch plane. Padded coordinates start at the
     * first padding row/column; column phase p holds padded columns p, p + strideW, ... so that output x with tap
     * kx reads phase (kx*dilW) % strideW at column x + (kx*dilW) / strideW.
     */
    private static final class Layout {
        private final ConvGeometry g;
        private final Conv2d c;
        private final int step;
        /** Padded columns and rows (of a full block) the block reads; phase width and plane size. */
        private final int paddedW;
        private final int blockH;
        private final int phaseW;
        private final int phaseSize;
        /** Accumulator row pitch; with unit row stride the rows are one flat run with this pitch. */
        final int pitch;
        final int scratchFloats;
        final int accFloats;
        private final boolean flat;

        Layout(ConvGeometry g, int blockRows, int step) {
            this.g = g;
            this.c = g.spec();
            this.step = step;
            this.paddedW = (g.outW() - 1) * c.strideW() + (c.kernelW() - 1) * c.dilationW() + 1;
            this.blockH = (blockRows - 1) * c.strideH() + (c.kernelH() - 1) * c.dilationH() + 1;
            this.phaseW = (paddedW + c.strideW() - 1) / c.strideW();
            this.phaseSize = blockH * phaseW;
            this.flat = c.strideH() == 1;
            this.pitch = flat ? phaseW : GemmTiles.roundUp(g.outW(), step);
            int lastRun = flat ? 0 : (blockRows - 1) * c.strideH() * phaseW;
            int maxTap = (c.strideW() - 1) * phaseSize + (c.kernelH() - 1) * c.dilationH() * phaseW
                    + (c.kernelW() - 1) * c.dilationW() / c.strideW();
            this.scratchFloats = Math.max(c.strideW() * phaseSize, maxTap + lastRun + runLength(blockRows));
            this.accFloats = accLength(blockRows) + step;
        }

        int virtualRows(int rows) {
            return flat ? 1 : rows;
        }

        /** Outputs per stencil call: the flat run over all rows, or one row. */
        int runLength(int rows) {
            return GemmTiles.roundUp(flat ? (rows - 1) * phaseW + g.outW() : g.outW(), step);
        }

        int accLength(int rows) {
            return (virtualRows(rows) - 1) * pitch + runLength(rows);
        }

        /** The scratch offset each tap reads for output x = 0 of virtual row r. */
        void tapOffsets(int r, int[] offsets) {
            int rowBase = r * c.strideH() * phaseW;
            for (int ky = 0; ky < c.kernelH(); ky++) {
                for (int kx = 0; kx < c.kernelW(); kx++) {
                    int col = kx * c.dilationW();
                    offsets[ky * c.kernelW() + kx] = (col % c.strideW()) * phaseSize + rowBase
                            + ky * c.dilationH() * phaseW + col / c.strideW();
                }
            }
        }

        /** Copies the padded input rows of output rows [y0, y0 + rows) of the plane at inBase into the scratch. */
        void fill(float[] in, int inBase, int y0, int rows, float[] padded) {
            PaddingMode mode = c.paddingMode();
            int inW = g.inW();
            int sW = c.strideW();
            int height = (rows - 1) * c.strideH() + (c.kernelH() - 1) * c.dilationH() + 1;
            for (int p = 0; p < sW; p++) {
                for (int rr = 0; rr < height; rr++) {
                    int dst = p * phaseSize + rr * phaseW;
                    int sy = mode.sourceIndex(y0 * c.strideH() + rr - c.padTop(), g.inH());
                    if (sy < 0) {
                        Arrays.fill(padded, dst, dst + phaseW, 0f);
                        continue;
                    }
                    int src = inBase + sy * inW;
                    // interior phase columns j: padded column j*sW + p - padLeft inside [0, inW)
                    int shift = p - c.padLeft();
                    int jFrom = Math.min(phaseW, Math.max(0, Math.floorDiv(-shift + sW - 1, sW)));
                    int jTo = Math.max(jFrom, Math.min(phaseW, Math.floorDiv(inW - 1 - shift, sW) + 1));
                    for (int j = 0; j < jFrom; j++) {
                        padded[dst + j] = border(in, src, mode.sourceIndex(j * sW + shift, inW));
                    }
                    if (sW == 1) {
                        System.arraycopy(in, src + jFrom + shift, padded, dst + jFrom, jTo - jFrom);
                    } else {
                        for (int j = jFrom, s = src + jFrom * sW + shift; j < jTo; j++, s += sW) {
                            padded[dst + j] = in[s];
                        }
                    }
                    for (int j = jTo; j < phaseW; j++) {
                        // the last phase column may lie past the padded width: never read for a stored output
                        padded[dst + j] = j * sW + p < paddedW ? border(in, src, mode.sourceIndex(j * sW + shift, inW))
                                : 0f;
                    }
                }
            }
        }

        private static float border(float[] in, int rowBase, int sx) {
            return sx < 0 ? 0f : in[rowBase + sx];
        }
    }
}
