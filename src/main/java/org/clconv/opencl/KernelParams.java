package org.clconv.opencl;

import java.util.Locale;

/**
 * The schedule of the kernels: per family, tile and work-group sizes passed as {@code -D} defines. These never
 * change a result, only its speed, and are kept apart from the problem defines (kernel size, stride, ...) so
 * that a tuner can vary them per layer shape. Defaults depend on the device class (and a GPU's vendor).
 */
public record KernelParams(DepthwiseSchedule depthwise, GemmSchedule gemm) {
    /**
     * NVIDIA: 256-thread GEMM work-groups (8 warps) with 4x4 register tiles from local-memory tiles;
     * 128-thread depthwise groups of 4 float4 outputs per work-item, two rows each.
     */
    static final KernelParams NVIDIA_DEFAULTS = new KernelParams(DepthwiseSchedule.blocks(4, 2, 32, 4),
            new GemmSchedule(true, 64, 64, 16, 4, 4));
    /** AMD: the same tiles in 64-wide wavefronts (a depthwise group row of 64 work-items). */
    static final KernelParams AMD_DEFAULTS = new KernelParams(DepthwiseSchedule.blocks(4, 2, 64, 2),
            new GemmSchedule(true, 64, 64, 16, 4, 4));
    /** Intel GPUs: SIMD-8/16 execution units with smaller register files: 128-thread GEMM groups. */
    static final KernelParams INTEL_GPU_DEFAULTS = new KernelParams(DepthwiseSchedule.blocks(4, 1, 16, 8),
            new GemmSchedule(true, 32, 64, 16, 4, 4));
    /** Any other GPU or accelerator: the NVIDIA shapes, which every OpenCL 1.2 GPU can run. */
    static final KernelParams GPU_DEFAULTS = NVIDIA_DEFAULTS;
    /**
     * CPU devices (PoCL): a work-group is a loop on one core, local memory is cache and a barrier spills every
     * work-item's registers, so the GEMM runs without local tiles, each work-item holding 16 channels x
     * float16 (16 vector accumulators); depthwise work-groups are one work-item: flat float16 runs, 64 of a plane
     * per work-item, over 64 planes, where output planes have the input's size (the default suite on PoCL, against
     * the staged tiles before: 1024 maps of 7x7 0.022 ms against 0.066, 512 of 14x14 0.051 against 0.061, the
     * larger maps within 5% either way, 3 of 128x128 0.020 against 0.017), else {@link
     * DepthwiseSchedule#STAGED_FALLBACK}'s staged tiles. The tuner tries both per layer.
     */
    static final KernelParams CPU_DEFAULTS = new KernelParams(DepthwiseSchedule.flat(16, 64, 1, 64),
            new GemmSchedule(false, 16, 64, 16, 16, 16));

    public KernelParams {
        if (depthwise == null || gemm == null) {
            throw new IllegalArgumentException("kernel parameters need a depthwise and a GEMM schedule, got "
                    + depthwise + " and " + gemm);
        }
    }

    /**
     * The defaults for a device's class and, for GPUs, its vendor; on a device too small for them (work-group
     * size or local memory below what they assume) the CPU-class schedule, which uses no local memory and tiny
     * work-groups, so that a small device still runs (and {@code auto} still picks it) instead of failing.
     */
    public static KernelParams defaultsFor(DeviceInfo device) {
        KernelParams preferred = preferredFor(device);
        try {
            preferred.checkFits(device);
            return preferred;
        } catch (IllegalArgumentException tooLarge) {
            return CPU_DEFAULTS;
        }
    }

    private static KernelParams preferredFor(DeviceInfo device) {
        if (device.kind() == DeviceInfo.Kind.CPU) {
            return CPU_DEFAULTS;
        }
        String vendor = device.vendor().toLowerCase(Locale.ROOT);
        if (vendor.contains("nvidia")) {
            return NVIDIA_DEFAULTS;
        }
        if (vendor.contains("advanced micro devices") || vendor.contains("amd")) {
            return AMD_DEFAULTS;
        }
        if (vendor.contains("intel")) {
            return INTEL_GPU_DEFAULTS;
        }
        return GPU_DEFAULTS;
    }

    public KernelParams with(DepthwiseSchedule schedule) {
        return new KernelParams(schedule, gemm);
    }

    public KernelParams with(GemmSchedule schedule) {
        return new KernelParams(depthwise, schedule);
    }

    /** Throws {@link IllegalArgumentException} unless the work-groups and local tiles fit {@code device}. */
    public void checkFits(DeviceInfo device) {
        depthwise.checkFits(device);
        gemm.checkFits(device);
    }

    /** Throws {@link IllegalArgumentException} unless a work-group of {@code size} work-items fits {@code device}. */
    static void checkGroupSize(long size, Object schedule, DeviceInfo device) {
        if (size > device.maxWorkGroupSize()) {
            throw new IllegalArgumentException("work-group size " + size + " of " + schedule
                    + " exceeds the device's maximum " + device.maxWorkGroupSize());
        }
    }

    /** The schedule defines of one family, e.g. {@code -DDW_OUT_X=4 -DDW_OUT_Y=1 -DDW_GROUP_X=32 -DDW_GROUP_Y=4}. */
    String defines(KernelFamily family) {
        return family == KernelFamily.DEPTHWISE ? depthwise.defines() : gemm.defines();
    }
}
