package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/**
 * 1x1, stride 1, unpadded: per (batch, group) the matrix product out[co][p] = sum_ci W[co][ci] * in[ci][p]
 * over the flattened spatial index p, which is contiguous in NCHW. Blocked like a GEMM: a tile of
 * {@link #TILE} spatial positions (kept in L1/L2 while all channel blocks pass over it) times packed 4x4
 * weight blocks, four input and four output channels per pass through the {@link RowKernels#gemm4x4}
 * micro-kernel.
 */
final class PointwiseGemm implements ConvPath {
    /** Spatial positions per tile: 4 accumulator rows plus the tile's input rows stay cache-resident. */
    static final int TILE = 256;

    private final ParallelRunner runner;
    private final PackedWeightCache weights;

    PointwiseGemm(ParallelRunner runner, PackedWeightCache weights) {
        this.runner = runner;
        this.weights = weights;
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        float[] panels = weights.panelsFor(layer);
        OutputRows outputRows = new OutputRows(layer);
        int plane = g.inH() * g.inW();
        int tile = Math.min(plane, TILE);
        int tiles = (plane + tile - 1) / tile;
        int groups = c.groups();
        int cinG = c.inChannelsPerGroup();
        int coutG = c.outChannelsPerGroup();
        int blocks = WeightPanels.blocksPerGroup(c);
        int block = WeightPanels.BLOCK;
        runner.run(g.batch() * groups * tiles * blocks, (long) block * cinG * tile, (from, to) -> {
            float[][] acc = new float[block][tile];
            int[] inputOffsets = new int[block];
            int[] weightOffsets = new int[block];
            for (int u = from; u < to; u++) {
                int blk = u % blocks;
                int rest = u / blocks;
                int p0 = (rest % tiles) * tile;
                rest /= tiles;
                int grp = rest % groups;
                int b = rest / groups;
                int len = Math.min(tile, plane - p0);
                int co0 = grp * coutG + blk * block;
                int valid = Math.min(block, coutG - blk * block);
                int panel = WeightPanels.offset(c, grp, blk);
                int inOff = (b * c.inChannels() + grp * cinG) * plane + p0;
                outputRows.beginBlock(acc, len, co0, valid);
                int ci = 0;
                for (; ci + block <= cinG; ci += block) {
                    for (int i = 0; i < block; i++) {
                        inputOffsets[i] = inOff + (ci + i) * plane;
                        weightOffsets[i] = panel + (ci + i) * block;
                    }
                    RowKernels.gemm4x4(acc, in, inputOffsets, panels, weightOffsets, 0, len);
                }
                for (; ci < cinG; ci++) {
                    RowKernels.axpy4(acc, in, inOff + ci * plane, 1, panels, panel + ci * block, 0, len);
                }
                outputRows.endBlock(acc, len, valid, out, (b * c.outChannels() + co0) * plane + p0, plane);
            }
        });
    }
}
