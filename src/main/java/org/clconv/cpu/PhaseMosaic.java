package org.clconv.cpu;

import java.util.Arrays;

/**
 * One axis of a dilated three-tap convolution laid out as an undilated one with padding 1, the way
 * space-to-batch computes dilated convolutions but without a batch: the outputs of phase r (at r, r + d, r + 2d,
 * ...) read only inputs d apart, so placed side by side as a block of the mosaic, their taps read consecutive
 * mosaic positions. The blocks follow each other with one junk output between them (two where the position
 * they would share holds a real input for either block), computed and dropped. Without dilation the mosaic is
 * the axis itself. Mosaic output m reads padded mosaic positions m, m + 1 and m + 2.
 */
final class PhaseMosaic {
    private final int size;
    /** Input index at each padded mosaic position, -1 for a padding zero. */
    private final int[] source;
    /** Output index of each mosaic output, -1 for junk. */
    private final int[] target;

    private PhaseMosaic(int size, int[] source, int[] target) {
        this.size = size;
        this.source = source;
        this.target = target;
    }

    /** The mosaic of an axis: output o with tap k reads input o - padBefore + k * dilation. */
    static PhaseMosaic of(int outSize, int inSize, int dilation, int padBefore) {
        int blocks = Math.min(dilation, outSize);
        // each block after the first starts at most two positions after the one before it ends
        int[] source = new int[outSize + 2 * blocks + 2];
        int[] target = new int[outSize + 2 * blocks];
        Arrays.fill(source, -1);
        Arrays.fill(target, -1);
        int end = 0;
        for (int r = 0; r < blocks; r++) {
            int first = r - padBefore;
            boolean shared = r > 0 && source[end + 1] < 0 && (first < 0 || first >= inSize);
            int start = r == 0 ? 0 : shared ? end + 1 : end + 2;
            int outputs = (outSize - r + dilation - 1) / dilation;
            for (int j = 0; j < outputs + 2; j++) {
                int x = first + j * dilation;
                source[start + j] = x >= 0 && x < inSize ? x : -1;
            }
            for (int i = 0; i < outputs; i++) {
                target[start + i] = r + i * dilation;
            }
            end = start + outputs;
        }
        return new PhaseMosaic(end, source, target);
    }

    /** Mosaic outputs, junk included. */
    int size() {
        return size;
    }

    /** The input index at padded mosaic position j (any j from 0), or -1 where it is a padding zero. */
    int source(int j) {
        return j < source.length ? source[j] : -1;
    }

    /** The output index of mosaic output m (m below {@link #size}), or -1 where m is junk. */
    int target(int m) {
        return target[m];
    }
}
