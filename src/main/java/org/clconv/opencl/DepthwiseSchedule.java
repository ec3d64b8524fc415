package org.clconv.opencl;

import java.util.Locale;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.PaddingMode;

/**
 * The depthwise kernel's schedule (see {@code kernels/depthwise.cl}): layout, outputs per work-item,
 * work-group shape, tile width and planes per work-group. Never changes a result, only its speed.
 *
 * @param layout   how work-items reach their inputs (see {@link Layout})
 * @param outputsX outputs per work-item block along x: the input span they share is loaded once; 2, 4, 8 or 16
 *                 make a block one vector
 * @param outputsY output rows per work-item, computed one after the other ({@link Layout#FLAT}: blocks of
 *                 {@code outputsX} consecutive outputs of a plane)
 * @param groupX   work-group width (x blocks)
 * @param groupY   work-group height (row blocks; 1 with {@link Layout#FLAT})
 * @param tileX    {@link Layout#STAGED}: output columns per work-group (a multiple of {@code outputsX});
 *                 {@link Layout#BLOCKS} and {@link Layout#FLAT} take 0 here
 * @param planes   (n, channel) planes per work-group, one after the other
 */
public record DepthwiseSchedule(Layout layout, int outputsX, int outputsY, int groupX, int groupY, int tileX,
                                int planes) {
    /** The largest plane of the flat layout, whose kernel indexes a plane's floats with int arithmetic. */
    static final long MAX_FLAT_PLANE = 1L << 30;
    /**
     * What a flat schedule of one-work-item groups runs on layers it cannot take (strides, padding that changes the
     * size, other padding modes): 128 x 16 output tiles staged per work-item, float8 blocks (float16 would leave
     * stride 2 without vector loads), one plane per group (four gained little on 7x7 planes and halved the speed
     * of 32 x 256 maps of 28x28). From PoCL trials.
     */
    static final DepthwiseSchedule STAGED_FALLBACK = new DepthwiseSchedule(Layout.STAGED, 8, 16, 1, 1, 128, 1);
    /** How work-items reach their inputs; the kernel's {@code DW_LAYOUT}. */
    public enum Layout {
        /** One block per row per work-item, straight from global memory (GPUs; caches serve the overlaps). */
        BLOCKS,
        /**
         * The work-group copies its padded input tile into local memory once, then computes every block, edges
         * included, from there without bounds checks (CPU devices: no scalar edges; GPUs: each input read from
         * global memory once per tile).
         */
        STAGED,
        /**
         * For planes whose output has the input's size (stride 1, zero padding that keeps the size): a plane is
         * one flat run, each tap one vector load at the same offset for every output, the lanes on padding masked
         * -- small maps fill whole vectors where their rows are narrower than one (CPU devices: 1024 maps of 7x7
         * on PoCL, tuned, 0.029 ms of device time against the staged layout's best 0.045; GPUs: coalesced runs
         * across rows). A layer it cannot take runs another layout (see {@link #fittedTo}).
         */
        FLAT
    }

    public DepthwiseSchedule {
        if (layout == null) {
            throw new IllegalArgumentException("depthwise layout must be BLOCKS, STAGED or FLAT, got null");
        }
        ScheduleChecks.positive("depthwise outputsX", outputsX);
        ScheduleChecks.positive("depthwise outputsY", outputsY);
        ScheduleChecks.positive("depthwise groupX", groupX);
        ScheduleChecks.positive("depthwise groupY", groupY);
        ScheduleChecks.positive("depthwise planes", planes);
        if (layout == Layout.STAGED ? tileX < outputsX || tileX % outputsX != 0 : tileX != 0) {
            throw new IllegalArgumentException("depthwise tileX must be a positive multiple of outputsX ("
                    + outputsX + ") with the staged layout and 0 otherwise, got " + tileX + " with " + layout);
        }
        if (layout == Layout.FLAT && (Integer.bitCount(outputsX) != 1 || outputsX < 2 || outputsX > 16
                || groupY != 1)) {
            throw new IllegalArgumentException("the flat depthwise layout takes outputsX of 2, 4, 8 or 16 and"
                    + " groupY 1, got outputsX " + outputsX + " and groupY " + groupY);
        }
    }

    /** Blocks from global memory, one plane per work-group. */
    public static DepthwiseSchedule blocks(int outputsX, int outputsY, int groupX, int groupY) {
        return new DepthwiseSchedule(Layout.BLOCKS, outputsX, outputsY, groupX, groupY, 0, 1);
    }

    /** Tiles of {@code tileX} x ({@code groupY * outputsY}) outputs staged in local memory. */
    public static DepthwiseSchedule staged(int outputsX, int outputsY, int groupX, int groupY, int tileX,
                                           int planes) {
        return new DepthwiseSchedule(Layout.STAGED, outputsX, outputsY, groupX, groupY, tileX, planes);
    }

    /**
     * {@code blocks} runs of {@code outputsX} consecutive outputs of a plane per work-item, {@code groupX}
     * work-items per group, {@code planes} planes per group (see {@link Layout#FLAT}).
     */
    public static DepthwiseSchedule flat(int outputsX, int blocks, int groupX, int planes) {
        return new DepthwiseSchedule(Layout.FLAT, outputsX, blocks, groupX, 1, 0, planes);
    }

    /**
     * Whether the flat layout computes {@code g}: output planes of the input's size, at least one vector and at most
     * {@link #MAX_FLAT_PLANE} floats.
     */
    boolean takesFlat(ConvGeometry g) {
        Conv2d c = g.spec();
        long plane = (long) g.inH() * g.inW();
        return c.strideH() == 1 && c.strideW() == 1 && c.paddingMode() == PaddingMode.ZEROS
                && g.outH() == g.inH() && g.outW() == g.inW() && plane >= outputsX && plane <= MAX_FLAT_PLANE;
    }

    /**
     * The schedule {@code g} runs with: this one, except a flat one on a layer it cannot take, which runs
     * {@link #STAGED_FALLBACK} where its work-groups are one work-item (CPU devices' shape), else blocks from global
     * memory in the same work-group width.
     */
    DepthwiseSchedule fittedTo(ConvGeometry g) {
        if (layout != Layout.FLAT || takesFlat(g)) {
            return this;
        }
        return groupX == 1 ? STAGED_FALLBACK : blocks(outputsX, 1, groupX, 1);
    }

    long groupSize() {
        return (long) groupX * groupY;
    }

    void checkFits(DeviceInfo device) {
        KernelParams.checkGroupSize(groupSize(), this, device);
    }

    String defines() {
        return String.format(Locale.ROOT, "-DDW_LAYOUT=%d -DDW_OUT_X=%d -DDW_OUT_Y=%d -DDW_GROUP_X=%d -DDW_GROUP_Y=%d"
                + " -DDW_TILE_X=%d -DDW_PLANES=%d", layout.ordinal(), outputsX, outputsY, groupX, groupY, tileX,
                planes);
    }
}
