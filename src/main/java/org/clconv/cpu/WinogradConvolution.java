package org.clconv.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;

/**
 * 3x3, stride-1 convolutions with zero padding as Winograd F(2x2, 3x3) (Lavin and Gray): each 2x2
 * block of outputs (a tile) is A^T [U . V] A with U = G g G^T the transformed filters ({@link WinogradWeights})
 * and V = B^T d B the transformed 4x4 input around it, so the channel sums become sixteen GEMMs (one per
 * transformed position) of 2.25x fewer multiply-adds than the direct convolution's. A unit is a run of tiles
 * (row-major, crossing tile rows) of one image and group: its inputs are transformed into V (per position:
 * channels x tiles), multiplied by U with {@link MicroKernels#gemmOnStarts} onto zeros, and transformed back into
 * its outputs. The input is first copied per channel into a zero-padded plane split into even and odd columns,
 * which makes the columns of consecutive tiles contiguous for the vector transforms.
 *
 * <p>A dilated layer is computed as the undilated convolution of its {@link PhaseMosaic}s: the copy gathers each
 * padded mosaic position's input, and the outputs go from a run's transformed rows to their places, the junk
 * between the mosaic's blocks dropped. It takes a dilated layer where that costs fewer GEMM columns than the
 * implicit GEMM, which skips the taps on padding instead (ASPP's dilation 6 on 33x33, 256 channels: 0.73 of the
 * columns, 0.83-0.85 of the time on 1 and 2 threads; dilation 12 there: 1.32 of the columns and of the time).
 *
 * <p>The transforms mix neighbouring values, so where a direct convolution would give an infinity this can give
 * a NaN (infinity minus infinity), and intermediate sums can overflow sooner: a layer whose outputs come out
 * non-finite is computed again by the direct path ({@link PaddedInputConvolution} where it suits the layer,
 * else {@link ImplicitGemmConvolution}), and weights must be finite.
 */
final class WinogradConvolution implements ConvPath {
    /** Fewest channels per group, in and out: below this the transforms cost more than the GEMMs save. */
    static final int MIN_CHANNELS = 16;
    /**
     * Narrowest output: rows of at least 8 tiles, a vector of them on AVX2 (28x28, 128 channels, 2 threads: 0.59
     * of the padded-input GEMM's time; 14x14, 7 tiles a row through the plain transforms: 1.05). The choice of
     * path must not depend on the kernels (it decides the floats), so 16-lane kernels take rows of 8-15 tiles
     * through their plain output transform. For a dilated layer this is the mosaic's width.
     */
    static final int MIN_WIDTH = 16;
    /**
     * Floats of a unit's V and M together (16 x channels x tiles each): they stay in L2 (res3x3, whole tile rows,
     * 64 channels, 2 threads: 56 tiles 1.63 ms, 112 tiles 1.91 ms, 28 tiles 1.67 ms; 128 channels of 28x28: 28
     * tiles 1.76 ms, 56 tiles 2.21 ms).
     */
    private static final int UNIT_FLOATS = 2 * 16 * 64 * 56;
    /**
     * Units are whole multiples of this many tiles, the vector kernels' widest register tile, so the GEMMs never
     * end in the one-vector tile, which is about half as fast (256 channels of 38x38, 1 thread, alternated in one
     * JVM: units of 16 tiles took 0.57 of the time of units of one 19-tile row, 16 + 8 GEMM columns; 64 and 128
     * channels unchanged).
     */
    private static final int UNIT_STEP = 16;
    /**
     * Most GEMM columns of a dilated layer's mosaic (16 per tile) per tap column of the {@link
     * ImplicitGemmConvolution} (which skips the taps on padding), both rounded to vectors of {@link #COST_STEP}:
     * the time follows the columns, with the gathering copy and the scattered outputs on top (the ratios in the
     * class comment).
     */
    static final double MAX_DILATED_WORK_RATIO = 0.85;
    /** The cost model's vector width, whichever kernels run: the path decides the floats. */
    private static final int COST_STEP = 16;
    private static final int ROWS = MicroKernels.ROWS;
    private static final int POSITIONS = WinogradWeights.POSITIONS;

    private final ParallelRunner runner;
    private final PackedWeightCache weights;
    private final MicroKernels kernels;
    private final PaddedInputConvolution paddedInput;
    private final ConvPath general;

    WinogradConvolution(ParallelRunner runner, PackedWeightCache weights, MicroKernels kernels,
            PaddedInputConvolution paddedInput, ConvPath general) {
        this.runner = runner;
        this.weights = weights;
        this.kernels = kernels;
        this.paddedInput = paddedInput;
        this.general = general;
    }

    /**
     * Whether this path computes the layer on this geometry: 3x3, stride 1, zero padding, enough channels, finite
     * weights and wide enough (mosaic) output rows; without dilation, padding of at most 2; with dilation, where
     * its GEMM columns are fewer than the implicit GEMM's (see {@link #MAX_DILATED_WORK_RATIO}).
     */
    boolean suits(ConvLayer layer, ConvGeometry g) {
        Conv2d c = layer.spec();
        boolean form = c.kernelH() == 3 && c.kernelW() == 3 && c.strideH() == 1 && c.strideW() == 1
                && c.paddingMode() == PaddingMode.ZEROS;
        boolean dilated = c.dilationH() > 1 || c.dilationW() > 1;
        if (!form || !dilated
                && Math.max(Math.max(c.padTop(), c.padBottom()), Math.max(c.padLeft(), c.padRight())) > 2) {
            return false;
        }
        Plan p = new Plan(g);
        // the split copy of an image is one array
        boolean fits = (long) c.inChannels() * (p.height + 3) * (p.width + 3) < Integer.MAX_VALUE - 64;
        boolean shape = fits && c.inChannelsPerGroup() >= MIN_CHANNELS && c.outChannelsPerGroup() >= MIN_CHANNELS
                && p.width >= MIN_WIDTH && p.height >= 2;
        if (!shape || dilated && POSITIONS * (long) p.tileRows * p.tilesPerRow
                > MAX_DILATED_WORK_RATIO * ImplicitGemmConvolution.tapColumns(g, COST_STEP, 3 * COST_STEP)) {
            return false;
        }
        return weights.allFinite(layer);
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Plan p = new Plan(g);
        int channels = g.spec().inChannels();
        // one image at a time: the split copy stays an image's size whatever the batch; a short run's vector
        // transform reads on past the last plane, into zeros
        int planes = channels * p.plane;
        float[] phases = runner.borrow(planes + p.phase + kernels.columnStep());
        boolean finite = true;
        try {
            Arrays.fill(phases, planes, planes + p.phase + kernels.columnStep(), 0f);
            for (int n = 0; n < g.batch() && finite; n++) {
                int image = n * channels;
                runner.run(channels, p.plane, (from, to) -> {
                    for (int ch = from; ch < to; ch++) {
                        split(in, (image + ch) * g.inH() * g.inW(), g, p, phases, ch * p.plane);
                    }
                });
                finite = multiply(layer, g, p, phases, out, n);
            }
        } finally {
            runner.giveBack(phases);
        }
        if (!finite) {
            (paddedInput.suits(layer, g) ? paddedInput : general).run(layer, g, in, out);
        }
    }

    /** The mosaics, tiles and the split padded planes' layout. */
    private static final class Plan {
        final PhaseMosaic rows;
        final PhaseMosaic columns;
        /** The mosaic's output size: the layer's own without dilation. */
        final int height;
        final int width;
        final boolean direct;
        final int tileRows;
        final int tilesPerRow;
        /** Tiles per unit, row-major: whole register tiles of the GEMM, so that none ends in a narrow step. */
        final int unitTiles;
        /** Floats per split row half (even or odd columns), a split row, and a split plane. */
        final int phase;
        final int rowPitch;
        final int plane;
        /**
         * Columns dilated: the input column of each column of a split row (even ones, then odd), -1 for padding;
         * null where the split copies contiguous input runs.
         */
        final int[] splitSource;

        Plan(ConvGeometry g) {
            Conv2d c = g.spec();
            this.rows = PhaseMosaic.of(g.outH(), g.inH(), c.dilationH(), c.padTop());
            this.columns = PhaseMosaic.of(g.outW(), g.inW(), c.dilationW(), c.padLeft());
            this.height = rows.size();
            this.width = columns.size();
            this.direct = c.dilationH() == 1 && c.dilationW() == 1;
            this.tileRows = (height + 1) / 2;
            this.tilesPerRow = (width + 1) / 2;
            int channels = c.inChannelsPerGroup() + WeightPanels.panelsPerGroup(c) * ROWS;
            int fit = GemmTiles.roundUp(UNIT_FLOATS / (POSITIONS * channels), UNIT_STEP);
            this.unitTiles = Math.min(tileRows * tilesPerRow, Math.max(UNIT_STEP, fit));
            // tile t reads even and odd columns t and t + 1
            this.phase = tilesPerRow + 1;
            this.rowPitch = 2 * phase;
            // tile row ty reads padded rows 2ty .. 2ty + 3
            this.plane = (2 * tileRows + 2) * rowPitch;
            this.splitSource = c.dilationW() == 1 ? null : new int[rowPitch];
            for (int j = 0; splitSource != null && j < rowPitch; j++) {
                splitSource[j] = columns.source(2 * (j % phase) + j / phase);
            }
        }
    }

    /**
     * One input plane into its split padded plane at dst[d ...]: padded mosaic row r, even column j at
     * d + r * rowPitch + j, odd column j at + phase, zero where the padded position is padding.
     */
    private void split(float[] in, int src, ConvGeometry g, Plan p, float[] dst, int d) {
        int inW = g.inW();
        int left = g.spec().padLeft();
        for (int r = 0; r < 2 * p.tileRows + 2; r++) {
            int sy = p.rows.source(r);
            int row = d + r * p.rowPitch;
            if (sy < 0) {
                Arrays.fill(dst, row, row + p.rowPitch, 0f);
            } else if (p.splitSource != null) {
                int[] source = p.splitSource;
                int at = src + sy * inW;
                for (int j = 0; j < source.length; j++) {
                    dst[row + j] = source[j] < 0 ? 0f : in[at + source[j]];
                }
            } else {
                for (int parity = 0; parity < 2; parity++, row += p.phase) {
                    // columns j whose input column 2j + parity - left lies in [0, inW)
                    int from = Math.min(p.phase, Math.max(0, (left - parity + 1) / 2));
                    int to = Math.max(from, Math.min(p.phase, (inW - 1 + left - parity) / 2 + 1));
                    Arrays.fill(dst, row, row + from, 0f);
                    if (to > from) {
                        kernels.copyEveryOther(in, src + sy * inW + 2 * from + parity - left, dst, row + from,
                                to - from);
                    }
                    Arrays.fill(dst, row + to, row + p.phase, 0f);
                }
            }
        }
    }

    /** Image n's units (group, run of tiles): transform in, sixteen GEMMs, transform out. */
    private boolean multiply(ConvLayer layer, ConvGeometry g, Plan p, float[] phases, float[] out, int n) {
        Conv2d c = g.spec();
        float[] u = weights.winogradFor(layer);
        OutputRows outputRows = new OutputRows(layer);
        int cinG = c.inChannelsPerGroup();
        int coutG = c.outChannelsPerGroup();
        int panels = WeightPanels.panelsPerGroup(c);
        int step = kernels.columnStep();
        int allTiles = p.tileRows * p.tilesPerRow;
        int chunks = (allTiles + p.unitTiles - 1) / p.unitTiles;
        int pitch = GemmTiles.roundUp(p.unitTiles, step);
        // room after each row of V for a short run's whole vector
        int vPitch = pitch + step;
        int units = c.groups() * chunks;
        long macsPerUnit = (long) POSITIONS * cinG * panels * ROWS * pitch;
        int outPlane = g.outH() * g.outW();
        AtomicBoolean finite = new AtomicBoolean(true);
        int zeros = ROWS * kernels.tileColumns();
        // M: room for the mosaic's output transform of a whole vector of tiles from the last run
        int[] scratchFloats = {POSITIONS * cinG * vPitch, POSITIONS * panels * ROWS * pitch + step, zeros,
            p.direct ? 1 : 2 * Math.max(p.width, 2 * step)};
        runner.run(units, macsPerUnit, scratchFloats, (from, to, scratch) -> {
            float[] v = scratch[0];
            float[] m = scratch[1];
            // the GEMMs store their sums onto zeros: M needs no clearing pass
            float[] zeroTile = scratch[2];
            Arrays.fill(zeroTile, 0, zeros, 0f);
            // a run's outputs on the mosaic, before they go to their places in the output
            float[] mosaic = scratch[3];
            for (int unit = from; unit < to && finite.get(); unit++) {
                int grp = unit / chunks;
                int first = unit % chunks * p.unitTiles;
                int tiles = Math.min(allTiles, first + p.unitTiles) - first;
                int columns = GemmTiles.roundUp(tiles, step);
                // V[xi][ci][t] at v[(xi * cinG + ci) * vPitch + t]; the columns from `tiles` to `columns` are read
                // by the GEMM's whole vectors and their sums dropped
                for (int ci = 0; ci < cinG; ci++) {
                    int plane = (grp * cinG + ci) * p.plane;
                    for (int t = first; t < first + tiles; ) {
                        int ty = t / p.tilesPerRow;
                        int tx = t % p.tilesPerRow;
                        int run = Math.min(p.tilesPerRow - tx, first + tiles - t);
                        kernels.winogradInput(phases, plane + 2 * ty * p.rowPitch + tx, p.phase, p.rowPitch, v,
                                ci * vPitch + t - first, cinG * vPitch, run);
                        t += run;
                    }
                }
                // M[xi][co][t] at m[(xi * panels * ROWS + co) * pitch + t]
                for (int xi = 0; xi < POSITIONS; xi++) {
                    for (int panel = 0; panel < panels; panel++) {
                        kernels.gemmOnStarts(zeroTile, u, WinogradWeights.offset(c, xi, grp, panel), cinG, v,
                                xi * cinG * vPitch, vPitch, m, (xi * panels + panel) * ROWS * pitch, pitch, columns);
                    }
                }
                boolean ok = true;
                for (int o = 0; o < coutG; o++) {
                    int co = grp * coutG + o;
                    int outBase = (n * c.outChannels() + co) * outPlane;
                    for (int t = first; t < first + tiles; ) {
                        int ty = t / p.tilesPerRow;
                        int tx = t % p.tilesPerRow;
                        int run = Math.min(p.tilesPerRow - tx, first + tiles - t);
                        int rows = Math.min(2, p.height - 2 * ty);
                        int width = Math.min(p.width - 2 * tx, 2 * run);
                        int mOff = o * pitch + t - first;
                        float start = outputRows.start(co);
                        if (p.direct) {
                            int at = outBase + 2 * ty * g.outW() + 2 * tx;
                            ok &= kernels.winogradOutput(m, mOff, panels * ROWS * pitch, start, out, at, width,
                                    g.outW(), rows);
                            for (int r = 0; r < rows; r++) {
                                outputRows.activate(out, at + r * g.outW(), width);
                            }
                        } else {
                            // at least a vector of tiles, the ones after the run being others' or junk: no run
                            // takes the plain transform; only the outputs kept are checked
                            int wide = Math.max(width, 2 * step);
                            kernels.winogradOutput(m, mOff, panels * ROWS * pitch, start, mosaic, 0, wide, wide, rows);
                            ok &= scatter(mosaic, wide, 2 * ty, 2 * tx, rows, width, p, outputRows, out, outBase,
                                    g.outW());
                        }
                        t += run;
                    }
                }
                if (!ok) {
                    finite.set(false);
                }
            }
        });
        return finite.get();
    }

    /**
     * The outputs of mosaic rows y0 .. y0 + rows - 1, columns x0 .. x0 + width - 1 (row i of them at
     * mosaic[i * pitch ...]) through the activation to their places in the output plane at outBase, junk dropped.
     * Returns whether every output it placed is finite.
     */
    private static boolean scatter(float[] mosaic, int pitch, int y0, int x0, int rows, int width, Plan p,
            OutputRows outputRows, float[] out, int outBase, int outW) {
        PhaseMosaic columns = p.columns;
        float check = 0f;
        for (int i = 0; i < rows; i++) {
            int y = p.rows.target(y0 + i);
            if (y < 0) {
                continue;
            }
            int row = i * pitch;
            for (int x = 0; x < width; x++) {
                if (columns.target(x0 + x) >= 0) {
                    // y - y is 0, or NaN where the sum y is infinite or NaN (checked before the activation)
                    check += mosaic[row + x] - mosaic[row + x];
                }
            }
            outputRows.activate(mosaic, row, width);
            int at = outBase + y * outW;
            for (int x = 0; x < width; x++) {
                int ox = columns.target(x0 + x);
                if (ox >= 0) {
                    out[at + ox] = mosaic[row + x];
                }
            }
        }
        return check == 0f;
    }
}
