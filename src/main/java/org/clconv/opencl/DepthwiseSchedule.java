package org.clconv.opencl;

import java.util.Locale;

/**
 * The depthwise kernel's schedule (see {@code kernels/depthwise.cl}): outputs per work-item and work-group
 * shape. Never changes a result, only its speed.
 *
 * @param outputsX outputs per work-item along x: the input span they share is loaded once; 2, 4, 8 or 16 make
 *                 interior work-items load each tap as one vector
 * @param outputsY output rows per work-item, computed one after the other
 * @param rowLoop  whether a work-item walks its rows whole, block after block (CPU devices), instead of
 *                 computing one block per row next to its neighbours' (GPUs)
 * @param groupX   work-group width (x blocks); 1 with {@code rowLoop}
 * @param groupY   work-group height (row blocks)
 */
public record DepthwiseSchedule(int outputsX, int outputsY, boolean rowLoop, int groupX, int groupY) {
    public DepthwiseSchedule {
        ScheduleChecks.positive("depthwise outputsX", outputsX);
        ScheduleChecks.positive("depthwise outputsY", outputsY);
        ScheduleChecks.positive("depthwise groupX", groupX);
        ScheduleChecks.positive("depthwise groupY", groupY);
        if (rowLoop && groupX != 1) {
            throw new IllegalArgumentException("a depthwise row loop covers the row alone: groupX must be 1, got "
                    + groupX);
        }
    }

    long groupSize() {
        return (long) groupX * groupY;
    }

    void checkFits(DeviceInfo device) {
        KernelParams.checkGroupSize(groupSize(), this, device);
    }

    String defines() {
        return String.format(Locale.ROOT, "-DDW_OUT_X=%d -DDW_OUT_Y=%d -DDW_ROW_LOOP=%d -DDW_GROUP_X=%d -DDW_GROUP_Y=%d",
                outputsX, outputsY, rowLoop ? 1 : 0, groupX, groupY);
    }
}
