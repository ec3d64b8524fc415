package org.clconv.opencl;

import java.util.Locale;

/**
 * The depthwise kernel's schedule (see {@code kernels/depthwise.cl}): layout, outputs per work-item,
 * work-group shape, tile width and planes per work-group. Never changes a result, only its speed.
 *
 * @param layout   how work-items reach their inputs (see {@link Layout})
 * @param outputsX outputs per work-item block along x: the input span they share is loaded once; 2, 4, 8 or 16
 *                 make a block one vector
 * @param outputsY output rows per work-item, computed one after the other
 * @param groupX   work-group width (x blocks)
 * @param groupY   work-group height (row blocks)
 * @param tileX    {@link Layout#STAGED}: output columns per work-group (a multiple of {@code outputsX});
 *                 {@link Layout#BLOCKS} covers {@code outputsX * groupX} columns and takes 0 here
 * @param planes   (n, channel) planes per work-group, one after the other
 */
public record DepthwiseSchedule(Layout layout, int outputsX, int outputsY, int groupX, int groupY, int tileX,
                                int planes) {
    /** How work-items reach their inputs; the kernel's {@code DW_LAYOUT}. */
    public enum Layout {
        /** One block per row per work-item, straight from global memory (GPUs; caches serve the overlaps). */
        BLOCKS,
        /**
         * The work-group copies its padded input tile into local memory once, then computes every block, edges
         * included, from there without bounds checks (CPU devices: no scalar edges; GPUs: each input read from
         * global memory once per tile).
         */
        STAGED
    }

    public DepthwiseSchedule {
        if (layout == null) {
            throw new IllegalArgumentException("depthwise layout must be BLOCKS or STAGED, got null");
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
