package org.clconv.opencl;

import java.util.Locale;

/**
 * The schedule of the kernels: tile and work-group sizes, passed as {@code -D} defines. These never change a
 * result, only its speed, and are kept apart from the problem defines (kernel size, stride, ...) so that a
 * tuner can vary them per layer shape. Defaults depend on the device class.
 *
 * @param dwOutputsX outputs per depthwise work-item along x (register reuse of the shared input span)
 * @param dwGroupX   depthwise work-group width (x blocks)
 * @param dwGroupY   depthwise work-group height (output rows)
 * @param tileM      GEMM work-group tile along output channels
 * @param tileN      GEMM work-group tile along output pixels
 * @param tileK      GEMM K step staged in local memory
 * @param threadM    outputs per GEMM work-item along output channels
 * @param threadN    outputs per GEMM work-item along output pixels, one OpenCL vector: 2, 4, 8 or 16
 */
public record KernelParams(int dwOutputsX, int dwGroupX, int dwGroupY, int tileM, int tileN, int tileK,
                           int threadM, int threadN) {

    /** GPUs: 256-thread GEMM work-groups with 4x4 register tiles; 128-thread depthwise groups. */
    static final KernelParams GPU_DEFAULTS = new KernelParams(4, 32, 4, 64, 64, 16, 4, 4);
    /**
     * CPU devices (PoCL): work-groups become loops over work-items, so larger register tiles (8 x float8 per
     * GEMM work-item) and one-row depthwise groups; picked from a few trials on PoCL, not tuned.
     */
    static final KernelParams CPU_DEFAULTS = new KernelParams(4, 32, 1, 64, 128, 16, 8, 8);

    public KernelParams {
        positive("dwOutputsX", dwOutputsX);
        positive("dwGroupX", dwGroupX);
        positive("dwGroupY", dwGroupY);
        positive("tileM", tileM);
        positive("tileN", tileN);
        positive("tileK", tileK);
        positive("threadM", threadM);
        positive("threadN", threadN);
        if (Integer.bitCount(threadN) != 1 || threadN < 2 || threadN > 16) {
            throw new IllegalArgumentException("threadN is an OpenCL vector width: 2, 4, 8 or 16, got " + threadN);
        }
        if (tileM % threadM != 0 || tileN % threadN != 0) {
            throw new IllegalArgumentException("GEMM tile (" + tileM + " x " + tileN
                    + ") must be a multiple of the per-thread tile (" + threadM + " x " + threadN + ")");
        }
        int threads = gemmGroupSize(tileM, tileN, threadM, threadN);
        // Each work-item gathers one fixed column of A and of B per K step (see igemm.h).
        if (threads % tileN != 0 || threads % tileK != 0) {
            throw new IllegalArgumentException("GEMM work-group size " + threads + " = (" + tileM + "/" + threadM
                    + ") * (" + tileN + "/" + threadN + ") must be a multiple of tileN=" + tileN
                    + " and tileK=" + tileK);
        }
    }

    /** The defaults for a device class. */
    public static KernelParams defaultsFor(DeviceInfo device) {
        return device.kind() == DeviceInfo.Kind.CPU ? CPU_DEFAULTS : GPU_DEFAULTS;
    }

    /** Throws {@link IllegalArgumentException} unless the work-groups and local tiles fit {@code device}. */
    public void checkFits(DeviceInfo device) {
        long largest = Math.max((long) dwGroupX * dwGroupY, gemmGroupSize());
        if (largest > device.maxWorkGroupSize()) {
            throw new IllegalArgumentException("work-group size " + largest + " of " + this
                    + " exceeds the device's maximum " + device.maxWorkGroupSize());
        }
        if (gemmLocalBytes() > device.localMemBytes()) {
            throw new IllegalArgumentException("GEMM tiles need " + gemmLocalBytes() + " bytes of local memory, the "
                    + "device has " + device.localMemBytes());
        }
    }

    /** The schedule defines of one family, e.g. {@code -DDW_OUT_X=4 -DDW_GROUP_X=32 -DDW_GROUP_Y=4}. */
    String defines(KernelFamily family) {
        if (family == KernelFamily.DEPTHWISE) {
            return String.format(Locale.ROOT, "-DDW_OUT_X=%d -DDW_GROUP_X=%d -DDW_GROUP_Y=%d", dwOutputsX, dwGroupX,
                    dwGroupY);
        }
        return String.format(Locale.ROOT, "-DGEMM_TM=%d -DGEMM_TN=%d -DGEMM_TK=%d -DGEMM_RM=%d -DGEMM_RN=%d", tileM,
                tileN, tileK, threadM, threadN);
    }

    int gemmGroupSize() {
        return gemmGroupSize(tileM, tileN, threadM, threadN);
    }

    private long gemmLocalBytes() {
        return 4L * tileK * ((tileM + 1) + tileN);
    }

    private static int gemmGroupSize(int tileM, int tileN, int threadM, int threadN) {
        return (tileM / threadM) * (tileN / threadN);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("kernel parameter " + name + " must be positive, got " + value);
        }
    }
}
