package org.clconv.cpu;

import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/** One way of computing a convolution on host arrays; {@link CpuBackend} picks the path from the spec. */
interface ConvPath {
    /**
     * Computes {@code layer} on the NCHW input into the NCHW output (sized by the geometry), bias and
     * activation included. The geometry has been validated; {@code out} is entirely overwritten.
     */
    void run(ConvLayer layer, ConvGeometry geometry, float[] in, float[] out);
}
