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

    /** Sets acc[0, len) to the bias of output channel co. */
    void begin(float[] acc, int len, int co) {
        Arrays.fill(acc, 0, len, bias == null ? 0f : bias[co]);
    }

    /** Writes activation(acc[0, len)) to out[outOff ...]. */
    void end(float[] acc, int len, float[] out, int outOff) {
        if (activation == Activation.NONE) {
            System.arraycopy(acc, 0, out, outOff, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            out[outOff + i] = activation.apply(acc[i]);
        }
    }

    /**
     * {@link #begin} for a block of accumulators for channels co0, co0+1, ...; only the first {@code valid} are
     * real channels, the rest (zero weights in a group's last block) start at zero and are never stored.
     */
    void beginBlock(float[][] acc, int len, int co0, int valid) {
        for (int j = 0; j < acc.length; j++) {
            if (j < valid) {
                begin(acc[j], len, co0 + j);
            } else {
                Arrays.fill(acc[j], 0, len, 0f);
            }
        }
    }

    /** {@link #end} for the first {@code valid} accumulators of a block; channel j goes to outOff + j*channelStride. */
    void endBlock(float[][] acc, int len, int valid, float[] out, int outOff, int channelStride) {
        for (int j = 0; j < valid; j++) {
            end(acc[j], len, out, outOff + j * channelStride);
        }
    }
}
