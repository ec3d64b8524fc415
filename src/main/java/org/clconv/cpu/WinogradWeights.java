package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvLayer;

/**
 * The filters of a 3x3 layer transformed for Winograd F(4x4, 3x3), U = G g G^T (6x6 per output and input
 * channel), as the A operands of 36 GEMMs, one per transformed position xi = 6a + b: per xi, per group, per
 * panel of {@link MicroKernels#ROWS} output channels, each input channel's ROWS values side by side (the layout
 * of {@link WeightPanels} with one tap). Computed in double and rounded once.
 */
final class WinogradWeights {
    /** G: the filter transform (rows a, columns i) for the interpolation points 0, 1, -1, 2, -2 and infinity. */
    private static final double[][] G = {{1 / 4.0, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0},
        {-1 / 6.0, 1 / 6.0, -1 / 6.0}, {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};
    /** Transformed positions per tile: 6 x 6. */
    static final int SIZE = 6;
    static final int POSITIONS = SIZE * SIZE;
    private static final int ROWS = MicroKernels.ROWS;

    private WinogradWeights() {
    }

    static float[] pack(ConvLayer layer) {
        Conv2d c = layer.spec();
        float[] w = layer.weight().data();
        int cinG = c.inChannelsPerGroup();
        int coutG = c.outChannelsPerGroup();
        int panels = WeightPanels.panelsPerGroup(c);
        float[] packed = new float[POSITIONS * c.groups() * panels * cinG * ROWS];
        for (int g = 0; g < c.groups(); g++) {
            for (int o = 0; o < coutG; o++) {
                int co = g * coutG + o;
                for (int ci = 0; ci < cinG; ci++) {
                    int src = (co * cinG + ci) * 9;
                    for (int a = 0; a < SIZE; a++) {
                        for (int b = 0; b < SIZE; b++) {
                            double u = 0;
                            for (int i = 0; i < 3; i++) {
                                for (int j = 0; j < 3; j++) {
                                    u += G[a][i] * w[src + 3 * i + j] * G[b][j];
                                }
                            }
                            packed[offset(c, SIZE * a + b, g, o / ROWS) + ci * ROWS + o % ROWS] = (float) u;
                        }
                    }
                }
            }
        }
        return packed;
    }

    /** Where panel p of group g at position xi starts; input channel ci's weights at + ci * ROWS. */
    static int offset(Conv2d c, int xi, int g, int p) {
        int panels = WeightPanels.panelsPerGroup(c);
        return ((xi * c.groups() + g) * panels + p) * c.inChannelsPerGroup() * ROWS;
    }
}
