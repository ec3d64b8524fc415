package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvLayer;

/**
 * Weights repacked as the A operand of {@link MicroKernels#gemm}: per group, per panel of
 * {@link MicroKernels#ROWS} output channels, the K = kh*kw*(in/groups) weights of each channel in tap-major
 * order (k = tap * (in/groups) + ci, tap = ky*kw + kx) with the panel's four weights of each k side by side.
 * Tap-major order makes the weights of one kernel tap a contiguous run, so a region of the output where some
 * taps read only padding skips exactly those runs. A group whose output count is not a multiple of 4 gets zero
 * weights in its last panel; those rows are computed but never stored.
 */
final class WeightPanels {
    static final int ROWS = MicroKernels.ROWS;

    private WeightPanels() {
    }

    static float[] pack(ConvLayer layer) {
        Conv2d c = layer.spec();
        float[] w = layer.weight().data();
        int cinG = c.inChannelsPerGroup();
        int taps = c.kernelH() * c.kernelW();
        int depth = depth(c);
        int panels = panelsPerGroup(c);
        int coutG = c.outChannelsPerGroup();
        float[] packed = new float[c.groups() * panels * depth * ROWS];
        for (int g = 0; g < c.groups(); g++) {
            for (int p = 0; p < panels; p++) {
                int base = offset(c, g, p);
                for (int j = 0; j < ROWS && p * ROWS + j < coutG; j++) {
                    int co = g * coutG + p * ROWS + j;
                    for (int ci = 0; ci < cinG; ci++) {
                        for (int t = 0; t < taps; t++) {
                            packed[base + (t * cinG + ci) * ROWS + j] = w[(co * cinG + ci) * taps + t];
                        }
                    }
                }
            }
        }
        return packed;
    }

    /** Channel panels per group (the last one may be partly zero). */
    static int panelsPerGroup(Conv2d c) {
        return (c.outChannelsPerGroup() + ROWS - 1) / ROWS;
    }

    /** K: the weights of one output channel, (in/groups) * kh * kw. */
    static int depth(Conv2d c) {
        return c.inChannelsPerGroup() * c.kernelH() * c.kernelW();
    }

    /** Index of panel {@code p} of group {@code g} in the packed array; k's weights start at + k*ROWS. */
    static int offset(Conv2d c, int g, int p) {
        return (g * panelsPerGroup(c) + p) * depth(c) * ROWS;
    }
}
