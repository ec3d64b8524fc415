package org.clconv.opencl;

import org.clconv.Conv2d;

/** The three kernel families and which convolutions each runs. */
enum KernelFamily {
    /** groups == in_channels, any multiplier: a direct stencil with register reuse along x. */
    DEPTHWISE("conv_depthwise", "common.h", "depthwise.cl"),
    /** 1x1, stride 1, unpadded, any groups: a tiled GEMM over (out channels) x (pixels). */
    POINTWISE("conv_gemm", "common.h", "igemm.h", "pointwise.cl"),
    /** Everything else: an implicit GEMM gathering im2col columns on the fly. */
    CONV2D("conv_gemm", "common.h", "igemm.h", "conv2d.cl");

    private final String entryPoint;
    private final String[] files;
    private volatile KernelSource source;

    KernelFamily(String entryPoint, String... files) {
        this.entryPoint = entryPoint;
        this.files = files;
    }

    static KernelFamily of(Conv2d spec) {
        if (spec.isDepthwise()) {
            return DEPTHWISE;
        }
        return spec.isPointwise() ? POINTWISE : CONV2D;
    }

    /** The family's program text, read from the jar once. */
    KernelSource source() {
        KernelSource s = source;
        if (s == null) {
            // Benign race: two threads may both read the resources; either result is the same text.
            s = KernelSource.fromResources(entryPoint, files);
            source = s;
        }
        return s;
    }
}
