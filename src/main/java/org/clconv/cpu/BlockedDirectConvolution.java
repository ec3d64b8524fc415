package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/**
 * Every other convolution (grouped, strided, dilated, any kernel and padding): a direct convolution that
 * accumulates whole output rows for a block of four output channels at once, so each input run loaded feeds
 * four channels, and (with unit stride) adds four taps per pass, so the row is an implicit GEMM of packed 4x4
 * weight blocks. The loop over output x is contiguous; taps in zero padding are skipped (whole kernel rows via
 * the row taps, single columns via the column taps), which matters for dilated ASPP layers. Work units are
 * (batch, group, output row, channel block), the block innermost so neighbouring units reuse the same input
 * rows from cache.
 */
final class BlockedDirectConvolution implements ConvPath {
    private final ParallelRunner runner;
    private final PackedWeightCache weights;

    BlockedDirectConvolution(ParallelRunner runner, PackedWeightCache weights) {
        this.runner = runner;
        this.weights = weights;
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        float[] panels = weights.panelsFor(layer);
        AxisTaps rows = AxisTaps.rows(g);
        AxisTaps cols = AxisTaps.columns(g);
        OutputRows outputRows = new OutputRows(layer);
        int outH = g.outH();
        int outW = g.outW();
        int inPlane = g.inH() * g.inW();
        int outPlane = outH * outW;
        int kernelTaps = c.kernelH() * c.kernelW();
        int groups = c.groups();
        int cinG = c.inChannelsPerGroup();
        int coutG = c.outChannelsPerGroup();
        int blocks = WeightPanels.blocksPerGroup(c);
        int block = WeightPanels.BLOCK;
        long macsPerUnit = (long) block * WeightPanels.tapsPerOutput(c) * outW;
        runner.run(g.batch() * groups * outH * blocks, macsPerUnit, (from, to) -> {
            BlockRow row = new BlockRow(rows, cols, c, g.inW(), panels);
            for (int u = from; u < to; u++) {
                int blk = u % blocks;
                int rest = u / blocks;
                int y = rest % outH;
                rest /= outH;
                int grp = rest % groups;
                int b = rest / groups;
                int co0 = grp * coutG + blk * block;
                int valid = Math.min(block, coutG - blk * block);
                row.panel = WeightPanels.offset(c, grp, blk);
                outputRows.beginBlock(row.acc, outW, co0, valid);
                for (int ci = 0; ci < cinG; ci++) {
                    int channelBase = (b * c.inChannels() + grp * cinG + ci) * inPlane;
                    row.addChannel(in, channelBase, y, ci * kernelTaps);
                }
                row.finishRow(in);
                int outOff = (b * c.outChannels() + co0) * outPlane + y * outW;
                outputRows.endBlock(row.acc, outW, valid, out, outOff, outPlane);
            }
        });
    }

    /** Four output channels' rows; tap t's four weights are at panel + 4t in the packed panels. */
    private static final class BlockRow extends RowAccumulator {
        final float[][] acc;
        int panel;
        private final float[] panels;
        private final int[] weightOffsets = new int[RowKernels.TAPS_PER_PASS];

        BlockRow(AxisTaps rows, AxisTaps cols, Conv2d c, int inW, float[] panels) {
            super(rows, cols, c.kernelH(), c.kernelW(), inW);
            this.acc = new float[WeightPanels.BLOCK][cols.outSize()];
            this.panels = panels;
        }

        private int weightOffset(int tap) {
            return panel + tap * WeightPanels.BLOCK;
        }

        @Override
        void addTap(float[] in, int rowBase, int tap, AxisTaps cols, int k, int from, int to) {
            RowKernels.addTap4(acc, in, rowBase, panels, weightOffset(tap), cols, k, from, to);
        }

        @Override
        void addInteriorTap(float[] in, int inputOffset, int tap, int from, int to) {
            RowKernels.axpy4(acc, in, inputOffset, 1, panels, weightOffset(tap), from, to);
        }

        @Override
        void addFourTaps(float[] in, int from, int to) {
            for (int i = 0; i < weightOffsets.length; i++) {
                weightOffsets[i] = weightOffset(queuedWeight[i]);
            }
            RowKernels.gemm4x4(acc, in, queuedInput, panels, weightOffsets, from, to);
        }
    }
}
