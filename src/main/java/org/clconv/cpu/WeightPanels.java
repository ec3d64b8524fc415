package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvLayer;

/**
 * Weights repacked for the four-channel kernels: per group, per block of {@link #BLOCK} output channels, the K =
 * (in/groups)*kh*kw taps in PyTorch's (ci, ky, kx) order with the block's four weights of each tap side by side.
 * A kernel then reads its 4 (or 4x4) weights from consecutive floats. A group whose output count is not a
 * multiple of 4 gets zero weights in its last block; the kernels compute those rows but never store them.
 */
final class WeightPanels {
    static final int BLOCK = 4;

    private WeightPanels() {
    }

    static float[] pack(ConvLayer layer) {
        Conv2d c = layer.spec();
        float[] w = layer.weight().data();
        int taps = tapsPerOutput(c);
        int blocks = blocksPerGroup(c);
        int coutG = c.outChannelsPerGroup();
        float[] panels = new float[c.groups() * blocks * taps * BLOCK];
        for (int g = 0; g < c.groups(); g++) {
            for (int blk = 0; blk < blocks; blk++) {
                int base = offset(c, g, blk);
                for (int j = 0; j < BLOCK && blk * BLOCK + j < coutG; j++) {
                    int co = g * coutG + blk * BLOCK + j;
                    for (int k = 0; k < taps; k++) {
                        panels[base + k * BLOCK + j] = w[co * taps + k];
                    }
                }
            }
        }
        return panels;
    }

    /** Output-channel blocks per group (the last one may be partly zero). */
    static int blocksPerGroup(Conv2d c) {
        return (c.outChannelsPerGroup() + BLOCK - 1) / BLOCK;
    }

    /** K: the weights of one output channel, (in/groups) * kh * kw. */
    static int tapsPerOutput(Conv2d c) {
        return c.inChannelsPerGroup() * c.kernelH() * c.kernelW();
    }

    /** Index of block {@code blk} of group {@code g} in the packed array; tap k's weights start at + k*BLOCK. */
    static int offset(Conv2d c, int g, int blk) {
        return (g * blocksPerGroup(c) + blk) * tapsPerOutput(c) * BLOCK;
    }
}
