package org.clconv.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;

/**
 * 3x3, stride-1 convolutions with zero padding as Winograd F(4x4, 3x3) (Lavin and Gray; interpolation points 0,
 * 1, -1, 2, -2): each 4x4 block of outputs (a tile) is A^T [U . V] A with U = G g G^T the transformed filters
 * ({@link WinogradWeights}) and V = B^T d B the transformed 6x6 input around it, so the channel sums become 36
 * GEMMs (one per transformed position) of 4x fewer multiply-adds than the direct convolution's. F(2x2, 3x3) did
 * 2.25x fewer: against it, alternated in one JVM on one thread, res3x3 (64 channels of 56x56) and 128 channels of
 * 28x28 take 0.75 and 0.63 of the time, ASPP's dilation 6 0.75. Its rounding error, measured in float32 against
 * float64, is 1-3e-6 relative L2 for 16-512 channels (F(2x2, 3x3): 2-5e-7), under the 1e-5 every path is held to.
 * A unit is a run of tiles (row-major, crossing tile rows) of one image and group: its inputs are transformed into
 * V (per position: channels x tiles), multiplied by U with {@link MicroKernels#gemmOnStarts} onto zeros, and
 * transformed back into its outputs. Where such units would be too few to share among the threads (a layer of
 * 49 tiles is one), the three steps run one after the other over all the tiles instead, each in parallel (by
 * input channel, position, output channel). The input is first copied per channel into a zero-padded plane split
 * into four column phases (columns 4j + q), which makes the columns of consecutive tiles contiguous for the vector
 * transforms.
 *
 * <p>A dilated layer is computed as the undilated convolution of its {@link PhaseMosaic}s: the copy gathers each
 * padded mosaic position's input, and the outputs go from a run's transformed rows to their places, the junk
 * between the mosaic's blocks dropped. It takes a dilated layer where that costs fewer GEMM columns than the
 * implicit GEMM, which skips the taps on padding instead, by a margin that pays for the transforms and the
 * scattered outputs (ASPP on 33x33, 256 channels: dilation 6 0.46 of the columns, 0.80 and 0.86 of the time on 1
 * and 2 threads against F(2x2, 3x3) there, itself 0.83-0.85 of the implicit GEMM's; dilation 12 0.74 of the columns
 * but 0.9-1.12 of the time in alternated runs, left to the implicit GEMM, like dilation 18 at 1.44).
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
     * Narrowest output: three tiles a row (one thread, against the path the layer takes otherwise: 12x12 maps of
     * 16, 32, 64 and 128 channels 0.55, 0.99, 0.73 and 0.72 of the time, 14x14 of 64 and 256 channels 0.64 and
     * 0.37; 10x10 of 32 channels 1.11, 8x8 of 64 1.08). The choice of path must not depend on the kernels (it
     * decides the floats). For a dilated layer this is the mosaic's width.
     */
    static final int MIN_WIDTH = 12;
    /**
     * Floats of a unit's V and M together (positions x channels x tiles each): they stay in L2 (res3x3 with F(2x2,
     * 3x3), whole tile rows, 64 channels, 2 threads: 56 tiles 1.63 ms, 112 tiles 1.91 ms, 28 tiles 1.67 ms; 128
     * channels of 28x28: 28 tiles 1.76 ms, 56 tiles 2.21 ms). With F(4x4, 3x3), 4 and 8 times as many floats took
     * ASPP's dilation 6 0.88 of the time on two threads, but res3x3 1.24 and 2.1: its 196 tiles in two units or one
     * leave a thread idle.
     */
    private static final int UNIT_FLOATS = 2 * 16 * 64 * 56;
    /**
     * Most GEMM columns of a dilated layer's mosaic (36 per tile) per tap column of the {@link
     * ImplicitGemmConvolution} (which skips the taps on padding), both rounded to vectors of {@link #COST_STEP}:
     * the time follows the columns, with the gathering copy and the scattered outputs on top (the ratios in the
     * class comment).
     */
    static final double MAX_DILATED_WORK_RATIO = 0.6;
    /** The cost model's vector width, whichever kernels run: the path decides the floats. */
    private static final int COST_STEP = 16;
    private static final int ROWS = MicroKernels.ROWS;
    private static final int POSITIONS = WinogradWeights.POSITIONS;
    private static final int LINE_FLOATS = 16;
    /**
     * Fewest runs of tiles per thread for them to be the units (else {@link #multiplyInSteps}). Two
     * threads, separate JVMs taking turns, medians: one unit (256 channels of 28x28, 512 of 14x14) 3.27 and 5.42
     * ms as runs, 1.60 and 2.73 in steps; two (ASPP's dilation 6) 3.09 against 2.65 (on a loaded machine 3.47
     * against 2.88); four (64 and 128 channels of 56x56) the same either way on a quiet machine (0.48, 1.25),
     * slower in steps on a loaded one (0.77 against 0.67, 1.76 against 1.65); sixteen (64 of 112x112) 2.27 as
     * runs, 2.65 in steps. On one thread steps read V and M from L3 where a unit's stay nearer (ASPP's dilation
     * 6: 5.56 against 5.15 ms).
     */
    private static final int MIN_UNITS_PER_THREAD = 2;

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
        boolean fits = (long) c.inChannels() * p.plane < Integer.MAX_VALUE - 64;
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
        /** Input and output channels per group, the floats per tile that a unit's V and M take per position. */
        final int channels;
        /** Floats per split row phase (padded columns q, q + 4, ...), a split row, and a split plane. */
        final int phase;
        final int rowPitch;
        final int plane;
        /** The input column of each column of a split row (phase after phase), -1 for padding. */
        final int[] splitSource;

        Plan(ConvGeometry g) {
            Conv2d c = g.spec();
            this.rows = PhaseMosaic.of(g.outH(), g.inH(), c.dilationH(), c.padTop());
            this.columns = PhaseMosaic.of(g.outW(), g.inW(), c.dilationW(), c.padLeft());
            this.height = rows.size();
            this.width = columns.size();
            this.direct = c.dilationH() == 1 && c.dilationW() == 1;
            this.tileRows = (height + 3) / 4;
            this.tilesPerRow = (width + 3) / 4;
            this.channels = c.inChannelsPerGroup() + WeightPanels.panelsPerGroup(c) * ROWS;
            // tile t reads phases 0-3 of column t and phases 0 and 1 of column t + 1
            this.phase = tilesPerRow + 1;
            this.rowPitch = 4 * phase;
            // tile row ty reads padded rows 4ty .. 4ty + 5
            this.plane = (4 * tileRows + 2) * rowPitch;
            this.splitSource = new int[rowPitch];
            for (int j = 0; j < rowPitch; j++) {
                splitSource[j] = columns.source(4 * (j % phase) + j / phase);
            }
        }

        /**
         * Tiles per unit, row-major: whole multiples of the kernels' widest register tile ({@code step} columns),
         * so the GEMMs never end in the one-vector tile, which is about half as fast (AVX2, 256 channels of 38x38,
         * 1 thread, alternated in one JVM: units of 16 tiles took 0.57 of the time of units of one 19-tile row, 16
         * + 8 GEMM columns). On AVX-512 the widest tile is 48 columns: units of 16 tiles there ran every GEMM in
         * the one-vector tile (ASPP's dilation 6 and res3x3, 2 threads: 0.79 and 0.85 of the time at 48).
         */
        int unitTiles(int step) {
            int fit = GemmTiles.roundUp(UNIT_FLOATS / (POSITIONS * channels), step);
            return Math.min(tileRows * tilesPerRow, Math.max(step, fit));
        }

        /**
         * Runs of {@code unitTiles} tiles per group. A rest of a narrow tail's tiles or fewer joins the last run,
         * whose GEMMs then end in that tail while each position's U is still in L2: a unit of its own streamed all
         * of U from L3 for them and left a thread idle meanwhile (ASPP's dilation 6, 100 tiles in units of 48: its
         * 4-tile unit's GEMMs were 10% of the profile on one thread).
         */
        int runs(int unitTiles) {
            int all = tileRows * tilesPerRow;
            return all / unitTiles + (all % unitTiles > GemmTiles.NARROW_TAIL ? 1 : 0);
        }
    }

    /**
     * One input plane into its split padded plane at dst[d ...]: padded mosaic row r, column 4j + q at
     * d + r * rowPitch + q * phase + j, zero where the padded position is padding. A gather through the plan's map
     * for every layer: undilated rows split by two passes of vector copies (even and odd columns, then each again)
     * took 1.04 of res3x3's time.
     */
    private static void split(float[] in, int src, ConvGeometry g, Plan p, float[] dst, int d) {
        int[] source = p.splitSource;
        for (int r = 0; r < 4 * p.tileRows + 2; r++) {
            int sy = p.rows.source(r);
            int row = d + r * p.rowPitch;
            if (sy < 0) {
                Arrays.fill(dst, row, row + p.rowPitch, 0f);
                continue;
            }
            int at = src + sy * g.inW();
            for (int j = 0; j < source.length; j++) {
                dst[row + j] = source[j] < 0 ? 0f : in[at + source[j]];
            }
        }
    }

    /**
     * Image n: transform in, 36 GEMMs, transform out. Units are runs of tiles of a group, each taking all three
     * steps on its own V and M, where they are at least {@link #MIN_UNITS_PER_THREAD} per thread; else each step
     * runs over all of a group's tiles in parallel (see {@link #multiplyInSteps}).
     */
    private boolean multiply(ConvLayer layer, ConvGeometry g, Plan p, float[] phases, float[] out, int n) {
        Conv2d c = g.spec();
        int unitTiles = p.unitTiles(kernels.tileColumns());
        if (runner.threads() > 1 && c.groups() * p.runs(unitTiles) < MIN_UNITS_PER_THREAD * runner.threads()) {
            return multiplyInSteps(new Steps(layer, g, p, phases, out, n, p.tileRows * p.tilesPerRow));
        }
        Steps s = new Steps(layer, g, p, phases, out, n, unitTiles);
        AtomicBoolean finite = new AtomicBoolean(true);
        int[] scratchFloats = {s.vFloats(), s.mFloats(), s.zeros, s.mosaicFloats(), kernels.winogradWorkFloats(),
            s.blockFloats()};
        long macsPerUnit = (long) POSITIONS * s.cinG * s.panels * ROWS * s.pitch;
        runner.run(c.groups() * s.runs, macsPerUnit, scratchFloats, (from, to, scratch) -> {
            float[] v = scratch[0];
            float[] m = scratch[1];
            float[] zeroTile = s.zeroTile(scratch[2]);
            float[] mosaic = scratch[3];
            float[] work = scratch[4];
            float[] blocks = scratch[5];
            for (int unit = from; unit < to && finite.get(); unit++) {
                int grp = unit / s.runs;
                int first = s.first(unit % s.runs);
                int tiles = s.tiles(unit % s.runs);
                for (int ci = 0; ci < s.cinG; ci++) {
                    s.transformIn(grp, ci, first, tiles, v, work);
                }
                for (int xi = 0; xi < POSITIONS; xi++) {
                    s.multiplyPosition(grp, xi, tiles, v, m, zeroTile, blocks);
                }
                boolean ok = true;
                for (int o = 0; o < s.coutG; o++) {
                    ok &= s.transformOut(grp, o, first, tiles, m, mosaic, work);
                }
                if (!ok) {
                    finite.set(false);
                }
            }
        });
        return finite.get();
    }

    /**
     * Each step over all of a group's tiles, in parallel by input channel, by position and by output channel,
     * through one V and M for the call: where runs of tiles would be fewer than {@link #MIN_UNITS_PER_THREAD} per
     * thread, a thread that runs late or slow (another tenant on its core) delays the call by its whole unit,
     * while 36 positions even out (ASPP's dilation 6: 100 tiles, two units of 48 and 52).
     */
    private boolean multiplyInSteps(Steps s) {
        float[] v = runner.borrow(s.vFloats());
        float[] m = runner.borrow(s.mFloats());
        AtomicBoolean finite = new AtomicBoolean(true);
        try {
            long transformCost = (long) POSITIONS * s.pitch;
            // group after group, through the same V and M
            for (int grp = 0; grp < s.c.groups() && finite.get(); grp++) {
                int group = grp;
                runner.run(s.cinG, transformCost, new int[] {kernels.winogradWorkFloats()}, (from, to, scratch) -> {
                    for (int ci = from; ci < to; ci++) {
                        s.transformIn(group, ci, 0, s.tiles(0), v, scratch[0]);
                    }
                });
                runner.run(POSITIONS, (long) s.cinG * s.panels * ROWS * s.pitch, new int[] {s.zeros, s.blockFloats()},
                        (from, to, scratch) -> {
                            float[] zeroTile = s.zeroTile(scratch[0]);
                            for (int xi = from; xi < to; xi++) {
                                s.multiplyPosition(group, xi, s.tiles(0), v, m, zeroTile, scratch[1]);
                            }
                        });
                runner.run(s.coutG, transformCost, new int[] {s.mosaicFloats(), kernels.winogradWorkFloats()},
                        (from, to, scratch) -> {
                            boolean ok = true;
                            for (int o = from; o < to; o++) {
                                ok &= s.transformOut(group, o, 0, s.tiles(0), m, scratch[0], scratch[1]);
                            }
                            if (!ok) {
                                finite.set(false);
                            }
                        });
            }
            return finite.get();
        } finally {
            runner.giveBack(m);
            runner.giveBack(v);
        }
    }

    /**
     * The three steps of image n's Winograd convolution for runs of {@code unitTiles} tiles ({@link Plan#runs}), on
     * V and M laid out for them: V[xi][ci][t] at v[xi * vPosition + ci * vPitch + t], M[xi][co][t] at m[xi *
     * mPosition + co * pitch + t], t from the run's first tile.
     */
    private final class Steps {
        final Conv2d c;
        private final ConvGeometry g;
        private final Plan p;
        private final float[] phases;
        private final float[] out;
        private final int n;
        private final float[] u;
        private final OutputRows outputRows;
        final int cinG;
        final int coutG;
        final int panels;
        private final int step;
        private final int block;
        private final int unitTiles;
        /** Runs of tiles per group, and the last one's tiles. */
        final int runs;
        private final int lastTiles;
        final int pitch;
        /** Room after each row of V for a short run's whole vector. */
        private final int vPitch;
        private final int vPosition;
        private final int mPosition;
        final int zeros;

        Steps(ConvLayer layer, ConvGeometry g, Plan p, float[] phases, float[] out, int n, int unitTiles) {
            this.c = g.spec();
            this.g = g;
            this.p = p;
            this.phases = phases;
            this.out = out;
            this.n = n;
            this.u = weights.winogradFor(layer);
            this.outputRows = new OutputRows(layer);
            this.cinG = c.inChannelsPerGroup();
            this.coutG = c.outChannelsPerGroup();
            this.panels = WeightPanels.panelsPerGroup(c);
            this.step = kernels.columnStep();
            this.block = kernels.tileColumns();
            this.unitTiles = unitTiles;
            this.runs = p.runs(unitTiles);
            this.lastTiles = p.tileRows * p.tilesPerRow - (runs - 1) * unitTiles;
            this.pitch = GemmTiles.roundUp(Math.max(unitTiles, lastTiles), step);
            this.vPitch = pitch + step;
            this.vPosition = oddLines(cinG * vPitch);
            this.mPosition = oddLines(panels * ROWS * pitch);
            this.zeros = ROWS * block;
        }

        int first(int run) {
            return run * unitTiles;
        }

        int tiles(int run) {
            return run == runs - 1 ? lastTiles : unitTiles;
        }

        int vFloats() {
            return POSITIONS * vPosition;
        }

        /** M, and room for the mosaic's output transform of a whole vector of tiles from the last run. */
        int mFloats() {
            return POSITIONS * mPosition + step;
        }

        /** A run's outputs on the mosaic (or a short run's), before they go to their places in the output. */
        int mosaicFloats() {
            return 4 * Math.max(p.width, 4 * step);
        }

        int blockFloats() {
            return cinG * GemmTiles.roundUp(pitch, block);
        }

        /** The GEMMs store their sums onto zeros: M needs no clearing pass. */
        float[] zeroTile(float[] scratch) {
            Arrays.fill(scratch, 0, zeros, 0f);
            return scratch;
        }

        /** Input channel ci's V for the run's tiles. */
        void transformIn(int grp, int ci, int first, int tiles, float[] v, float[] work) {
            int plane = (grp * cinG + ci) * p.plane;
            for (int t = first; t < first + tiles; ) {
                int ty = t / p.tilesPerRow;
                int tx = t % p.tilesPerRow;
                int run = Math.min(p.tilesPerRow - tx, first + tiles - t);
                kernels.winogradInput(phases, plane + 4 * ty * p.rowPitch + tx, p.phase, p.rowPitch, v,
                        ci * vPitch + t - first, vPosition, run, work);
                t += run;
            }
        }

        /**
         * Position xi's GEMM, M = U V. The columns from {@code tiles} to the next vector are read by the GEMM's whole
         * vectors and their sums dropped. A few tiles past whole register tiles go through gemmColumns for all
         * panels from zero sums: a one-vector step over them costs as much as a register tile.
         */
        void multiplyPosition(int grp, int xi, int tiles, float[] v, float[] m, float[] zeroTile, float[] blocks) {
            int tail = GemmTiles.narrowTail(tiles, block);
            int whole = tail > 0 ? tiles - tail : GemmTiles.roundUp(tiles, step);
            // V's rows copied into blocks of register-tile width: the kernels run over rows a constant stride
            // apart without bounds checks in their loop (see MicroKernels#packedDepth). A/B, 2 threads, one JVM:
            // ASPP's dilation 6 (32 panels) 0.85 of the time, res3x3 (8 panels) 1.00-1.03 (the transform cannot
            // write the blocks itself: a short run writes a vector past its end)
            for (int q = 0; q * block < whole; q++) {
                kernels.copyRows(v, xi * vPosition + q * block, vPitch, blocks, q * block * cinG, block,
                        Math.min(block, whole - q * block), cinG);
            }
            for (int panel = 0; panel < panels; panel++) {
                for (int q = 0; q * block < whole; q++) {
                    kernels.gemmOnStarts(zeroTile, u, WinogradWeights.offset(c, xi, grp, panel), cinG, blocks,
                            q * block * cinG, block, m, xi * mPosition + panel * ROWS * pitch + q * block, pitch,
                            Math.min(block, whole - q * block));
                }
            }
            if (tail > 0) {
                for (int co = 0; co < panels * ROWS; co++) {
                    int at = xi * mPosition + co * pitch + whole;
                    Arrays.fill(m, at, at + tail, 0f);
                }
                kernels.gemmColumns(u, WinogradWeights.offset(c, xi, grp, 0), panels, cinG * ROWS, cinG, v,
                        xi * vPosition + whole, vPitch, m, xi * mPosition + whole, pitch, tail);
            }
        }

        /** Output channel o's outputs of the run's tiles from M; whether they are all finite. */
        boolean transformOut(int grp, int o, int first, int tiles, float[] m, float[] mosaic, float[] work) {
            int co = grp * coutG + o;
            int outBase = (n * c.outChannels() + co) * g.outH() * g.outW();
            float start = outputRows.start(co);
            if (p.direct && p.tilesPerRow >= step) {
                return placeRuns(m, o * pitch, mPosition, start, first, tiles, p, g, mosaic, work, outputRows, out,
                        outBase);
            }
            // rows narrower than a vector of tiles (a mosaic's, a small map's): vectors of the run's consecutive
            // tiles across tile rows, the last moved back to end at its last tile (ASPP's dilation 6, rows of 10
            // tiles: 3 vectors a unit of 48 where its runs took 5 or 6), then each tile row's run to its place
            boolean ok = true;
            for (int j = 0; j < tiles; j += step) {
                int v0 = Math.max(0, Math.min(j, tiles - step));
                boolean finite = kernels.winogradOutput(m, o * pitch + v0, mPosition, start, mosaic, 0, 4 * step,
                        4 * step, 4, work);
                int end = first + Math.min(tiles, j + step);
                for (int t = first + j; t < end; ) {
                    int ty = t / p.tilesPerRow;
                    int tx = t % p.tilesPerRow;
                    int run = Math.min(p.tilesPerRow - tx, end - t);
                    int from = 4 * (t - first - v0);
                    int rows = Math.min(4, p.height - 4 * ty);
                    int width = Math.min(p.width - 4 * tx, 4 * run);
                    if (p.direct) {
                        ok &= place(mosaic, from, 4 * step, finite, rows, width, outputRows, out,
                                outBase + 4 * ty * g.outW() + 4 * tx, g.outW());
                    } else {
                        ok &= scatter(mosaic, from, 4 * step, 4 * ty, 4 * tx, rows, width, p, outputRows, out,
                                outBase, g.outW());
                    }
                    t += run;
                }
            }
            return ok;
        }
    }

    /**
     * Output channel o's sums in M (row at mOff) of a unit's tiles, run by run (a run: its tiles in one tile row)
     * through the transform and activation into a plain layer's output plane at outBase. Returns whether every
     * output is finite.
     */
    private boolean placeRuns(float[] m, int mOff, int mPosition, float start, int first, int tiles, Plan p,
            ConvGeometry g, float[] mosaic, float[] work, OutputRows outputRows, float[] out, int outBase) {
        int step = kernels.columnStep();
        boolean ok = true;
        for (int t = first; t < first + tiles; ) {
            int ty = t / p.tilesPerRow;
            int tx = t % p.tilesPerRow;
            int run = Math.min(p.tilesPerRow - tx, first + tiles - t);
            int rows = Math.min(4, p.height - 4 * ty);
            int width = Math.min(p.width - 4 * tx, 4 * run);
            int at = mOff + t - first;
            if (run >= step) {
                int o = outBase + 4 * ty * g.outW() + 4 * tx;
                ok &= kernels.winogradOutput(m, at, mPosition, start, out, o, width, g.outW(), rows, work);
                for (int r = 0; r < rows; r++) {
                    outputRows.activate(out, o + r * g.outW(), width);
                }
            } else {
                // at least a vector of tiles, the ones after the run being others' or junk: no run takes the
                // plain transform (a unit's runs of fewer tiles than a vector in a plain layer too: 24% of
                // res3x3's time); only the outputs kept are checked
                int wide = Math.max(width, 4 * step);
                boolean finite = kernels.winogradOutput(m, at, mPosition, start, mosaic, 0, wide, wide, rows, work);
                ok &= place(mosaic, 0, wide, finite, rows, width, outputRows, out, outBase + 4 * ty * g.outW()
                        + 4 * tx, g.outW());
            }
            t += run;
        }
        return ok;
    }

    /**
     * The floats from one transformed position's rows of V or M to the next: at least n, a whole odd number of
     * 64-byte lines. The transforms touch a row of every position at once (36 rows), and positions a power of two
     * apart in bytes (M of 64 channels x 32 tiles: 8 KiB) share one or two of L1's 64 sets, evicting each other;
     * an odd number of lines apart they fall in 36 different sets.
     */
    private static int oddLines(int n) {
        int lines = (n + LINE_FLOATS - 1) / LINE_FLOATS;
        return (lines | 1) * LINE_FLOATS;
    }

    /**
     * A plain layer's outputs from the mosaic to their place: {@code width} floats of each of {@code rows} rows
     * (row i at mosaic[from + i * pitch ...]) through the activation to out[at + i * outW ...], row by row, so
     * nothing lands past them (the columns after may be another unit's). Copied whole: the per-output lookups of
     * {@link #scatter} were 19% of res3x3's profile (64 channels of 56x56, rows of 14 tiles). {@code finite}: the
     * transform found every output it computed finite, junk (a side's last tiles, the tiles after a short run)
     * included; only where it did not are the kept ones checked. Returns whether every placed output is finite.
     */
    private static boolean place(float[] mosaic, int from, int pitch, boolean finite, int rows, int width,
            OutputRows outputRows, float[] out, int at, int outW) {
        boolean ok = true;
        for (int r = 0; r < rows; r++, from += pitch, at += outW) {
            ok &= finite || FiniteFloats.all(mosaic, from, width);
            outputRows.end(mosaic, from, width, out, at);
        }
        return ok;
    }

    /**
     * The outputs of mosaic rows y0 .. y0 + rows - 1, columns x0 .. x0 + width - 1 (row i of them at
     * mosaic[from + i * pitch ...]) through the activation to their places in the output plane at outBase, junk
     * dropped. Returns whether every output it placed is finite.
     */
    private static boolean scatter(float[] mosaic, int from, int pitch, int y0, int x0, int rows, int width,
            Plan p, OutputRows outputRows, float[] out, int outBase, int outW) {
        PhaseMosaic columns = p.columns;
        boolean finite = true;
        for (int i = 0; i < rows; i++) {
            int y = p.rows.target(y0 + i);
            if (y < 0) {
                continue;
            }
            int row = from + i * pitch;
            int at = outBase + y * outW;
            // one pass: each kept output checked before its activation (a flag, not a float sum: no chain of
            // dependent adds), activated and placed; three passes (check, activate the row, place) looked every
            // target up twice (ASPP dilation 6: 0.97 of the time with one pass, A/B on 2 threads)
            for (int x = 0; x < width; x++) {
                int ox = columns.target(x0 + x);
                if (ox >= 0) {
                    float v = mosaic[row + x];
                    finite &= Float.isFinite(v);
                    out[at + ox] = outputRows.apply(v);
                }
            }
        }
        return finite;
    }
}
