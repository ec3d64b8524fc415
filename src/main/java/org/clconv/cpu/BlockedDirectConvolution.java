package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/**
 * Every other convolution (grouped, strided, dilated, any kernel and padding): a direct convolution that
 * accumulates whole output rows for a block of four output channels at once, so each input run loaded for a
 * tap feeds four channels. The loop over output x is contiguous; taps in zero padding are skipped (whole kernel
 * rows via the row taps, single columns via the column taps), which matters for dilated ASPP layers.
 * Work units are (batch, group, output row, channel block), the block innermost so neighbouring units reuse the
 * same input rows from cache.
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
        int inW = g.inW();
        int inPlane = g.inH() * inW;
        int outPlane = outH * outW;
        int kh = c.kernelH();
        int kw = c.kernelW();
        int groups = c.groups();
        int cinG = c.inChannelsPerGroup();
        int coutG = c.outChannelsPerGroup();
        int blocks = WeightPanels.blocksPerGroup(c);
        int block = WeightPanels.BLOCK;
        long macsPerUnit = (long) block * WeightPanels.tapsPerOutput(c) * outW;
        runner.run(g.batch() * groups * outH * blocks, macsPerUnit, (from, to) -> {
            float[][] acc = new float[block][outW];
            for (int u = from; u < to; u++) {
                int blk = u % blocks;
                int rest = u / blocks;
                int y = rest % outH;
                rest /= outH;
                int grp = rest % groups;
                int b = rest / groups;
                int co0 = grp * coutG + blk * block;
                int valid = Math.min(block, coutG - blk * block);
                int panel = WeightPanels.offset(c, grp, blk);
                outputRows.beginBlock(acc, outW, co0, valid);
                for (int ci = 0; ci < cinG; ci++) {
                    int channelBase = (b * c.inChannels() + grp * cinG + ci) * inPlane;
                    for (int ky = 0; ky < kh; ky++) {
                        int sy = rows.source(ky, y);
                        if (sy < 0) {
                            continue;
                        }
                        int rowBase = channelBase + sy * inW;
                        int tap = (ci * kh + ky) * kw;
                        for (int kx = 0; kx < kw; kx++) {
                            RowKernels.addTap4(acc, in, rowBase, panels, panel + (tap + kx) * block, cols, kx);
                        }
                    }
                }
                int outOff = (b * c.outChannels() + co0) * outPlane + y * outW;
                outputRows.endBlock(acc, outW, valid, out, outOff, outPlane);
            }
        });
    }
}
