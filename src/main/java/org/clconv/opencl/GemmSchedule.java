package org.clconv.opencl;

import java.util.Locale;

/**
 * The (implicit) GEMM kernel's schedule (see {@code kernels/igemm.h}): which variant, the work-group tile and
 * each work-item's register tile. Never changes a result, only its speed.
 *
 * @param localTiles whether the work-group stages A and B tiles in local memory (GPUs) or every work-item reads
 *                   global memory directly, without barriers (CPU devices)
 * @param tileM      work-group tile along output channels
 * @param tileN      work-group tile along output pixels
 * @param tileK      K step staged in local memory (local tiles only)
 * @param threadM    output channels per work-item
 * @param threadN    output pixels per work-item, one OpenCL vector: 2, 4, 8 or 16
 */
public record GemmSchedule(boolean localTiles, int tileM, int tileN, int tileK, int threadM, int threadN) {
    public GemmSchedule {
        ScheduleChecks.positive("GEMM tileM", tileM);
        ScheduleChecks.positive("GEMM tileN", tileN);
        ScheduleChecks.positive("GEMM tileK", tileK);
        ScheduleChecks.positive("GEMM threadM", threadM);
        if (Integer.bitCount(threadN) != 1 || threadN < 2 || threadN > 16) {
            throw new IllegalArgumentException("GEMM threadN is an OpenCL vector width: 2, 4, 8 or 16, got " + threadN);
        }
        if (tileM % threadM != 0 || tileN % threadN != 0) {
            throw new IllegalArgumentException("GEMM tile (" + tileM + " x " + tileN
                    + ") must be a multiple of the per-thread tile (" + threadM + " x " + threadN + ")");
        }
        int threads = (tileM / threadM) * (tileN / threadN);
        // Each work-item gathers one fixed column of A and of B per K step (see igemm.h).
        if (localTiles && (threads % tileN != 0 || threads % tileK != 0)) {
            throw new IllegalArgumentException("GEMM work-group size " + threads + " = (" + tileM + "/" + threadM
                    + ") * (" + tileN + "/" + threadN + ") must be a multiple of tileN=" + tileN + " and tileK="
                    + tileK + " with local tiles");
        }
    }

    /**
     * The schedule for a GEMM with {@code m} rows: the direct variant computes whole register tiles inside M, so
     * a layer with fewer output channels per group than {@code threadM} gets a smaller register tile (same
     * work-group shape). The local-tile variant handles partial tiles itself.
     */
    GemmSchedule fittedTo(int m) {
        if (localTiles || threadM <= m) {
            return this;
        }
        return new GemmSchedule(false, m * (tileM / threadM), tileN, tileK, m, threadN);
    }

    int groupSizeM() {
        return tileM / threadM;
    }

    int groupSizeN() {
        return tileN / threadN;
    }

    long groupSize() {
        return (long) groupSizeM() * groupSizeN();
    }

    void checkFits(DeviceInfo device) {
        KernelParams.checkGroupSize(groupSize(), this, device);
        if (localBytes() > device.localMemBytes()) {
            throw new IllegalArgumentException("GEMM tiles of " + this + " need " + localBytes()
                    + " bytes of local memory, the device has " + device.localMemBytes());
        }
    }

    long localBytes() {
        return localTiles ? 4L * tileK * ((tileM + 1) + tileN) : 0;
    }

    String defines() {
        return String.format(Locale.ROOT, "-DGEMM_LOCAL_TILES=%d -DGEMM_TM=%d -DGEMM_TN=%d -DGEMM_TK=%d -DGEMM_RM=%d"
                + " -DGEMM_RN=%d", localTiles ? 1 : 0, tileM, tileN, tileK, threadM, threadN);
    }
}
