package org.clconv.cpu;

import java.util.Arrays;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;

/**
 * Stride-1 convolutions as GEMMs read straight from a padded copy of the input, with nothing packed per tile.
 * On the padded plane ({@code hp x wp}, padding mode applied once per element when the copy is made) output
 * (y, x) reads tap (ky, kx) at flat position (y + ky*dh)*wp + x + kx*dw. Numbering the outputs on the padded
 * grid, q = y*wp + x, makes one tap's B operand the padded planes themselves from offset ky*dh*wp + kx*dw, one
 * input channel per B row (row pitch: a plane): a tile of q is one {@link MicroKernels#gemm} per tap. The
 * {@link ImplicitGemmConvolution} instead gathers (taps x channels) short runs per output row into each tile,
 * about a quarter of a 3x3 layer's time, and its B tile holds every tap's copy of the same inputs.
 *
 * <p>The price: the dw*(kw-1) grid columns past each row's last output are computed and dropped, and taps on
 * zero padding are multiplied by zeros instead of skipped. {@link #suits} takes a layer only where that costs
 * less than the implicit GEMM's packing and its small tiles at the borders, and only with finite weights under
 * zero padding: a skipped tap and an infinite weight times a padding zero (NaN) differ.
 */
final class PaddedInputConvolution implements ConvPath {
    private static final int ROWS = MicroKernels.ROWS;
    /**
     * Fewest input channels per group: each tap's GEMM over that many channels reloads and stores the
     * accumulator tile once, which the channels must outweigh (at 32, about 5% more loads than one GEMM over
     * every tap).
     */
    static final int MIN_CHANNELS = 32;
    /**
     * Most grid columns times taps per tap column of the {@link ImplicitGemmConvolution} (both rounded to whole
     * vectors of {@link #COST_STEP}), which also packs its B operand (about a quarter of its time on a 3x3 layer).
     * A/B medians on 2 threads, implicit -> this path: 64 channels of 56x56, 3x3 (ratio 1.02): 0.92-1.16 ->
     * 0.83-0.98 ms; 512 of 7x7 (0.62): 2.4-2.6 -> 1.0 ms; 256 of 33x33, 3x3 dilated 6 (1.64): 3.8-4.1 -> 5.4-5.8
     * ms.
     */
    static final double MAX_WORK_RATIO = 1.15;
    /**
     * The vector width the cost model rounds columns to, whichever kernels run: the path decides the order of
     * each output's sums, and the scalar and vector kernels must give the same floats (rounding to their own
     * step, 1 and 16, they chose differently for a 40-channel 19x23 layer).
     */
    private static final int COST_STEP = 16;
    /** ... and the register tile it cuts column tiles to (three such vectors), for the same reason. */
    private static final int COST_TILE = 3 * COST_STEP;
    /** B floats one tile's GEMMs read (its channels times its columns plus the taps' reach): an L2 share. */
    private static final int B_FLOATS = 64 * 1024;

    private final ParallelRunner runner;
    private final PackedWeightCache weights;
    private final MicroKernels kernels;

    PaddedInputConvolution(ParallelRunner runner, PackedWeightCache weights, MicroKernels kernels) {
        this.runner = runner;
        this.weights = weights;
        this.kernels = kernels;
    }

    /** Whether this path computes the layer on this geometry with little extra work (see the class comment). */
    boolean suits(ConvLayer layer, ConvGeometry g) {
        Conv2d c = g.spec();
        if (c.strideH() != 1 || c.strideW() != 1 || c.inChannelsPerGroup() < MIN_CHANNELS) {
            return false;
        }
        PaddedPlane p = new PaddedPlane(g);
        // the copy of an image's planes is one array (the plane alone may pass the int range too)
        if ((long) p.hp * p.wp * c.inChannels() + kernels.columnStep() > Integer.MAX_VALUE - 16) {
            return false;
        }
        if (c.paddingMode() == PaddingMode.ZEROS && !weights.allFinite(layer)) {
            return false;
        }
        long grid = (long) GemmTiles.roundUp(p.columns(g), COST_STEP) * p.tapOffset.length;
        return grid <= MAX_WORK_RATIO * ImplicitGemmConvolution.tapColumns(g, COST_STEP, COST_TILE);
    }

    /** The padded plane's size and the flat offset of every tap on it. */
    private static final class PaddedPlane {
        final int hp;
        final int wp;
        final int[] tapOffset;

        PaddedPlane(ConvGeometry g) {
            Conv2d c = g.spec();
            this.hp = g.outH() + c.dilationH() * (c.kernelH() - 1);
            this.wp = g.outW() + c.dilationW() * (c.kernelW() - 1);
            this.tapOffset = new int[c.kernelH() * c.kernelW()];
            for (int ky = 0; ky < c.kernelH(); ky++) {
                for (int kx = 0; kx < c.kernelW(); kx++) {
                    tapOffset[ky * c.kernelW() + kx] = ky * c.dilationH() * wp + kx * c.dilationW();
                }
            }
        }

        int size() {
            return hp * wp;
        }

        /** Grid positions from the first output to the last: whole rows of wp but the last. */
        int columns(ConvGeometry g) {
            return (g.outH() - 1) * wp + g.outW();
        }
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        PaddedPlane p = new PaddedPlane(g);
        int step = kernels.columnStep();
        int plane = p.size();
        // one image at a time: the copy stays an image's size whatever the batch; a vector of slack at the end for
        // the last tile's whole-vector reads
        float[] padded = runner.borrow(c.inChannels() * plane + step);
        float[] panels = weights.panelsFor(layer);
        OutputRows outputRows = new OutputRows(layer);
        try {
            for (int n = 0; n < g.batch(); n++) {
                int image = n * c.inChannels() * g.inH() * g.inW();
                runner.run(c.inChannels(), plane, (from, to) -> {
                    for (int ch = from; ch < to; ch++) {
                        pad(in, image + ch * g.inH() * g.inW(), g, p, padded, ch * plane);
                    }
                });
                multiply(g, p, panels, outputRows, padded, out, n);
            }
        } finally {
            runner.giveBack(padded);
        }
    }

    /** One input plane into its padded plane at dst[d ...]: padding rows and columns through the padding mode. */
    private static void pad(float[] in, int src, ConvGeometry g, PaddedPlane p, float[] dst, int d) {
        Conv2d c = g.spec();
        PaddingMode mode = c.paddingMode();
        int inW = g.inW();
        int left = c.padLeft();
        for (int y = 0; y < p.hp; y++) {
            int row = d + y * p.wp;
            int sy = mode.sourceIndex(y - c.padTop(), g.inH());
            if (sy < 0) {
                Arrays.fill(dst, row, row + p.wp, 0f);
                continue;
            }
            int s = src + sy * inW;
            for (int x = 0; x < p.wp; x++) {
                if (x == left) {
                    System.arraycopy(in, s, dst, row + left, inW);
                    x += inW - 1;
                    continue;
                }
                int sx = mode.sourceIndex(x - left, inW);
                dst[row + x] = sx < 0 ? 0f : in[s + sx];
            }
        }
    }

    /** Image n's outputs from its padded copy: units are (group, column tile, run of weight panels). */
    private void multiply(ConvGeometry g, PaddedPlane p, float[] panels, OutputRows outputRows, float[] padded,
            float[] out, int n) {
        Conv2d c = g.spec();
        int step = kernels.columnStep();
        int cinG = c.inChannelsPerGroup();
        int taps = p.tapOffset.length;
        int plane = p.size();
        int columns = p.columns(g);
        int reach = p.tapOffset[taps - 1];
        int widest = Math.max(3 * step, (B_FLOATS / cinG - reach) / (3 * step) * (3 * step));
        int tiles = (columns + widest - 1) / widest;
        int tile = GemmTiles.roundUp((columns + tiles - 1) / tiles, step);
        int groups = c.groups();
        int groupPanels = WeightPanels.panelsPerGroup(c);
        int baseUnits = groups * tiles;
        int perUnit = runner.partsPerPiece(groupPanels, baseUnits);
        int chunks = (groupPanels + perUnit - 1) / perUnit;
        long macsPerUnit = (long) perUnit * ROWS * WeightPanels.depth(c) * tile;
        int outPlane = g.outH() * g.outW();
        int block = kernels.tileColumns();
        runner.run(baseUnits * chunks, macsPerUnit, new int[] {ROWS * tile, ROWS * block}, (from, to, scratch) -> {
            float[] acc = scratch[0];
            float[] starts = scratch[1];
            for (int u = from; u < to; u++) {
                int chunk = u % chunks;
                int t = (u / chunks) % tiles;
                int grp = u / chunks / tiles;
                int q0 = t * tile;
                int length = Math.min(tile, columns - q0);
                int pitch = GemmTiles.roundUp(length, step);
                int bBase = grp * cinG * plane + q0;
                int lastPanel = Math.min(groupPanels, (chunk + 1) * perUnit);
                for (int panel = chunk * perUnit; panel < lastPanel; panel++) {
                    int co0 = grp * c.outChannelsPerGroup() + panel * ROWS;
                    int valid = Math.min(ROWS, c.outChannelsPerGroup() - panel * ROWS);
                    int a = WeightPanels.offset(c, grp, panel);
                    // the first tap stores its sums onto the channels' starts, the others add theirs (as the
                    // implicit GEMM's runs of taps do)
                    outputRows.startTile(starts, block, co0, valid);
                    for (int q = 0; q < pitch; q += block) {
                        int width = Math.min(block, pitch - q);
                        kernels.gemmOnStarts(starts, panels, a, cinG, padded, bBase + p.tapOffset[0] + q, plane, acc,
                                q, pitch, width);
                        for (int tap = 1; tap < taps; tap++) {
                            kernels.gemm(panels, a + tap * cinG * ROWS, cinG, padded, bBase + p.tapOffset[tap] + q,
                                    plane, acc, q, pitch, width);
                        }
                    }
                    int outBase = (n * c.outChannels() + co0) * outPlane;
                    // the grid rows this tile touches, without their columns past the output width
                    for (int y = q0 / p.wp; y < g.outH() && y * p.wp < q0 + length; y++) {
                        int first = Math.max(q0, y * p.wp);
                        int end = Math.min(q0 + length, y * p.wp + g.outW());
                        for (int j = 0; j < valid && first < end; j++) {
                            outputRows.end(acc, j * pitch + first - q0, end - first, out,
                                    outBase + j * outPlane + y * g.outW() + first - y * p.wp);
                        }
                    }
                }
            }
        });
    }
}
