package org.clconv.cpu;

import java.util.Arrays;
import org.clconv.Activation;
import org.clconv.ConvLayer;

/**
 * The start and end of every output run: accumulators begin at the bias (or zero) and leave through the fused
 * activation, with {@link Activation#apply} as the single definition of its semantics (NaN propagates).
 */
final class OutputRows {
    private final float[] bias;
    private final Activation activation;

    OutputRows(ConvLayer layer) {
        this.bias = layer.bias() == null ? null : layer.bias().data();
        this.activation = layer.spec().activation();
    }

    /** The value output channel co's sums start from: its bias, or zero. */
    float start(int co) {
        return bias == null ? 0f : bias[co];
    }

    /** Sets acc[off, off + len) to the bias of output channel co. */
    void begin(float[] acc, int off, int len, int co) {
        Arrays.fill(acc, off, off + len, start(co));
    }

    /**
     * {@link #begin} for the {@link MicroKernels#ROWS} accumulator rows (from {@code off}, pitch {@code pitch}) of
     * channels co0, co0+1, ...; only the first {@code valid} are real channels, the rest (zero weights in a
     * group's last panel) start at zero and are never stored.
     */
    void beginPanel(float[] acc, int off, int pitch, int len, int co0, int valid) {
        for (int j = 0, row = off; j < MicroKernels.ROWS; j++, row += pitch) {
            if (j < valid) {
                begin(acc, row, len, co0 + j);
            } else {
                Arrays.fill(acc, row, row + len, 0f);
            }
        }
    }

    /**
     * The start tile of {@link MicroKernels#gemmOnStarts} for channels co0, co0+1, ...: row i of tile, {@code
     * width} floats from i*width, all start(co0 + i) for the first {@code valid} rows, zero for the others.
     */
    void startTile(float[] tile, int width, int co0, int valid) {
        for (int i = 0; i < MicroKernels.ROWS; i++) {
            Arrays.fill(tile, i * width, (i + 1) * width, i < valid ? start(co0 + i) : 0f);
        }
    }

    /** Writes activation(acc[accOff, accOff + len)) to out[outOff ...]. */
    void end(float[] acc, int accOff, int len, float[] out, int outOff) {
        if (activation == Activation.NONE) {
            System.arraycopy(acc, accOff, out, outOff, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            out[outOff + i] = activation.apply(acc[accOff + i]);
        }
    }

    /** The activation of one value. */
    float apply(float v) {
        return activation.apply(v);
    }

    /** Replaces data[off, off + len) by its activation (nothing to do without one). */
    void activate(float[] data, int off, int len) {
        if (activation != Activation.NONE) {
            end(data, off, len, data, off);
        }
    }

    /** {@link #end} for {@code rows} runs of {@code len}: acc row pitch {@code pitch}, consecutive in out. */
    void endRows(float[] acc, int pitch, int rows, int len, float[] out, int outOff, MicroKernels kernels) {
        if (activation == Activation.NONE) {
            kernels.copyRows(acc, 0, pitch, out, outOff, len, len, rows);
            return;
        }
        for (int y = 0; y < rows; y++) {
            end(acc, y * pitch, len, out, outOff + y * len);
        }
    }
}
