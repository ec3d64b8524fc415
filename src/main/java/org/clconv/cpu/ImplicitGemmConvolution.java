package org.clconv.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/**
 * Every other convolution (grouped, strided, dilated, any kernel and padding mode) as an implicit GEMM: per
 * (batch, group), out[co][position] = sum over k = (tap, ci) of W[co][k] * B[k][position]. The output is cut
 * into {@link TapRegions} so that only taps reading the input enter K, and each region into column tiles; a
 * tile's B operand (its valid taps x input channels x positions) is gathered into a per-chunk scratch in blocks of
 * register-tile width, with one copy per output-row run and block where a tap's columns lie inside the input (an
 * array copy, or every other float with stride 2: a 3-channel 224x224 stem with stride 2 took 0.76 of the time
 * that way rather than through the padding mode per float), then every weight panel runs the
 * {@link MicroKernels#gemm} micro-kernel over each block, one call per run of consecutive valid taps. A tile's
 * last few columns past whole register tiles go through {@link MicroKernels#gemmColumns} for all its panels at
 * once: in a one-vector step a single column cost as much as eight (ASPP's dilation 18: 0.77-0.91 of the time on
 * 1 and 2 threads, its 33-position tiles ending in one column; dilation 12: 0.84-0.98).
 */
final class ImplicitGemmConvolution implements ConvPath {
    private static final int ROWS = MicroKernels.ROWS;

    private final ParallelRunner runner;
    private final PackedWeightCache weights;
    private final MicroKernels kernels;

    ImplicitGemmConvolution(ParallelRunner runner, PackedWeightCache weights, MicroKernels kernels) {
        this.runner = runner;
        this.weights = weights;
        this.kernels = kernels;
    }

    /** One column tile: positions [start, start + length) of a region, in row-major order. */
    private record Tile(TapRegions.Region region, int start, int length) {
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        float[] panels = weights.panelsFor(layer);
        AxisTaps rows = AxisTaps.rows(g);
        AxisTaps cols = AxisTaps.columns(g);
        int cinG = c.inChannelsPerGroup();
        int step = kernels.columnStep();
        int block = kernels.tileColumns();
        List<Tile> tiles = tiles(c, rows, cols, step, block);
        int bFloats = 0;
        int widest = step;
        for (Tile t : tiles) {
            bFloats = Math.max(bFloats, t.region.taps.length * cinG * GemmTiles.roundUp(t.length, block));
            widest = Math.max(widest, GemmTiles.roundUp(t.length, step));
        }
        int accFloats = ROWS * widest;
        int groups = c.groups();
        int groupPanels = WeightPanels.panelsPerGroup(c);
        int baseUnits = g.batch() * groups * tiles.size();
        int perUnit = runner.partsPerPiece(groupPanels, baseUnits);
        int chunks = (groupPanels + perUnit - 1) / perUnit;
        long macsPerUnit = (long) perUnit * ROWS * WeightPanels.depth(c) * g.outH() * g.outW() / tiles.size();
        int panelStride = WeightPanels.depth(c) * ROWS;
        OutputRows outputRows = new OutputRows(layer);
        int[] scratchFloats = {bFloats, accFloats, perUnit * ROWS * GemmTiles.NARROW_TAIL, ROWS * block};
        runner.run(baseUnits * chunks, macsPerUnit, scratchFloats, (from, to, arrays) -> {
            float[] b = arrays[0];
            float[] acc = arrays[1];
            float[] tailSums = arrays[2];
            float[] starts = arrays[3];
            for (int u = from; u < to; u++) {
                int chunk = u % chunks;
                int rest = u / chunks;
                Tile tile = tiles.get(rest % tiles.size());
                rest /= tiles.size();
                int grp = rest % groups;
                int batch = rest / groups;
                int pitch = GemmTiles.roundUp(tile.length, step);
                int inBase = (batch * c.inChannels() + grp * cinG) * g.inH() * g.inW();
                int depth = tile.region.taps.length * cinG;
                pack(in, inBase, g, rows, cols, tile, b, block);
                int firstPanel = chunk * perUnit;
                int lastPanel = Math.min(groupPanels, (chunk + 1) * perUnit);
                TapRegions.Region r = tile.region;
                // a few columns past whole register tiles: every panel's at once. Not a tail behind a one-vector
                // step: the weights, streamed once per tail column, are megabytes here (ASPP's 12 = 8 + 4 columns
                // took 1.36 of the time of one register tile over 16, 4 of them junk)
                int tailCols = GemmTiles.narrowTail(tile.length, block);
                boolean narrowTail = tailCols > 0;
                int whole = tile.length - tailCols;
                if (narrowTail) {
                    int coFirst = grp * c.outChannelsPerGroup() + firstPanel * ROWS;
                    for (int i = 0; i < (lastPanel - firstPanel) * ROWS; i++) {
                        boolean real = firstPanel * ROWS + i < c.outChannelsPerGroup();
                        Arrays.fill(tailSums, i * tailCols, (i + 1) * tailCols,
                                real ? outputRows.start(coFirst + i) : 0f);
                    }
                    for (int run = 0; run < r.runStart.length; run++) {
                        int first = r.runStart[run];
                        kernels.gemmColumns(panels, WeightPanels.offset(c, grp, firstPanel)
                                + r.taps[first] * cinG * ROWS, lastPanel - firstPanel, panelStride,
                                r.runLength[run] * cinG, b, (whole / block * depth + first * cinG) * block, block,
                                tailSums, 0, tailCols, tailCols);
                    }
                }
                for (int p = firstPanel; p < lastPanel; p++) {
                    int co0 = grp * c.outChannelsPerGroup() + p * ROWS;
                    int valid = Math.min(ROWS, c.outChannelsPerGroup() - p * ROWS);
                    int panel = WeightPanels.offset(c, grp, p);
                    // the first run of taps stores its sums onto the channels' starts, the others add theirs: no pass
                    // filling the rows with the starts, none reading them back (A/B, 2 threads: the ImageNet stem,
                    // one run of 27, 0.97 of the time; ASPP's dilation 12 0.98). A region whose taps all read
                    // padding has no run: its outputs are the starts
                    outputRows.startTile(starts, block, co0, valid);
                    if (r.runStart.length == 0) {
                        outputRows.beginPanel(acc, 0, pitch, tile.length, co0, valid);
                    }
                    int columns = narrowTail ? whole : pitch;
                    for (int q = 0; q * block < columns; q++) {
                        for (int run = 0; run < r.runStart.length; run++) {
                            int first = r.runStart[run];
                            int aOff = panel + r.taps[first] * cinG * ROWS;
                            int bOff = (q * depth + first * cinG) * block;
                            int n = Math.min(block, columns - q * block);
                            if (run == 0) {
                                kernels.gemmOnStarts(starts, panels, aOff, r.runLength[run] * cinG, b, bOff, block,
                                        acc, q * block, pitch, n);
                            } else {
                                kernels.gemm(panels, aOff, r.runLength[run] * cinG, b, bOff, block, acc, q * block,
                                        pitch, n);
                            }
                        }
                    }
                    for (int i = 0; narrowTail && i < ROWS; i++) {
                        System.arraycopy(tailSums, ((p - firstPanel) * ROWS + i) * tailCols, acc, i * pitch + whole,
                                tailCols);
                    }
                    store(acc, pitch, valid, tile, g, outputRows, out, (batch * c.outChannels() + co0));
                }
            }
        });
    }

    /** Every region's positions cut into column tiles whose B operand fits {@link GemmTiles}' budget. */
    private static List<Tile> tiles(Conv2d c, AxisTaps rows, AxisTaps cols, int step, int block) {
        List<Tile> tiles = new ArrayList<>();
        for (TapRegions.Region r : TapRegions.of(rows, cols, c.kernelH(), c.kernelW())) {
            int width = GemmTiles.width(r.taps.length * c.inChannelsPerGroup(), r.positions(), step, block);
            for (int s = 0; s < r.positions(); s += width) {
                tiles.add(new Tile(r, s, Math.min(width, r.positions() - s)));
            }
        }
        return tiles;
    }

    /**
     * The columns this path's micro-kernel computes per input channel and output panel, summed over taps: each
     * tile's valid taps times its length rounded up to whole vectors. A small map's regions are small tiles
     * mostly made of that rounding (a 7x7 map: 160 columns for 49 outputs), which is what other paths compare
     * their own work with.
     */
    static long tapColumns(ConvGeometry g, int step, int block) {
        long work = 0;
        for (Tile t : tiles(g.spec(), AxisTaps.rows(g), AxisTaps.columns(g), step, block)) {
            work += (long) t.region.taps.length * GemmTiles.roundUp(t.length, step);
        }
        return work;
    }

    /**
     * Gathers B[k = (tap, ci)][n] for the tile's positions n into b in blocks of {@code block} columns: column
     * block q's row k at b[(q * K + k) * block], K = taps x channels. The kernels run over rows a constant stride
     * apart without bounds checks in their loop (see {@link MicroKernels#packedDepth}); over rows a tile's pitch
     * apart ASPP's dilations 12 and 18 took 1.3 and 1.5 times as long (A/B, 2 threads, one JVM).
     */
    private void pack(float[] in, int inBase, ConvGeometry g, AxisTaps rows, AxisTaps cols, Tile tile, float[] b,
            int block) {
        TapRegions.Region r = tile.region;
        int kernelW = g.spec().kernelW();
        int cinG = g.spec().inChannelsPerGroup();
        int depth = r.taps.length * cinG;
        int inPlane = g.inH() * g.inW();
        int stride = cols.stride();
        forEachRun(tile, (n, y, x, run) -> {
            for (int ti = 0; ti < r.taps.length; ti++) {
                int ky = r.taps[ti] / kernelW;
                int kx = r.taps[ti] % kernelW;
                int rowOff = rows.source(ky, y) * g.inW();
                // inside the input the run's columns are stride apart: copied as a run (every other one with
                // stride 2), not looked up one by one through the padding mode
                boolean interior = x >= cols.interiorFrom(kx) && x + run <= cols.interiorTo(kx);
                // the run cut where it crosses into the next column block
                for (int s = n; s < n + run; s = (s / block + 1) * block) {
                    int piece = Math.min(n + run, (s / block + 1) * block) - s;
                    int xs = x + s - n;
                    for (int ci = 0; ci < cinG; ci++) {
                        int src = inBase + ci * inPlane + rowOff;
                        int dst = (s / block * depth + ti * cinG + ci) * block + s % block;
                        int first = src + xs * stride + cols.offset(kx);
                        if (interior && stride == 1) {
                            System.arraycopy(in, first, b, dst, piece);
                        } else if (interior && stride == 2) {
                            kernels.copyEveryOther(in, first, b, dst, piece);
                        } else if (interior) {
                            for (int i = 0; i < piece; i++) {
                                b[dst + i] = in[first + i * stride];
                            }
                        } else {
                            for (int i = 0; i < piece; i++) {
                                b[dst + i] = in[src + cols.source(kx, xs + i)];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Writes the tile's first {@code valid} accumulator rows to channels co0.. (plane index channelBase + j). */
    private static void store(float[] acc, int pitch, int valid, Tile tile, ConvGeometry g, OutputRows outputRows,
            float[] out, int channelBase) {
        int outPlane = g.outH() * g.outW();
        forEachRun(tile, (n, y, x, run) -> {
            for (int j = 0; j < valid; j++) {
                outputRows.end(acc, j * pitch + n, run, out, (channelBase + j) * outPlane + y * g.outW() + x);
            }
        });
    }

    /** One run of a tile's positions inside one output row: tile columns [n, n + run) are row y from column x. */
    private interface RunVisitor {
        void visit(int n, int y, int x, int run);
    }

    /** The tile's positions as runs within output rows, in order: what packing and storing both walk. */
    private static void forEachRun(Tile tile, RunVisitor visitor) {
        TapRegions.Region r = tile.region;
        int width = r.width();
        for (int n = 0, pos = tile.start; n < tile.length; ) {
            int run = Math.min(width - pos % width, tile.length - n);
            visitor.visit(n, r.y0 + pos / width, r.x0 + pos % width, run);
            n += run;
            pos += run;
        }
    }
}
