package org.clconv.cpu;

import java.util.Arrays;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/**
 * 1x1, stride 1, unpadded: per (batch, group) the matrix product out[co][p] = sum_ci W[co][ci] * in[ci][p]
 * over the flattened spatial index p, which is contiguous in NCHW, so the input itself is the B operand (row
 * stride H*W), read in place unless the kernels run faster on a contiguous copy at this depth
 * ({@link MicroKernels#packedDepth}): then each unit first copies its tile's whole register-tile blocks into its
 * scratch (or, where a tile's panels are split over several units and the tiles are small, one pass copies every
 * tile for all of them before them). Sums are stored onto start tiles holding the channels' biases
 * ({@link MicroKernels#gemmOnStarts}), so no output row is filled before the kernels. A tile's last columns
 * short of a whole vector are copied into a padded scratch, and only where a whole vector read in place would run
 * past the input's end (tails of up to {@link GemmTiles#NARROW_TAIL} columns are read exactly, column by column).
 * Units are (batch, group, column tile, run of weight panels).
 */
final class PointwiseGemm implements ConvPath {
    private static final int ROWS = MicroKernels.ROWS;

    private final ParallelRunner runner;
    private final PackedWeightCache weights;
    private final MicroKernels kernels;

    PointwiseGemm(ParallelRunner runner, PackedWeightCache weights, MicroKernels kernels) {
        this.runner = runner;
        this.weights = weights;
        this.kernels = kernels;
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        int plane = g.inH() * g.inW();
        int depth = c.inChannelsPerGroup();
        int tile = GemmTiles.width(depth, plane, kernels.columnStep(), kernels.tileColumns());
        int tiles = (plane + tile - 1) / tile;
        int groupPanels = WeightPanels.panelsPerGroup(c);
        int baseUnits = g.batch() * c.groups() * tiles;
        int perUnit = runner.partsPerPiece(groupPanels, baseUnits);
        int chunks = (groupPanels + perUnit - 1) / perUnit;
        boolean packB = depth >= kernels.packedDepth();
        // a tile whose panels are split over several units has its B packed once for all of them, before them,
        // where all those tiles fit the L2 budget of two tiles (packed per unit, 1024 channels of 7x7 copied their
        // B eight times, 512 of 14x14 four times: 0.93-0.97 of the time; 64 channels of 56x56, whose four tiles are
        // 1 MiB, ran 1.11 times slower packed in advance, its tiles out of L2 by the time the units read them)
        boolean shareB = packB && chunks > 1 && (long) baseUnits * depth * tile <= 2L * GemmTiles.B_FLOATS;
        float[] shared = shareB ? runner.borrow(baseUnits * depth * tile) : null;
        try {
            if (shared != null) {
                packTiles(g, in, shared, tiles, tile);
            }
            multiply(layer, g, in, out, shared, tile, tiles, perUnit, chunks, packB);
        } finally {
            if (shared != null) {
                runner.giveBack(shared);
            }
        }
    }

    /**
     * Where base unit u's B starts in the input: units go tile by tile within a group, group by group within an
     * image (u = (batch * groups + group) * tiles + tile index).
     */
    private static int inputOffset(Conv2d c, int plane, int u, int tiles, int tile) {
        int image = u / tiles / c.groups();
        int group = u / tiles % c.groups();
        return (image * c.inChannels() + group * c.inChannelsPerGroup()) * plane + (u % tiles) * tile;
    }

    /** Every tile's whole register-tile blocks into shared, tile after tile (base unit i at i * depth * tile). */
    private void packTiles(ConvGeometry g, float[] in, float[] shared, int tiles, int tile) {
        Conv2d c = g.spec();
        int plane = g.inH() * g.inW();
        int depth = c.inChannelsPerGroup();
        int units = g.batch() * c.groups() * tiles;
        runner.run(units, (long) depth * tile, (from, to) -> {
            for (int u = from; u < to; u++) {
                packTile(c, plane, in, u, tiles, tile, shared, u * tile * depth);
            }
        });
    }

    /** Base unit u's whole register-tile blocks, block q's k-th row at packed[packedOff + (q*depth + k)*block]. */
    private void packTile(Conv2d c, int plane, float[] in, int u, int tiles, int tile, float[] packed,
            int packedOff) {
        int depth = c.inChannelsPerGroup();
        int block = kernels.tileColumns();
        int len = Math.min(tile, plane - (u % tiles) * tile);
        int blocks = (len - len % kernels.columnStep()) / block;
        int inOff = inputOffset(c, plane, u, tiles, tile);
        // input row by input row, each row's blocks one after the other: block by block, each over all the rows,
        // read one cache line per row at a time, far apart, which the prefetchers did not follow (32 images of
        // 256 channels of 28x28, out of cache: the copy was a quarter of the layer's time)
        for (int k = 0; k < depth; k++) {
            kernels.copyRows(in, inOff + k * plane, block, packed, packedOff + k * block, depth * block, block,
                    blocks);
        }
    }

    private void multiply(ConvLayer layer, ConvGeometry g, float[] in, float[] out, float[] shared, int tile,
            int tiles, int perUnit, int chunks, boolean packB) {
        Conv2d c = g.spec();
        float[] panels = weights.panelsFor(layer);
        OutputRows outputRows = new OutputRows(layer);
        int plane = g.inH() * g.inW();
        int depth = c.inChannelsPerGroup();
        int step = kernels.columnStep();
        int block = kernels.tileColumns();
        int pitch = GemmTiles.roundUp(tile, step);
        int groups = c.groups();
        int coutG = c.outChannelsPerGroup();
        int groupPanels = WeightPanels.panelsPerGroup(c);
        long macsPerUnit = (long) perUnit * ROWS * depth * tile;
        int[] scratchFloats = {ROWS * pitch, depth * step, perUnit * ROWS * GemmTiles.NARROW_TAIL,
            packB && shared == null ? depth * tile : 0, ROWS * block};
        runner.run(g.batch() * groups * tiles * chunks, macsPerUnit, scratchFloats, (from, to, scratch) -> {
            float[] acc = scratch[0];
            float[] tail = scratch[1];
            float[] tailSums = scratch[2];
            float[] starts = scratch[4];
            for (int u = from; u < to; u++) {
                int chunk = u % chunks;
                int baseUnit = u / chunks;
                // the unit's packed B: its tile's in shared, else packed here into the chunk's scratch
                float[] packed = shared != null ? shared : scratch[3];
                int packedOff = shared != null ? baseUnit * tile * depth : 0;
                if (packB && shared == null) {
                    packTile(c, plane, in, baseUnit, tiles, tile, packed, 0);
                }
                int p0 = (baseUnit % tiles) * tile;
                int grp = baseUnit / tiles % groups;
                int b = baseUnit / tiles / groups;
                int len = Math.min(tile, plane - p0);
                int whole = len - len % step;
                int inOff = inputOffset(c, plane, baseUnit, tiles, tile);
                // the tile's last columns short of a vector: read in place when a whole vector stays inside the
                // input (its extra lanes read the next row and land in acc columns that are never stored)
                boolean tailInPlace = inOff + (depth - 1) * plane + whole + step <= in.length;
                boolean narrowTail = len - whole <= GemmTiles.NARROW_TAIL;
                if (whole < len && !narrowTail && !tailInPlace) {
                    for (int k = 0; k < depth; k++) {
                        System.arraycopy(in, inOff + k * plane + whole, tail, k * step, len - whole);
                    }
                }
                // whole blocks of the tile, block q's k-th row at packed[packedOff + (q*depth + k)*block]; the
                // columns after them (up to `whole`) are read in place
                int blocks = packB ? whole / block : 0;
                int firstPanel = chunk * perUnit;
                int lastPanel = Math.min(groupPanels, (chunk + 1) * perUnit);
                int tailCols = len - whole;
                if (whole < len && narrowTail) {
                    // every panel's tail columns at once: the kernel runs several panels side by side
                    Arrays.fill(tailSums, 0, (lastPanel - firstPanel) * ROWS * tailCols, 0f);
                    kernels.gemmColumns(panels, WeightPanels.offset(c, grp, firstPanel), lastPanel - firstPanel,
                            depth * ROWS, depth, in, inOff + whole, plane, tailSums, 0, tailCols, tailCols);
                }
                for (int p = firstPanel; p < lastPanel; p++) {
                    int co0 = grp * coutG + p * ROWS;
                    int valid = Math.min(ROWS, coutG - p * ROWS);
                    int panel = WeightPanels.offset(c, grp, p);
                    int outOff = (b * c.outChannels() + co0) * plane + p0;
                    // a whole panel over whole vectors sums straight into its output rows (the kernel writes
                    // exactly its eight rows' columns [0, len)), others into the accumulator; either way every
                    // sum is stored onto its channel's start, with no pass to fill the rows with the starts first
                    boolean direct = valid == ROWS && whole == len;
                    float[] sums = direct ? out : acc;
                    int sumsOff = direct ? outOff : 0;
                    int sumsPitch = direct ? plane : pitch;
                    outputRows.startTile(starts, block, co0, valid);
                    for (int q = 0; q < blocks; q++) {
                        kernels.gemmOnStarts(starts, panels, panel, depth, packed, packedOff + q * depth * block,
                                block, sums, sumsOff + q * block, sumsPitch, block);
                    }
                    int inPlace = blocks * block;
                    kernels.gemmOnStarts(starts, panels, panel, depth, in, inOff + inPlace, plane, sums,
                            sumsOff + inPlace, sumsPitch, whole - inPlace);
                    if (whole < len && narrowTail) {
                        // start + sum, as the kernels store it
                        for (int i = 0, t = (p - firstPanel) * ROWS * tailCols; i < ROWS; i++, t += tailCols) {
                            for (int j = 0; j < tailCols; j++) {
                                acc[i * pitch + whole + j] = starts[i * block] + tailSums[t + j];
                            }
                        }
                    } else if (whole < len && tailInPlace) {
                        kernels.gemmOnStarts(starts, panels, panel, depth, in, inOff + whole, plane, acc, whole, pitch,
                                step);
                    } else if (whole < len) {
                        kernels.gemmOnStarts(starts, panels, panel, depth, tail, 0, step, acc, whole, pitch, step);
                    }
                    for (int j = 0; j < valid; j++) {
                        if (direct) {
                            outputRows.activate(out, outOff + j * plane, len);
                        } else {
                            outputRows.end(acc, j * pitch, len, out, outOff + j * plane);
                        }
                    }
                }
            }
        });
    }
}
